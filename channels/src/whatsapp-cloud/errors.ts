/**
 * Graph API errors by meaning (spec §5). Meta's advice is to key on the numeric code, not on the
 * title or the HTTP status; the HTTP status only decides for codes this table does not know.
 */
import { z } from 'zod';
import { MediaTooLargeError } from '@sapa/shared';
import { ChannelSendError } from '../types';
import { GraphApiError, GraphNetworkError } from './graph-client';

/** More than 24 hours since the customer's last message: only a template may be sent. */
const WINDOW_CLOSED = 131047;
/** How long to back off when Meta does not say (no `Retry-After`), by what was exceeded. */
const RATE_LIMIT_BACKOFF_MS: Record<number, number> = {
  130429: 500, // per-number throughput (80 msg/s): clears within a second
  131056: 6_000, // pair rate: ~1 message every 6 s to the same customer
  4: 60_000, // app-level call budget, counted per hour
  80007: 60_000, // WABA-level call budget
};
const AUTH = new Set([0, 190]);
const TRANSIENT = new Set([1, 2, 131000, 131016]);
/** Permanent although Meta answers it with HTTP 500 ("capability or permissions issue"). */
const PERMANENT_DESPITE_5XX = new Set([3]);

/** An error object as found in webhooks (§3.3) or inside a §5 envelope: anything with a numeric code. */
const errorObjectSchema = z.object({
  code: z.number().int(),
  message: z.string().optional(),
  title: z.string().optional(),
  error_subcode: z.number().int().optional(),
  error_data: z.object({ details: z.string().optional() }).optional().catch(undefined),
});

/**
 * Turn whatever a send threw into a `ChannelSendError`. Accepts a `GraphApiError`, a network
 * failure, a Graph/webhook error object (`{ code, message, error_data }`), or an error already
 * classified.
 */
export function classifyGraphError(err: unknown): ChannelSendError {
  if (err instanceof ChannelSendError) return err;
  if (err instanceof GraphApiError) return classify(err.code, err.status, err.message, err.details, err.retryAfterMs);
  if (err instanceof GraphNetworkError) return new ChannelSendError('transient', err.message, { code: 'network' });
  if (err instanceof MediaTooLargeError) return new ChannelSendError('permanent', err.message, { code: 'media_too_large' });
  const object = errorObjectSchema.safeParse(err);
  if (object.success) {
    const e = object.data;
    return classify(e.code, 0, e.message ?? e.title ?? '', e.error_data?.details, undefined);
  }
  // Something we did not foresee (a fetch implementation's own error): retrying is the safer guess,
  // and the activity's retry policy bounds it.
  return new ChannelSendError('transient', err instanceof Error ? err.message : String(err), { code: 'unknown' });
}

function classify(code: number, status: number, message: string, details: string | undefined, retryAfterMs: number | undefined): ChannelSendError {
  const reason = reasonOf(code, message, details);
  const codeText = code === -1 ? `http_${status}` : String(code);
  if (code === WINDOW_CLOSED) return new ChannelSendError('window_closed', reason, { code: 'window_closed' });
  if (code in RATE_LIMIT_BACKOFF_MS || (code === -1 && status === 429)) {
    return new ChannelSendError('rate_limited', reason, { code: codeText, retryAfterMs: retryAfterMs ?? RATE_LIMIT_BACKOFF_MS[code] ?? 5_000 });
  }
  if (AUTH.has(code) || (code === -1 && status === 401)) return new ChannelSendError('auth', reason, { code: codeText });
  if (TRANSIENT.has(code)) return new ChannelSendError('transient', reason, { code: codeText });
  if (status >= 500 && !PERMANENT_DESPITE_5XX.has(code)) return new ChannelSendError('transient', reason, { code: codeText });
  return new ChannelSendError('permanent', reason, { code: codeText });
}

/** `(#131026) Message undeliverable: <details>`: Graph's messages usually carry the `(#code)` already. */
function reasonOf(code: number, message: string, details: string | undefined): string {
  const base = code === -1 || /^\(#\d+\)/.test(message) ? message : `(#${code}) ${message}`.trim();
  return details && !base.includes(details) ? `${base}: ${details}` : base;
}
