/**
 * A plan's limit as a form's answer. Creating a chatbot or a knowledge source beyond what the
 * workspace's plan allows is refused with a 409 `plan_limit` domain error; a form shows that as
 * its message, in the owner's language, instead of an error page.
 */
import { DomainError, t, type Locale } from '@sapa/shared';
import type { FieldErrors } from './forms.server';

export function isPlanLimit(err: unknown): err is DomainError {
  return err instanceof DomainError && err.code === 'plan_limit';
}

/** The refusal as a form's errors (`form` is the message), or null for any other error. */
export function planLimitErrors(err: unknown, locale: Locale): FieldErrors | null {
  return isPlanLimit(err) ? { form: t(locale, err.messageKey) } : null;
}

/** The status a plan-limit refusal is answered with. */
export const PLAN_LIMIT_STATUS = 409;
