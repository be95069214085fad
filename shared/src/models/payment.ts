import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * One QRIS payment: a credit package or a month of a plan. `_id` is our order id (what the
 * provider knows it by), so a notification finds it with one `_id` lookup. The top-up workflow
 * (`payment/<orderId>`) is its only writer after creation.
 */
export const PAYMENT_STATUSES = ['created', 'pending', 'paid', 'expired', 'cancelled', 'failed', 'flagged'] as const;
export type PaymentStatusValue = (typeof PAYMENT_STATUSES)[number];

const paymentSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    provider: { type: String, enum: ['midtrans', 'xendit'], required: true },
    purpose: { type: String, enum: ['credits', 'plan'], required: true },
    /** credits: the package bought; plan: the plan and how many months. */
    packageId: { type: String },
    planId: { type: String },
    credits: { type: Number, default: 0 },
    amountIdr: { type: Number, required: true },
    status: { type: String, enum: PAYMENT_STATUSES, default: 'created' },
    qrString: { type: String },
    expiresAt: { type: Date },
    /** The provider's id of the charge (Midtrans transaction_id, Xendit payment request id). */
    providerRef: { type: String },
    paidAt: { type: Date },
    /** When the credits or the plan month were granted (once: the ledger key is the order id). */
    fulfilledAt: { type: Date },
    /** Why a paid notification was not honoured (amount or currency mismatch): for the operator. */
    flagReason: { type: String },
    notifications: { type: Number, default: 0 },
    createdBy: { type: Schema.Types.ObjectId },
  },
  { timestamps: true, versionKey: false },
);
paymentSchema.index({ workspaceId: 1, createdAt: -1 });

export type Payment = InferSchemaType<typeof paymentSchema>;
export const PaymentModel = mongoose.model('Payment', paymentSchema, 'payments');
