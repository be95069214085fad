import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * A workspace's credit settings and a hint for the ledger. `_id` is the workspace id as a string.
 * The balance is NOT stored here: it is the newest ledger entry's `balanceAfter`. `headSeq` only
 * tells writers where to start looking for the newest entry; it may lag behind, and is only ever
 * raised with `$max` (best effort), so it never points past the real head.
 */
const creditAccountSchema = new Schema(
  {
    _id: { type: String, required: true },
    headSeq: { type: Number, default: 0, min: 0 },
    /** Below this balance the owner is alerted (once per crossing, see `lowBalanceAlertedAt`). */
    lowBalanceThreshold: { type: Number, default: 1000, min: 0 },
    lowBalanceAlertedAt: { type: Date },
    updatedAt: { type: Date },
  },
  { versionKey: false },
);

export type CreditAccount = InferSchemaType<typeof creditAccountSchema> & { _id: string };
export const CreditAccountModel = mongoose.model('CreditAccount', creditAccountSchema, 'credit_accounts');
