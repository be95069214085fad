/**
 * Retry delays for everything that talks to the gateway. Exponential with a cap, and jittered so a
 * gateway restart is not hit by every open widget in the same instant.
 */
const BASE_MS = 1000;
const MAX_MS = 30_000;

/** Delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number): number {
  const exp = Math.min(MAX_MS, BASE_MS * 2 ** Math.min(attempt, 10));
  return Math.round(exp * (0.8 + Math.random() * 0.4));
}
