import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * A workspace's credit settings and a hint for the ledger. `_id` is the workspace id as a string.
 * The balance is NOT stored here: it is the newest ledger entry's `balanceAfter`. `headSeq` only
 * tells writers where to start looking for the newest entry; it may lag behind, and is only ever
 * raised with `$max` (best effort), so it never points past the real head.
 */
/** The low-balance threshold of a workspace whose owner has not set one (credits). */
export const DEFAULT_LOW_BALANCE_THRESHOLD = 1000;

const creditAccountSchema = new Schema(
  {
    _id: { type: String, required: true },
    headSeq: { type: Number, default: 0, min: 0 },
    /** Below this balance the owner is alerted (a notice and an email, once a day). */
    lowBalanceThreshold: { type: Number, default: DEFAULT_LOW_BALANCE_THRESHOLD, min: 0 },
    updatedAt: { type: Date },
  },
  { versionKey: false },
);

export type CreditAccount = InferSchemaType<typeof creditAccountSchema> & { _id: string };
export const CreditAccountModel = mongoose.model('CreditAccount', creditAccountSchema, 'credit_accounts');
