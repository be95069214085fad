import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const MESSAGE_AUTHORS = ['customer', 'bot', 'agent', 'system'] as const;
export type MessageAuthor = (typeof MESSAGE_AUTHORS)[number];
/** `received` for inbound messages; outbound ones move pending → queued → sent → delivered → read → played, or failed. */
export const MESSAGE_STATUSES = ['received', 'pending', 'queued', 'sent', 'delivered', 'read', 'played', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const citationSchema = new Schema({ title: String, url: String, excerpt: String }, { _id: false });

/** An attachment: fetched from the provider into the media store (inbound) or sent from it (outbound). */
const mediaSchema = new Schema(
  {
    kind: { type: String, required: true },
    /** The provider's handle (WhatsApp media id, Telegram file_id, Baileys message id). */
    providerMediaId: String,
    /** Key in the media store once the bytes are stored. */
    storageKey: String,
    mimeType: String,
    fileName: String,
    size: Number,
    sha256: String,
    voice: Boolean,
    animated: Boolean,
    state: { type: String, enum: ['pending', 'stored', 'too_large', 'failed'], default: 'pending' },
    error: String,
  },
  { _id: false },
);

const messageSchema = new Schema(
  {
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    channelId: { type: Schema.Types.ObjectId, required: true },
    /**
     * The provider's id for inbound messages, Sapa's outbound id for outbound ones. Unique per
     * channel: the key that makes duplicate deliveries and activity retries harmless.
     */
    channelMessageId: { type: String, required: true },
    direction: { type: String, enum: ['inbound', 'outbound'], required: true },
    author: { type: String, enum: MESSAGE_AUTHORS, required: true },
    authorName: { type: String, default: '' },
    agentId: { type: Schema.Types.ObjectId },
    /** What kind of message it is (`text`, `image`, `voice`, `location`, `reaction`, `unsupported`…). */
    type: { type: String, default: 'text' },
    text: { type: String, default: '' },
    media: { type: mediaSchema },
    /** Structured content beyond the text (location, contacts, button reply, reaction…): channels' `InboundDetails`. */
    details: { type: Schema.Types.Mixed },
    /** The provider id of the message this one quotes. */
    replyTo: { type: String },
    /**
     * Outbound: the id the provider gave the sent message (wamid, Telegram message id, Baileys key
     * id). Delivery reports find the message through `provider_messages`, keyed by it.
     */
    providerMessageId: { type: String },
    citations: { type: [citationSchema], default: [] },
    /** Whether the bot's answer was grounded in the knowledge (false: it said it does not know). */
    grounded: { type: Boolean },
    status: { type: String, enum: MESSAGE_STATUSES, required: true },
    statusAt: { type: Date },
    /**
     * Outbound: set by the delivery attempt that is sending it. A concurrent or retried attempt
     * sees the claim and does not send again; a claim older than a send can take is stale (its
     * worker died) and may be taken over.
     */
    sendClaimedAt: { type: Date, default: null },
    /** Why it failed: a reason code (`window_closed`, `channel_auth`, a provider code…) and a readable text. */
    errorCode: { type: String },
    error: { type: String },
  },
  { timestamps: true },
);
messageSchema.index({ channelId: 1, channelMessageId: 1 }, { unique: true });
messageSchema.index({ conversationId: 1, createdAt: 1 });

export type Message = InferSchemaType<typeof messageSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
export const MessageModel = mongoose.model('Message', messageSchema, 'messages');
