/**
 * CSRF protection for every form post: a random token kept in the (signed, httpOnly) session and
 * repeated in a hidden `csrf` field. A cross-site page can make the browser send the cookie but
 * cannot read the token, so it cannot fill in the field.
 */
import { randomBytes } from 'node:crypto';
import { forbidden, secretsEqual } from '@sapa/shared';
import type { SapaSession } from './session.server';

export const CSRF_FIELD = 'csrf';

/** The session's token, created when missing. `created` tells the caller to commit the session. */
export function ensureCsrfToken(session: SapaSession): { token: string; created: boolean } {
  const existing = session.get('csrf');
  if (existing) return { token: existing, created: false };
  const token = randomBytes(32).toString('base64url');
  session.set('csrf', token);
  return { token, created: true };
}

/** A new token, e.g. after logging in, so a token seen before authentication is worthless after it. */
export function rotateCsrfToken(session: SapaSession): void {
  session.set('csrf', randomBytes(32).toString('base64url'));
}

/** Throws a 403 domain error unless the form carries the session's token. */
export function verifyCsrf(session: SapaSession, form: FormData): void {
  const expected = session.get('csrf');
  const given = form.get(CSRF_FIELD);
  if (!expected || !secretsEqual(given, expected)) throw forbidden('error.csrf');
}
