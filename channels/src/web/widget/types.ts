/**
 * The shapes of the widget API (docs/widget-api.md) as the browser sees them. Kept free of any
 * server import so the bundle stays small and never drags Node code into the page.
 */
export type Author = 'customer' | 'bot' | 'agent' | 'system';
export type ConversationMode = 'bot' | 'waiting_for_agent' | 'agent' | 'closed';

export interface Citation {
  title: string;
  url?: string;
}

export interface WidgetMessage {
  id: string;
  clientMessageId?: string;
  author: Author;
  authorName: string;
  text: string;
  citations: Citation[];
  createdAt: string;
}

export interface WidgetConfig {
  chatbot: { name: string; language: string; greeting: string };
  limits: { maxMessageChars: number };
}

/** What the visitor keeps between page loads; the token is the server's proof of the id. */
export interface VisitorIdentity {
  visitorId: string;
  token: string;
}

export interface WidgetSession extends VisitorIdentity {
  /** Both null until the visitor's first message opens a conversation. */
  conversationId: string | null;
  mode: ConversationMode | null;
  messages: WidgetMessage[];
  lastEventId: number;
}

export interface SendResult {
  messageId: string;
  conversationId: string;
  duplicate: boolean;
}

export { WIDGET_EVENT_TYPES as STREAM_EVENT_TYPES, type WidgetEventType as StreamEventType } from '@sapa/shared/realtime/event-types';

export interface StreamEventData {
  conversationId?: string;
  message?: WidgetMessage;
  mode?: ConversationMode;
  agentName?: string;
}
