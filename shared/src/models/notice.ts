import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * Something the workspace's owner must know, shown in the dashboard (and mailed): credits running
 * low or out, a plan limit reached, a payment held for the operator, a plan about to end.
 * `_id` is a dedupe key (`low_balance:<ws>:<day>`), so the same alert is raised once.
 */
export const NOTICE_KINDS = ['low_balance', 'credits_exhausted', 'plan_limit', 'payment_flagged', 'plan_renewal', 'payment_paid'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

const noticeSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: NOTICE_KINDS, required: true },
    /** Values for the message's catalog text (`notice.<kind>`). */
    vars: { type: Schema.Types.Mixed, default: {} },
    readAt: { type: Date },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
noticeSchema.index({ workspaceId: 1, createdAt: -1 });

export type Notice = InferSchemaType<typeof noticeSchema>;
export const NoticeModel = mongoose.model('Notice', noticeSchema, 'notices');
