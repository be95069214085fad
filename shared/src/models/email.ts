import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * Every email Sapa sends, as sent (or, without SMTP, only written here: the development outbox the
 * dashboard shows). `_id` is a dedupe key, so an alert retried by an activity is mailed once.
 */
const emailSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId },
    to: { type: [String], required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    /** outbox: kept here only (no SMTP configured); sent; failed (SMTP refused it). */
    status: { type: String, enum: ['outbox', 'sent', 'failed'], default: 'outbox' },
    error: { type: String },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
emailSchema.index({ workspaceId: 1, createdAt: -1 });

export type Email = InferSchemaType<typeof emailSchema>;
export const EmailModel = mongoose.model('Email', emailSchema, 'emails');
