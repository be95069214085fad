/**
 * The realtime stream with resume. EventSource reconnects by itself and sends Last-Event-ID, but it
 * gives up for good on an HTTP error (readyState CLOSED) and can keep failing against a gateway
 * that is down; in both cases we build a new one after a backoff, passing the last event id we
 * processed in the query (a fresh EventSource has no Last-Event-ID of its own). Event ids only grow,
 * so anything at or below the last one processed is a replay and is dropped here.
 */
import { backoffDelay } from './backoff';
import { STREAM_EVENT_TYPES, type StreamEventData, type StreamEventType } from './types';

/** Errors in a row, without an open in between, before we stop trusting the built-in reconnect. */
const MAX_NATIVE_RETRIES = 3;

export interface StreamListener {
  onEvent(type: StreamEventType, data: StreamEventData): void;
  /** false as soon as the connection is lost, true once a connection is open again. */
  onConnectionChange(connected: boolean): void;
}

export class ResumableStream {
  private source: EventSource | null = null;
  private errorsInRow = 0;
  private recreations = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** null until the first connection attempt settles, so "connecting" never shows as "lost". */
  private connected: boolean | null = null;

  constructor(
    private readonly urlAfter: (lastEventId: number) => string,
    private readonly listener: StreamListener,
    private lastEventId: number,
  ) {}

  start(): void {
    // A laptop waking up or a phone leaving a tunnel: no reason to sit out the backoff.
    window.addEventListener('online', () => {
      if (this.connected !== true) this.reopen(0);
    });
    this.open();
  }

  private open(): void {
    const source = new EventSource(this.urlAfter(this.lastEventId));
    this.source = source;
    for (const type of STREAM_EVENT_TYPES) {
      source.addEventListener(type, (event) => this.dispatch(type, event as MessageEvent<string>));
    }
    source.onopen = () => {
      this.errorsInRow = 0;
      this.recreations = 0;
      this.setConnected(true);
    };
    source.onerror = () => {
      if (source !== this.source) return;
      this.setConnected(false);
      this.errorsInRow += 1;
      if (source.readyState === EventSource.CLOSED || this.errorsInRow >= MAX_NATIVE_RETRIES) {
        this.reopen(backoffDelay(this.recreations));
        this.recreations += 1;
      }
    };
  }

  private reopen(delayMs: number): void {
    this.source?.close();
    this.source = null;
    this.errorsInRow = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delayMs);
  }

  private dispatch(type: StreamEventType, event: MessageEvent<string>): void {
    const id = Number(event.lastEventId);
    if (event.lastEventId !== '' && Number.isFinite(id)) {
      if (id <= this.lastEventId) return;
      this.lastEventId = id;
    }
    let data: StreamEventData;
    try {
      data = JSON.parse(event.data) as StreamEventData;
    } catch {
      return;
    }
    this.listener.onEvent(type, data);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.listener.onConnectionChange(connected);
  }
}
