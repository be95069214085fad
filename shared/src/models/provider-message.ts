import mongoose, { Schema } from 'mongoose';

/**
 * Which stored message a provider's message id belongs to (a WhatsApp wamid, a WhatsApp Web key
 * id), for delivery reports, which name only the provider's id. The `_id` is
 * `<channelId>:<providerMessageId>`, so a report costs one `_id` lookup: the cheapest query on
 * MongoDB and on FerretDB (which uses no index for other filters), and the messages collection
 * needs no extra index that every insert would pay for.
 */
const earlyReportSchema = new Schema(
  { status: String, at: Date, workspaceId: String, code: String, reason: String },
  { _id: false },
);

const providerMessageSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** Set once the send's result is recorded. */
    messageId: { type: Schema.Types.ObjectId },
    /**
     * Reports that arrived before the send's result was recorded (a fast `sent` can beat the send
     * call's own response); applied when the link is made, so none is lost.
     */
    early: { type: [earlyReportSchema], default: undefined },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

export const providerMessageKey = (channelId: unknown, providerMessageId: string) => `${String(channelId)}:${providerMessageId}`;
export const ProviderMessageModel = mongoose.model('ProviderMessage', providerMessageSchema, 'provider_messages');
