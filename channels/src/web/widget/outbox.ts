/**
 * Delivers the visitor's messages. A network failure or a 5xx is retried with backoff under the
 * same clientMessageId, which the gateway dedupes on, so a send whose response was lost is never
 * stored twice. A 4xx is final: the gateway's message is shown to the visitor instead.
 */
import { ApiError, isTransient } from './api';
import { backoffDelay } from './backoff';
import type { SendResult } from './types';

/** About a minute of automatic retries; after that the visitor retries by tapping the message. */
const MAX_ATTEMPTS = 6;

export type SendOutcome =
  | { kind: 'sent'; messageId: string }
  | { kind: 'failed' }
  | { kind: 'rejected'; message: string; retryable: boolean };

type Transport = (clientMessageId: string, text: string) => Promise<SendResult>;
type Reporter = (clientMessageId: string, outcome: SendOutcome) => void;

interface Pending {
  text: string;
  attempts: number;
  timer: ReturnType<typeof setTimeout> | null;
}

export class Outbox {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly transport: Transport,
    private readonly report: Reporter,
  ) {}

  send(clientMessageId: string, text: string): void {
    if (this.pending.has(clientMessageId)) return;
    this.pending.set(clientMessageId, { text, attempts: 0, timer: null });
    this.attempt(clientMessageId);
  }

  /** The message reached the server by another path (its echo came on the stream): stop retrying. */
  settle(clientMessageId: string): void {
    const entry = this.pending.get(clientMessageId);
    if (entry?.timer) clearTimeout(entry.timer);
    this.pending.delete(clientMessageId);
  }

  private attempt(clientMessageId: string): void {
    const entry = this.pending.get(clientMessageId);
    if (!entry) return;
    entry.timer = null;
    entry.attempts += 1;
    this.transport(clientMessageId, entry.text).then(
      (result) => {
        if (!this.pending.delete(clientMessageId)) return;
        this.report(clientMessageId, { kind: 'sent', messageId: result.messageId });
      },
      (err: unknown) => {
        if (this.pending.get(clientMessageId) !== entry) return;
        if (!isTransient(err)) {
          this.pending.delete(clientMessageId);
          const apiErr = err as ApiError;
          // Rate limiting passes with time, so that one stays retryable by hand.
          this.report(clientMessageId, { kind: 'rejected', message: apiErr.message, retryable: apiErr.status === 429 });
        } else if (entry.attempts >= MAX_ATTEMPTS) {
          this.pending.delete(clientMessageId);
          this.report(clientMessageId, { kind: 'failed' });
        } else {
          entry.timer = setTimeout(() => this.attempt(clientMessageId), backoffDelay(entry.attempts - 1));
        }
      },
    );
  }
}
