import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const MESSAGE_AUTHORS = ['customer', 'bot', 'agent', 'system'] as const;
export type MessageAuthor = (typeof MESSAGE_AUTHORS)[number];
export const MESSAGE_STATUSES = ['received', 'pending', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const citationSchema = new Schema({ title: String, url: String, excerpt: String }, { _id: false });

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
    type: { type: String, default: 'text' },
    text: { type: String, default: '' },
    citations: { type: [citationSchema], default: [] },
    /** Whether the bot's answer was grounded in the knowledge (false: it said it does not know). */
    grounded: { type: Boolean },
    status: { type: String, enum: MESSAGE_STATUSES, required: true },
    error: { type: String },
  },
  { timestamps: true },
);
messageSchema.index({ channelId: 1, channelMessageId: 1 }, { unique: true });
messageSchema.index({ conversationId: 1, createdAt: 1 });

export type Message = InferSchemaType<typeof messageSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
export const MessageModel = mongoose.model('Message', messageSchema, 'messages');
