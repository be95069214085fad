import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * The credits ledger: append-only, one chain of entries per workspace. `_id` is
 * `<workspaceId>:<seq zero-padded to 12>`, so `_id` order is seq order and inserting the next seq is
 * the compare-and-set: of two writers that read the same head, the unique `_id` lets one win (a
 * conditional `$inc` on one balance document loses updates on FerretDB v1; a unique insert does
 * not). `idempotencyKey` is unique too, so a retried reply or payment is charged or credited once.
 * The app never updates or deletes an entry (billing/ledger.ts is the only writer).
 */
export const LEDGER_KINDS = ['topup', 'usage', 'adjustment', 'plan', 'refund'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** Digits of the seq in `_id`: enough for a trillion entries per workspace, and sorts as text. */
export const LEDGER_SEQ_DIGITS = 12;

export function ledgerEntryId(workspaceId: string, seq: number): string {
  return `${workspaceId}:${String(seq).padStart(LEDGER_SEQ_DIGITS, '0')}`;
}

const ledgerRefSchema = new Schema(
  {
    replyId: String,
    usageId: String,
    paymentId: String,
    chatbotId: String,
    provider: String,
    model: String,
    inputTokens: Number,
    outputTokens: Number,
    note: String,
  },
  { _id: false },
);

const int = (min?: number) => ({
  type: Number,
  required: true,
  validate: { validator: Number.isSafeInteger, message: '{PATH} must be an integer' },
  ...(min === undefined ? {} : { min }),
});

const creditLedgerSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    seq: int(1),
    /** + credit, − debit (0 for a usage that found nothing left to deduct). */
    amount: int(),
    balanceAfter: int(0),
    idempotencyKey: { type: String, required: true },
    kind: { type: String, enum: LEDGER_KINDS, required: true },
    /** Credits a debit wanted but the balance did not have (partial debits only). */
    shortfall: { ...int(0), default: 0 },
    ref: { type: ledgerRefSchema, default: {} },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
creditLedgerSchema.index({ idempotencyKey: 1 }, { unique: true });
// No other index: a workspace's history is an `_id` range (`<ws>:` … `<ws>;`), read in `_id` order.

export type CreditLedgerEntry = InferSchemaType<typeof creditLedgerSchema> & { _id: string };
export const CreditLedgerModel = mongoose.model('CreditLedger', creditLedgerSchema, 'credit_ledger');

/**
 * Where the entry of an idempotency key is: `_id` = the key, written right after the entry. FerretDB
 * v1 answers only `_id` lookups from an index (a filter on `idempotencyKey` scans the whole
 * collection), so the hot path asks this collection instead. The entry's unique `idempotencyKey`
 * stays the guarantee; a missing pointer (a crash between the two inserts) is found the slow way and
 * written then. Insert-only, like the ledger.
 */
const ledgerKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    entryId: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false },
);

export const CreditLedgerKeyModel = mongoose.model('CreditLedgerKey', ledgerKeySchema, 'credit_ledger_keys');
