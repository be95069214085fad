/**
 * The conversation as the visitor sees it, and the one place that decides whether a message is new.
 * The same message can arrive up to three ways: the session snapshot, the stream (including replays
 * after a reconnect) and, for the visitor's own messages, the optimistic copy plus the POST answer.
 * Messages are matched by server id and, for our own, by clientMessageId.
 */
import type { Author, Citation, WidgetMessage } from './types';

export type Delivery = 'sending' | 'sent' | 'failed' | 'rejected';

export interface ThreadEntry {
  /** Stable for the entry's lifetime, even when the server id arrives later. */
  readonly key: string;
  id: string | null;
  clientMessageId: string | null;
  author: Author;
  authorName: string;
  text: string;
  citations: Citation[];
  delivery: Delivery;
  /** The gateway's reason, shown under a rejected message. */
  error: string | null;
  /** Whether tapping the message sends it again. */
  retryable: boolean;
}

export class Thread {
  private readonly entries = new Map<string, ThreadEntry>();
  private readonly keyById = new Map<string, string>();
  private readonly keyByClientId = new Map<string, string>();

  /** The visitor's own message, shown before the server has it. */
  addOwn(clientMessageId: string, text: string): ThreadEntry {
    const entry: ThreadEntry = {
      key: `c:${clientMessageId}`,
      id: null,
      clientMessageId,
      author: 'customer',
      authorName: '',
      text,
      citations: [],
      delivery: 'sending',
      error: null,
      retryable: false,
    };
    this.entries.set(entry.key, entry);
    this.keyByClientId.set(clientMessageId, entry.key);
    return entry;
  }

  /** A message from the server. Returns the entry to (re)render, or null if it is already shown. */
  receive(message: WidgetMessage): ThreadEntry | null {
    if (this.keyById.has(message.id)) return null;
    const ownKey = message.clientMessageId ? this.keyByClientId.get(message.clientMessageId) : undefined;
    const own = ownKey ? this.entries.get(ownKey) : undefined;
    if (own) {
      // The server's copy is authoritative (it trims the text), and its arrival proves delivery.
      Object.assign(own, { id: message.id, text: message.text, delivery: 'sent', error: null, retryable: false });
      this.keyById.set(message.id, own.key);
      return own;
    }
    const entry: ThreadEntry = {
      key: message.clientMessageId ? `c:${message.clientMessageId}` : `s:${message.id}`,
      id: message.id,
      clientMessageId: message.clientMessageId ?? null,
      author: message.author,
      authorName: message.authorName,
      text: message.text,
      citations: Array.isArray(message.citations) ? message.citations : [],
      delivery: 'sent',
      error: null,
      retryable: false,
    };
    this.entries.set(entry.key, entry);
    this.keyById.set(message.id, entry.key);
    if (entry.clientMessageId) this.keyByClientId.set(entry.clientMessageId, entry.key);
    return entry;
  }

  /** The POST answer for our own message. Returns the entry, or null if the stream got there first. */
  acknowledge(clientMessageId: string, messageId: string): ThreadEntry | null {
    const entry = this.own(clientMessageId);
    if (!entry || entry.id) return null;
    Object.assign(entry, { id: messageId, delivery: 'sent', error: null, retryable: false });
    this.keyById.set(messageId, entry.key);
    return entry;
  }

  /** Our own message could not be delivered (retries exhausted, or the gateway refused it). */
  fail(clientMessageId: string, error: string | null, retryable: boolean): ThreadEntry | null {
    const entry = this.own(clientMessageId);
    if (!entry || entry.id) return null;
    Object.assign(entry, { delivery: error === null ? 'failed' : 'rejected', error, retryable });
    return entry;
  }

  /** Marks a failed message as sending again; returns it, or null if it cannot be retried. */
  retry(key: string): ThreadEntry | null {
    const entry = this.entries.get(key);
    if (!entry?.clientMessageId || !entry.retryable) return null;
    Object.assign(entry, { delivery: 'sending', error: null, retryable: false });
    return entry;
  }

  private own(clientMessageId: string): ThreadEntry | undefined {
    const key = this.keyByClientId.get(clientMessageId);
    return key ? this.entries.get(key) : undefined;
  }
}
