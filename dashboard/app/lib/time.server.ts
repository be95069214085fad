/**
 * Timestamps as people in the workspace read them: in its time zone (Asia/Jakarta unless the
 * workspace says otherwise). Formatted on the server so the page and its hydration agree.
 */
import type { Locale } from '@sapa/shared';

const DEFAULT_TIME_ZONE = 'Asia/Jakarta';
const INTL_LOCALE: Record<Locale, string> = { id: 'id-ID', en: 'en-GB' };

function validTimeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return DEFAULT_TIME_ZONE;
  }
}

export interface TimeFormatter {
  /** Hour and minute for today, the date for older days: for the conversation list. */
  short(date: Date): string;
  /** Date and time: for messages. */
  full(date: Date): string;
}

export function timeFormatter(locale: Locale, workspaceTimeZone: string | null | undefined, now = new Date()): TimeFormatter {
  const timeZone = validTimeZone(workspaceTimeZone);
  const intlLocale = INTL_LOCALE[locale];
  const time = new Intl.DateTimeFormat(intlLocale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const day = new Intl.DateTimeFormat(intlLocale, { timeZone, day: 'numeric', month: 'short' });
  const dayKey = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const today = dayKey.format(now);
  return {
    short: (date) => (dayKey.format(date) === today ? time.format(date) : day.format(date)),
    full: (date) => `${day.format(date)} ${time.format(date)}`,
  };
}
