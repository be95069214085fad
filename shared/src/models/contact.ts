import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const contactSchema = new Schema(
  {
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    channelId: { type: Schema.Types.ObjectId, required: true },
    /** The customer's id on the channel: a widget visitor id, a WhatsApp number, a Telegram chat id. */
    externalId: { type: String, required: true },
    name: { type: String, default: '' },
    locale: { type: String, enum: ['id', 'en'], default: 'id' },
    /**
     * The open conversation new messages go to. Claimed with a conditional update
     * (`{currentConversationId: null}`) so two concurrent first messages agree on one conversation.
     */
    currentConversationId: { type: Schema.Types.ObjectId, default: null },
    lastSeenAt: { type: Date },
    /** The customer blocked the business's bot (Telegram `my_chat_member` kicked); sends would fail. */
    blocked: { type: Boolean, default: false },
    blockedAt: { type: Date },
    /** Other ids of the same person on this channel (WhatsApp Web: LID and phone-number JIDs). */
    aliases: { type: [String], default: [] },
  },
  { timestamps: true },
);
contactSchema.index({ channelId: 1, externalId: 1 }, { unique: true });
contactSchema.index({ workspaceId: 1 });

export type Contact = InferSchemaType<typeof contactSchema> & { _id: mongoose.Types.ObjectId };
export const ContactModel = mongoose.model('Contact', contactSchema, 'contacts');
