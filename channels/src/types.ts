/**
 * What every channel adapter speaks: inbound payloads become `NormalizedInbound`, and replies go
 * out through a `ChannelSender`. The gateway's inbound pipeline and the worker's delivery activity
 * only see these types, never a provider's format.
 */
import type { Channel, Locale } from '@sapa/shared';

export interface NormalizedInbound {
  /** The provider's message id (the widget's client message id): the dedupe key within the channel. */
  channelMessageId: string;
  /** The customer's id on the channel (widget visitor id, phone number, chat id). */
  externalContactId: string;
  contactName?: string;
  type: 'text';
  text: string;
  locale?: Locale;
}

export interface OutboundMessage {
  /** Sapa's id for this outbound message; retries with the same id must not send twice. */
  messageId: string;
  conversationId: string;
  contactExternalId: string;
  text: string;
  citations?: Array<{ title: string; url?: string }>;
}

export interface SendResult {
  status: 'sent' | 'delivered';
  providerMessageId?: string;
}

export interface ChannelSender {
  send(channel: Channel, message: OutboundMessage): Promise<SendResult>;
}
