/**
 * What to do when WhatsApp closes a session's connection, by WhatsApp's status code (Baileys'
 * `DisconnectReason`). Pure, so the whole table is tested without a socket.
 *
 * - 401 logged out, 403 forbidden, 440 replaced (the number opened WhatsApp Web elsewhere): final.
 *   Reconnecting would not help, or would fight the other session; a person must act.
 * - 515 restart required: WhatsApp asks for it right after pairing, reconnect at once.
 * - 405: WhatsApp refuses our client version; fetch the current one and reconnect.
 * - anything else (408 lost, 428 closed, 500 bad session, 503 unavailable, a network error…):
 *   reconnect after an exponential backoff with full jitter, so many sessions that dropped
 *   together (a network blip) do not reconnect in lock-step.
 */
export type ReconnectDecision =
  | { action: 'final'; reason: FinalReason }
  | { action: 'restart_now' }
  | { action: 'refresh_version' }
  | { action: 'backoff'; delayMs: number };

export type FinalReason = 'logged_out' | 'forbidden' | 'replaced';

export interface BackoffLimits {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffLimits = { baseMs: 1000, capMs: 60_000 };

const FINAL: Record<number, FinalReason> = { 401: 'logged_out', 403: 'forbidden', 440: 'replaced' };
export const RESTART_REQUIRED = 515;
export const OUTDATED_VERSION = 405;

/** The longest delay before attempt `attempt` (0-based): base · 2^attempt, capped. */
export function backoffCeiling(attempt: number, limits: BackoffLimits = DEFAULT_BACKOFF): number {
  // 2^attempt overflows to Infinity for large attempts, which the cap absorbs.
  return Math.min(limits.capMs, limits.baseMs * 2 ** Math.max(0, attempt));
}

export function reconnectDecision(
  statusCode: number | undefined,
  attempt: number,
  random: () => number = Math.random,
  limits: BackoffLimits = DEFAULT_BACKOFF,
): ReconnectDecision {
  const final = statusCode === undefined ? undefined : FINAL[statusCode];
  if (final) return { action: 'final', reason: final };
  if (statusCode === RESTART_REQUIRED) return { action: 'restart_now' };
  if (statusCode === OUTDATED_VERSION) return { action: 'refresh_version' };
  return { action: 'backoff', delayMs: Math.floor(random() * backoffCeiling(attempt, limits)) };
}
