/** Server-Sent Events framing, shared by the gateway (widget) and the dashboard (inbox). */
import type { RealtimeEvent } from './events';

export function sseEvent(event: Pick<RealtimeEvent, 'seq' | 'type'>, data: unknown): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: keeps proxies from closing an idle stream. */
export const SSE_HEARTBEAT = ': keep-alive\n\n';

/** Tells EventSource how long to wait before reconnecting. */
export const sseRetry = (ms: number) => `retry: ${ms}\n\n`;

/** The resume point: the Last-Event-ID header (EventSource reconnects) or an explicit query value. */
export function parseLastEventId(...candidates: Array<string | string[] | undefined | null>): number | null {
  for (const c of candidates) {
    const value = Array.isArray(c) ? c[0] : c;
    if (value !== undefined && value !== null && /^\d{1,15}$/.test(value)) return Number(value);
  }
  return null;
}
