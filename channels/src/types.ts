/**
 * What every channel adapter speaks: inbound payloads become `NormalizedInbound`, delivery reports
 * become `NormalizedStatus`, and replies go out through a `ChannelSender`. The gateway's inbound
 * pipeline and the worker's delivery activity only see these types, never a provider's format.
 */
import type { Channel, Locale } from '@sapa/shared';

/** What a customer can send, on any channel. Anything else arrives as `unsupported`, never dropped. */
export const INBOUND_KINDS = [
  'text',
  'image',
  'audio',
  'voice',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'reaction',
  'order',
  'system',
  'unsupported',
] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

/** A media attachment the provider holds; Sapa fetches the bytes into its media store later. */
export interface InboundMedia {
  /** The provider's handle: a WhatsApp media id, a Telegram file_id, a Baileys message id. */
  providerMediaId: string;
  mimeType?: string;
  fileName?: string;
  sha256?: string;
  size?: number;
  /** Voice note (not a music file), animated sticker. */
  voice?: boolean;
  animated?: boolean;
  /** Set when the adapter stored the bytes itself (WhatsApp Web downloads while it holds the socket). */
  storageKey?: string;
}

export interface InboundLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
}

export interface InboundContactCard {
  name: string;
  phones: string[];
}

/** Everything a message can carry besides its text; stored as the message's `details`. */
export interface InboundDetails {
  location?: InboundLocation;
  contacts?: InboundContactCard[];
  /** A button or list row the customer picked (WhatsApp interactive/template button, Telegram callback). */
  interactive?: { id: string; title: string; description?: string; source: 'button' | 'list' | 'template_button' | 'callback' | 'flow' };
  /** A reaction to an earlier message; `emoji: ''` means the reaction was removed. */
  reaction?: { targetChannelMessageId: string; emoji: string };
  order?: { catalogId?: string; items: Array<{ productId: string; quantity: number; price?: number; currency?: string }> };
  system?: { type: string; newExternalId?: string };
  /** Why a message could not be read (unsupported type, decrypt failure…). */
  unsupported?: { type?: string; reason: string };
  forwarded?: 'forwarded' | 'frequently_forwarded';
  /** Click-to-WhatsApp ad (or similar) the conversation started from. */
  referral?: { sourceUrl?: string; sourceId?: string; sourceType?: string; headline?: string; body?: string };
  /** The id of the message this one edits (Telegram edited messages). */
  editOf?: string;
}

export interface NormalizedInbound {
  /** The provider's message id (the widget's client message id): the dedupe key within the channel. */
  channelMessageId: string;
  /** The customer's id on the channel (widget visitor id, wa_id, Telegram chat id, JID): replies go there. */
  externalContactId: string;
  contactName?: string;
  kind: InboundKind;
  /**
   * A readable rendering for the inbox preview and the bot: the text, a caption, a button title,
   * "📍 name, address"… Empty when the message has no words (a photo without a caption).
   */
  text: string;
  media?: InboundMedia;
  details?: InboundDetails;
  /** The provider id of the message this one quotes. */
  replyTo?: string;
  /** When the provider says the message was sent. */
  sentAt?: Date;
  /**
   * Typed by the business itself (WhatsApp Web `fromMe`, typed on the owner's phone): stored as an
   * agent message and pauses the bot for the conversation.
   */
  fromBusiness?: boolean;
  locale?: Locale;
}

/** Delivery states of an outbound message, in the order they happen; `failed` is terminal. */
export const DELIVERY_STATES = ['pending', 'queued', 'sent', 'delivered', 'read', 'played', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A delivery report from the provider for a message Sapa sent. */
export interface NormalizedStatus {
  /** The provider's id of the outbound message (wamid, Telegram message id, Baileys key id). */
  providerMessageId: string;
  status: Exclude<DeliveryState, 'pending' | 'queued'>;
  at: Date;
  error?: { code: string; reason: string };
}

export interface OutboundMessage {
  /** Sapa's id for this outbound message; retries with the same id must not send twice. */
  messageId: string;
  /** The stored message's database id (senders that report back later update it by this id). */
  storedMessageId: string;
  conversationId: string;
  contactExternalId: string;
  text: string;
  citations?: Array<{ title: string; url?: string }>;
  /** Stored media to send (a key in the media store). */
  media?: { storageKey: string; mimeType: string; fileName?: string; kind: 'image' | 'video' | 'audio' | 'document' | 'sticker' };
  /** Buttons (≤3) or a list, where the channel supports them. */
  buttons?: Array<{ id: string; title: string }>;
  list?: { button: string; sections: Array<{ title: string; rows: Array<{ id: string; title: string; description?: string }> }> };
  /** An approved WhatsApp template: the only thing allowed outside the 24-hour window. */
  template?: { name: string; language: string; bodyParams?: string[] };
  reaction?: { targetChannelMessageId: string; emoji: string };
  /** The provider id of the customer message being answered (quoted reply where supported). */
  replyTo?: string;
}

export interface SendContext {
  /** The last time the customer wrote in this conversation (WhatsApp's 24-hour window). */
  lastCustomerMessageAt?: Date | null;
}

export interface SendResult {
  /** `queued`: handed to a session that sends it (WhatsApp Web pacing); statuses follow. */
  status: 'queued' | 'sent' | 'delivered';
  providerMessageId?: string;
}

/**
 * Why a send failed, by meaning rather than by provider code:
 * - `window_closed`: WhatsApp's 24-hour window is closed; only a template may be sent.
 * - `rate_limited`: back off (`retryAfterMs` if the provider said) and retry.
 * - `auth`: the credentials no longer work; the channel needs re-connecting.
 * - `transient`: a provider hiccup; retry.
 * - `permanent`: will not succeed by retrying; the message is marked failed with the reason.
 */
export type SendErrorKind = 'window_closed' | 'rate_limited' | 'auth' | 'transient' | 'permanent';

export class ChannelSendError extends Error {
  override name = 'ChannelSendError';
  constructor(
    readonly kind: SendErrorKind,
    message: string,
    readonly details: { code?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'transient';
  }
}

export interface ChannelSender {
  /** Send once. Throws `ChannelSendError` (by meaning) when the provider refuses. */
  send(channel: Channel, message: OutboundMessage, context: SendContext): Promise<SendResult>;
  /**
   * Best effort, never throws: mark the customer's message read and show "typing…" while the bot
   * prepares an answer (WhatsApp read receipt + typing indicator, Telegram chat action, WhatsApp
   * Web presence).
   */
  acknowledge?(channel: Channel, target: { contactExternalId: string; channelMessageId: string }): Promise<void>;
}

/** Downloads an inbound media attachment from the provider (worker side). */
export interface FetchedMedia {
  bytes: Buffer;
  mimeType: string;
  fileName?: string;
}
export interface MediaFetcher {
  fetch(channel: Channel, media: InboundMedia, maxBytes: number): Promise<FetchedMedia>;
}
