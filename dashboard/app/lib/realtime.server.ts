/**
 * The inbox's live feed: the workspace's realtime events as Server-Sent Events. One EventFeed per
 * process polls each active workspace once, however many agents have the inbox open.
 */
import { EventFeed, SSE_HEARTBEAT, sseEvent, sseRetry } from '@sapa/shared';
import { ensureDatabase, logger } from './env.server';
import { onShutdown } from './shutdown.server';

const HEARTBEAT_MS = 15_000;
const RECONNECT_MS = 2_000;
/**
 * Every stream is ended after this long and EventSource reconnects (resuming from Last-Event-ID,
 * so nothing is missed). remix-serve only reports a disconnect that happens after our loader
 * started; a client that leaves earlier would otherwise leave a stream (and its polling) behind
 * forever. This bounds such a leftover to a few minutes.
 */
const MAX_STREAM_MS = 5 * 60_000;

const feed = new EventFeed({ onError: (err) => logger.warn({ err }, 'realtime feed poll failed') });
/** Every open stream's stop function, so a shutdown can end them and let the server close. */
const openStreams = new Set<() => void>();

onShutdown(() => {
  for (const stop of openStreams) stop();
  feed.close();
});

/**
 * A text/event-stream of `workspaceId`'s events after sequence number `after` (null: from now).
 * Stops polling for this client when the request is aborted (the browser went away).
 */
export async function workspaceEventStream(workspaceId: string, after: number | null, signal: AbortSignal): Promise<Response> {
  await ensureDatabase();
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  let unsubscribe = () => {};
  const send = (chunk: string) => {
    if (open) controller.enqueue(encoder.encode(chunk));
  };
  const heartbeat = setInterval(() => send(SSE_HEARTBEAT), HEARTBEAT_MS);
  const stop = () => {
    if (!open) return;
    open = false;
    openStreams.delete(stop);
    clearInterval(heartbeat);
    clearTimeout(lifetime);
    unsubscribe();
    signal.removeEventListener('abort', stop);
    try {
      controller.close();
    } catch {
      // The reader already went away.
    }
  };
  const lifetime = setTimeout(stop, MAX_STREAM_MS);
  // `start` runs synchronously inside the constructor, so `controller` is set right after this line.
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: stop });
  openStreams.add(stop);
  signal.addEventListener('abort', stop);
  if (signal.aborted) stop();
  else {
    send(sseRetry(RECONNECT_MS));
    feed
      .subscribe(workspaceId, {
        after,
        onEvent: (event) => send(sseEvent(event, { ...event.data, conversationId: event.conversationId })),
      })
      .then(
        // The browser may have left while the catch-up query ran.
        (subscription) => (open ? (unsubscribe = subscription) : subscription()),
        (err: unknown) => {
          logger.warn({ err }, 'realtime subscription failed');
          stop();
        },
      );
  }
  return new Response(body, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      // no-transform keeps remix-serve's compression from buffering the stream.
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    },
  });
}
