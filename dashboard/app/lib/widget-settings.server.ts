/**
 * The web widget's settings: which sites may embed it. The gateway compares each widget request's
 * `Origin` with this list (empty = any site), so entries are stored as exact origins
 * (scheme://host[:port]), the form a browser sends.
 */
import { ChatbotModel, badRequest, t, type Locale } from '@sapa/shared';
import { announceChannel, findChannel } from './channels.server';
import type { FieldErrors } from './forms.server';
import type { SessionUser } from './session.server';

export const MAX_ALLOWED_ORIGINS = 50;
const MAX_LINE_CHARS = 300;

export type OriginsParse = { ok: true; origins: string[] } | { ok: false; invalid: string; tooMany?: boolean };

/**
 * One origin per line (commas work too). `https://toko.example/` is accepted as its origin; a page
 * path (`https://toko.example/produk`) or anything but http(s) is refused, naming the bad line.
 */
export function parseAllowedOrigins(text: string): OriginsParse {
  const lines = text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
  const origins: string[] = [];
  for (const line of lines) {
    if (line.length > MAX_LINE_CHARS) return { ok: false, invalid: `${line.slice(0, 40)}…` };
    let url: URL;
    try {
      url = new URL(line);
    } catch {
      return { ok: false, invalid: line };
    }
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !bare || !url.hostname) return { ok: false, invalid: line };
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  if (origins.length > MAX_ALLOWED_ORIGINS) return { ok: false, invalid: '', tooMany: true };
  return { ok: true, origins };
}

export type OriginsOutcome = { ok: true } | { ok: false; fieldErrors: FieldErrors };

export async function saveAllowedOrigins(
  admin: SessionUser,
  channelId: string | undefined,
  text: string,
  locale: Locale,
): Promise<OriginsOutcome> {
  const workspaceId = String(admin.workspace._id);
  const channel = await findChannel(workspaceId, channelId);
  if (channel.type !== 'web') throw badRequest('error.validation');
  const parsed = parseAllowedOrigins(text);
  if (!parsed.ok) {
    const message = parsed.tooMany
      ? t(locale, 'error.originsTooMany', { max: MAX_ALLOWED_ORIGINS })
      : t(locale, 'error.originInvalid', { origin: parsed.invalid });
    return { ok: false, fieldErrors: { allowedOrigins: message } };
  }
  await ChatbotModel.updateOne({ _id: channel.chatbotId, workspaceId }, { $set: { allowedOrigins: parsed.origins } });
  await announceChannel(workspaceId, String(channel._id), { status: channel.status ?? 'active', reason: channel.statusReason ?? '' });
  return { ok: true };
}
