/**
 * How messages and conversation changes look on the realtime stream and in the widget's snapshot.
 * One shape for everything a browser renders, so the gateway, the worker and the dashboard agree.
 */
import type { Message } from './models';

export interface PublicMessage {
  id: string;
  conversationId: string;
  /** The widget's own id for messages it sent (lets it match its optimistic copy). */
  clientMessageId?: string;
  author: 'customer' | 'bot' | 'agent' | 'system';
  authorName: string;
  text: string;
  citations: Array<{ title: string; url?: string }>;
  createdAt: string;
}

type MessageLike = Pick<Message, 'author' | 'authorName' | 'text' | 'channelMessageId' | 'direction'> & {
  _id: unknown;
  conversationId: unknown;
  citations?: Array<{ title?: string | null; url?: string | null }> | null;
  createdAt?: Date | null;
};

export function toPublicMessage(m: MessageLike): PublicMessage {
  return {
    id: String(m._id),
    conversationId: String(m.conversationId),
    ...(m.direction === 'inbound' ? { clientMessageId: m.channelMessageId } : {}),
    author: m.author,
    authorName: m.authorName ?? '',
    text: m.text ?? '',
    citations: (m.citations ?? []).map((c) => ({ title: c.title ?? '', ...(c.url ? { url: c.url } : {}) })),
    createdAt: (m.createdAt ?? new Date()).toISOString(),
  };
}

/** A one-line preview for the inbox list. */
export function previewOf(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
