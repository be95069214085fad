/**
 * The credits ledger: the only writer of `credit_ledger`, and every read of a balance.
 *
 * Each workspace's ledger is a chain `<ws>:000000000001`, `<ws>:000000000002`, …; an entry carries
 * the balance after it, so the balance is the newest entry's `balanceAfter`. Appending inserts the
 * next seq: that insert is the compare-and-set (FerretDB v1 loses concurrent conditional updates of
 * one document, but enforces unique keys on insert), so two writers that read the same head cannot
 * both extend it, and no balance can go below zero. The unique `idempotencyKey` (a reply id, a
 * payment id) makes a retried charge or top-up land once. Nothing here updates or deletes an entry.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { isDuplicateKeyError } from '../errors';
import { CreditAccountModel } from '../models/credit-account';
import { CreditLedgerKeyModel, CreditLedgerModel, LEDGER_KINDS, ledgerEntryId, type LedgerKind } from '../models/credit-ledger';

/** A debit larger than the balance, when the caller did not ask for a partial debit. */
export class InsufficientCreditsError extends Error {
  override name = 'InsufficientCreditsError';
  readonly status = 402;
  readonly code = 'insufficient_credits';
  constructor(
    readonly workspaceId: string,
    readonly balance: number,
    readonly requested: number,
  ) {
    super(`workspace ${workspaceId} has ${balance} credits, ${requested} needed`);
  }
}

/** An idempotency key already used by another workspace: keys must be globally unique (a reply or payment id). */
export class IdempotencyKeyConflictError extends Error {
  override name = 'IdempotencyKeyConflictError';
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key ${idempotencyKey} belongs to another workspace`);
  }
}

/** So many writers raced for the same workspace that this one never got a turn (should not happen). */
export class LedgerContentionError extends Error {
  override name = 'LedgerContentionError';
}

export interface LedgerRef {
  replyId?: string;
  usageId?: string;
  paymentId?: string;
  chatbotId?: string;
  provider?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  note?: string;
}

/** A ledger entry as read back (lean). */
export interface LedgerEntry {
  _id: string;
  workspaceId: string;
  seq: number;
  amount: number;
  balanceAfter: number;
  idempotencyKey: string;
  kind: LedgerKind;
  shortfall: number;
  ref: LedgerRef;
  createdAt: Date;
}

const objectIdHex = z.string().regex(/^[0-9a-f]{24}$/i, 'workspaceId must be an ObjectId');
const workspaceIdInput = z.union([objectIdHex, z.custom<{ toHexString(): string }>((v) => typeof v === 'object' && v !== null && 'toHexString' in v)]).transform((v) => (typeof v === 'string' ? v.toLowerCase() : v.toHexString()));

const refSchema = z
  .object({
    replyId: z.string().max(200).optional(),
    usageId: z.string().max(200).optional(),
    paymentId: z.string().max(200).optional(),
    chatbotId: z.string().max(200).optional(),
    provider: z.string().max(100).optional(),
    model: z.string().max(200).optional(),
    inputTokens: z.number().int().min(0).optional(),
    outputTokens: z.number().int().min(0).optional(),
    note: z.string().max(500).optional(),
  })
  .strict();

const appendEntrySchema = z
  .object({
    workspaceId: workspaceIdInput,
    amount: z.number().int().refine(Number.isSafeInteger, 'amount must be a safe integer'),
    idempotencyKey: z.string().min(1).max(200),
    kind: z.enum(LEDGER_KINDS),
    ref: refSchema.default({}),
    /** A debit larger than the balance takes what is left (and records the shortfall) instead of failing. */
    partial: z.boolean().default(false),
  })
  // Usage only ever takes credits, top-ups/plans/refunds only ever give them; adjustments go either way.
  .refine((e) => (e.kind === 'usage' ? e.amount <= 0 : e.kind === 'adjustment' || e.amount >= 0), {
    message: 'usage entries debit (amount ≤ 0); topup, plan and refund entries credit (amount ≥ 0)',
    path: ['amount'],
  });

export type AppendEntryInput = z.input<typeof appendEntrySchema>;
export interface AppendEntryResult {
  entry: LedgerEntry;
  /** The idempotency key was already in the ledger: `entry` is that earlier entry, nothing was written. */
  duplicate: boolean;
}

/** Attempts at appending before giving up; each lost race means another writer made progress. */
export const LEDGER_MAX_ATTEMPTS = 1000;
/** Random pause after a lost race, so the losers do not all retry in lockstep. */
const BACKOFF_MAX_MS = 10;

/**
 * Appends one entry, exactly once per idempotency key. A debit never takes the balance below
 * zero: it throws `InsufficientCreditsError`, or with `partial` takes what is left (possibly 0) and
 * records the rest as `shortfall`, so the reply is still on the ledger once.
 *
 * Appends from this process to one workspace take turns (see `inTurn`); appends from other
 * processes race through the database, where the unique `_id` decides.
 */
export async function appendEntry(input: AppendEntryInput): Promise<AppendEntryResult> {
  const req = appendEntrySchema.parse(input);
  return inTurn(req.workspaceId, (turn) => appendInTurn(req, turn));
}

async function appendInTurn(req: z.output<typeof appendEntrySchema>, turn: Turn): Promise<AppendEntryResult> {
  const ws = req.workspaceId;
  // A retried call finds its entry at once, whatever the balance is now.
  const earlier = await findByIdempotencyKey(req.idempotencyKey);
  if (earlier) return duplicateOf(earlier, ws);

  let head = turn.head !== undefined ? turn.head : await findHead(ws);
  for (let attempt = 1; attempt <= LEDGER_MAX_ATTEMPTS; attempt++) {
    head = await walkToHead(ws, head);
    turn.head = head;
    const balance = head?.balanceAfter ?? 0;
    let amount = req.amount;
    let shortfall = 0;
    if (balance + amount < 0) {
      if (!req.partial) {
        // The same key may have just landed from another process: that is a duplicate, not a shortage.
        const landed = await findByIdempotencyKey(req.idempotencyKey);
        if (landed) return duplicateOf(landed, ws);
        throw new InsufficientCreditsError(ws, balance, -req.amount);
      }
      shortfall = -(balance + amount);
      amount = -balance;
    }
    const seq = (head?.seq ?? 0) + 1;
    const entry: LedgerEntry = {
      _id: ledgerEntryId(ws, seq),
      workspaceId: ws,
      seq,
      amount,
      balanceAfter: balance + amount,
      idempotencyKey: req.idempotencyKey,
      kind: req.kind,
      shortfall,
      ref: req.ref,
      createdAt: new Date(),
    };
    try {
      await CreditLedgerModel.create(entry);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const lost = await whyRefused(err, entry);
      if (lost.duplicateOf) {
        await writeKeyPointer(lost.duplicateOf);
        return duplicateOf(lost.duplicateOf, ws);
      }
      // Another process took this seq: continue from its entry after a short random pause, so
      // the losers of one round do not all collide again in the next.
      if (lost.occupant) head = lost.occupant;
      await sleep(Math.random() * BACKOFF_MAX_MS);
      continue;
    }
    turn.head = entry;
    await writeKeyPointer(entry);
    await raiseHeadHint(ws, seq);
    return { entry, duplicate: false };
  }
  throw new LedgerContentionError(`could not append to the ledger of ${ws} after ${LEDGER_MAX_ATTEMPTS} attempts`);
}

/** The earlier entry of a repeated idempotency key; another workspace's is a caller's bug, not a duplicate to show. */
function duplicateOf(entry: LedgerEntry, ws: string): AppendEntryResult {
  if (entry.workspaceId !== ws) throw new IdempotencyKeyConflictError(entry.idempotencyKey);
  return { entry, duplicate: true };
}

/** The appends of one workspace waiting in this process, and the newest entry the last one saw. */
interface Turn {
  tail: Promise<void>;
  /** undefined: not known yet (read the hint); null: the ledger is empty. Only a start: always walked on. */
  head?: LedgerEntry | null;
}
const turns = new Map<string, Turn>();

/**
 * Runs `task` after this process's earlier appends to the same workspace. Without this, N
 * concurrent replies of one workspace in one worker would all race for every seq, and on FerretDB
 * (one writer at a time) the losers' retries cost far more than waiting: 100 concurrent debits
 * took ~7 s racing, well under 2 s taking turns. It is only a courtesy among neighbours: the unique
 * `_id` is what makes appends safe, across processes too. The newest entry is passed along, so a
 * busy workspace does not re-read its hint each time.
 */
function inTurn<T>(ws: string, task: (turn: Turn) => Promise<T>): Promise<T> {
  const turn: Turn = turns.get(ws) ?? { tail: Promise.resolve() };
  const run = turn.tail.then(() => task(turn));
  const done = run.then(
    () => undefined,
    (err: unknown) => {
      // After a real failure (database down, contention), the next one starts from the hint again.
      if (!(err instanceof InsufficientCreditsError)) turn.head = undefined;
    },
  );
  turn.tail = done;
  turns.set(ws, turn);
  void done.then(() => {
    if (turn.tail === done) turns.delete(ws);
  });
  return run;
}

/**
 * Why the insert of `entry` hit a unique key: the key was already used (`duplicateOf`: that entry),
 * or another writer took the seq (`occupant`: its entry). MongoDB names the index; FerretDB does
 * not, so then the seq's slot is read: taken by another key means a lost race, empty (or taken by
 * our own key) means the key is the duplicate.
 */
async function whyRefused(err: unknown, entry: LedgerEntry): Promise<{ duplicateOf?: LedgerEntry; occupant?: LedgerEntry }> {
  const field = duplicateKeyField(err);
  if (field !== 'idempotencyKey') {
    const occupant = (await findEntry(entry.workspaceId, entry.seq)) ?? undefined;
    if (occupant?.idempotencyKey === entry.idempotencyKey) return { duplicateOf: occupant };
    if (occupant || field === '_id') return { occupant };
  }
  const landed = await findByIdempotencyKey(entry.idempotencyKey, { scan: true });
  // Not found: the refusal was about something else after all; retrying finds out.
  return landed ? { duplicateOf: landed } : {};
}

/**
 * Which unique key a duplicate-key error (E11000) is about: the first field of the index (`_id`,
 * `idempotencyKey`), or null when the server does not say. MongoDB reports `keyPattern`/`keyValue`
 * and names the index in the message (`… index: idempotencyKey_1 dup key: …`; before 4.2
 * `index: db.coll.$idempotencyKey_1`); FerretDB v1 reports only
 * `E11000 duplicate key error collection: db.coll`, with no index at all. Undefined for other errors.
 */
export function duplicateKeyField(err: unknown): string | null | undefined {
  if (!isDuplicateKeyError(err)) return undefined;
  const e = err as { keyPattern?: unknown; keyValue?: unknown; message?: unknown; errmsg?: unknown; errorResponse?: { keyPattern?: unknown; keyValue?: unknown } };
  for (const keys of [e.keyPattern, e.keyValue, e.errorResponse?.keyPattern, e.errorResponse?.keyValue]) {
    if (typeof keys === 'object' && keys !== null) {
      const first = Object.keys(keys)[0];
      if (first) return first;
    }
  }
  for (const text of [e.message, e.errmsg]) {
    const index = typeof text === 'string' ? /index: (?:\S+\.\$)?(\S+?)\s+dup key/.exec(text)?.[1] : undefined;
    // Index names are `<field>_<direction>[_<field>_<direction>…]`, and `_id_` for the primary key.
    if (index) return index === '_id_' ? '_id' : index.replace(/_(?:-?1|hashed|text|2dsphere)(?:_.*)?$/, '');
  }
  return null;
}

/**
 * The entry of an idempotency key, through its pointer (an `_id` lookup). `scan` also searches the
 * ledger itself, for an entry whose pointer was never written: only after a unique-key refusal,
 * since on FerretDB that query reads the whole collection.
 */
async function findByIdempotencyKey(key: string, opts: { scan?: boolean } = {}): Promise<LedgerEntry | null> {
  const pointer = await CreditLedgerKeyModel.findById(key).lean();
  if (pointer) {
    const entry = toEntry(await CreditLedgerModel.findById(pointer.entryId).lean());
    if (entry) return entry;
  }
  return opts.scan ? toEntry(await CreditLedgerModel.findOne({ idempotencyKey: key }).lean()) : null;
}

/**
 * Best effort, after the entry is durable (the charge happened, so the caller must hear success): a
 * duplicate means a concurrent duplicate of this call wrote the same pointer; a failed write only
 * means a later retry finds the entry the slow way.
 */
async function writeKeyPointer(entry: LedgerEntry): Promise<void> {
  await CreditLedgerKeyModel.create({ _id: entry.idempotencyKey, entryId: entry._id, workspaceId: entry.workspaceId }).catch(() => undefined);
}

async function findEntry(ws: string, seq: number): Promise<LedgerEntry | null> {
  return toEntry(await CreditLedgerModel.findById(ledgerEntryId(ws, seq)).lean());
}

/** Lower and upper `_id` bounds of a workspace's chain (`:` < digits < `;`). */
function idRange(ws: string) {
  return { $gt: `${ws}:`, $lt: `${ws};` };
}

/**
 * The newest entry as far as the hint knows (then `walkToHead` finds the true head). Only `_id`
 * lookups on the way, since FerretDB v1 serves nothing else from an index. A ledger without its
 * account (or a hint pointing nowhere) is read once by `_id` order instead.
 */
async function findHead(ws: string): Promise<LedgerEntry | null> {
  const account = await CreditAccountModel.findById(ws, { headSeq: 1 }).lean();
  const hint = account?.headSeq ?? 0;
  const start = await findEntry(ws, Math.max(hint, 1));
  // No hint and no first entry: a new ledger. The hint's entry found: walk on from there.
  if (hint === 0 ? !start : start) return start;
  const newest = await CreditLedgerModel.find({ _id: idRange(ws), workspaceId: ws }).sort({ _id: -1 }).limit(1).lean();
  return toEntry(newest[0] ?? null);
}

/** Follows the chain forward from `from` (null: before the first entry) to the newest entry. */
async function walkToHead(ws: string, from: LedgerEntry | null): Promise<LedgerEntry | null> {
  let head = from;
  for (;;) {
    const next = await findEntry(ws, (head?.seq ?? 0) + 1);
    if (!next) return head;
    head = next;
  }
}

/**
 * Best effort, after the entry is durable: a lost update (FerretDB), a race to create the account
 * (duplicate `_id`) or a failed write only makes the next writer walk a little further.
 */
async function raiseHeadHint(ws: string, seq: number): Promise<void> {
  await CreditAccountModel.updateOne({ _id: ws }, { $max: { headSeq: seq }, $set: { updatedAt: new Date() } }, { upsert: true }).catch(() => undefined);
}

/** The newest entry's seq and balance (0 and 0 before the first entry). */
export async function getHead(workspaceId: string | { toHexString(): string }): Promise<{ seq: number; balance: number }> {
  const ws = workspaceIdInput.parse(workspaceId);
  const head = await walkToHead(ws, await findHead(ws));
  return { seq: head?.seq ?? 0, balance: head?.balanceAfter ?? 0 };
}

/** A workspace's credits: its newest entry's `balanceAfter`, 0 with no entries. */
export async function getBalance(workspaceId: string | { toHexString(): string }): Promise<number> {
  return (await getHead(workspaceId)).balance;
}

export type LedgerProblemKind =
  | 'bad_id'
  | 'seq_gap'
  | 'not_integer'
  | 'balance_mismatch'
  | 'negative_balance'
  | 'negative_shortfall'
  | 'duplicate_key'
  | 'bad_key_pointer'
  | 'hint_ahead';

export interface LedgerProblem {
  workspaceId: string;
  kind: LedgerProblemKind;
  entryId?: string;
  seq?: number;
  message: string;
}

export interface LedgerReport {
  workspaces: number;
  entries: number;
  problems: LedgerProblem[];
}

/**
 * Checks one workspace's ledger, or every workspace's: seqs 1..n with no gap, `_id` matching
 * workspace and seq, each `balanceAfter` = the previous one + `amount`, never negative,
 * idempotency keys unique and their pointers right, the hint not past the head. One pass in `_id`
 * order (a workspace's entries are contiguous in it); keeps one small state per workspace and the
 * keys seen.
 */
export async function verifyLedger(workspaceId?: string | { toHexString(): string }): Promise<LedgerReport> {
  const only = workspaceId === undefined ? undefined : workspaceIdInput.parse(workspaceId);
  const scope = only ? { workspaceId: only } : {};
  const problems: LedgerProblem[] = [];
  const heads = new Map<string, { seq: number; balance: number }>();
  const keys = new Map<string, string>();
  let entries = 0;

  for await (const raw of CreditLedgerModel.find(scope).sort({ _id: 1 }).lean().cursor()) {
    const entry = toEntry(raw)!;
    const ws = entry.workspaceId;
    const problem = (kind: LedgerProblemKind, message: string) => problems.push({ workspaceId: ws, kind, entryId: entry._id, seq: entry.seq, message });
    entries++;
    const prev = heads.get(ws) ?? { seq: 0, balance: 0 };
    if (![entry.seq, entry.amount, entry.balanceAfter, entry.shortfall].every(Number.isSafeInteger)) {
      problem('not_integer', 'seq, amount, balanceAfter and shortfall must be integers');
      heads.set(ws, { seq: prev.seq + 1, balance: Number(entry.balanceAfter) || 0 });
      continue;
    }
    if (entry._id !== ledgerEntryId(ws, entry.seq)) problem('bad_id', `_id should be ${ledgerEntryId(ws, entry.seq)}`);
    if (entry.seq !== prev.seq + 1) problem('seq_gap', `seq ${entry.seq} follows seq ${prev.seq}`);
    if (entry.balanceAfter !== prev.balance + entry.amount) {
      problem('balance_mismatch', `balanceAfter ${entry.balanceAfter} ≠ ${prev.balance} + ${entry.amount}`);
    }
    if (entry.balanceAfter < 0) problem('negative_balance', `balanceAfter ${entry.balanceAfter} is below zero`);
    if (entry.shortfall < 0) problem('negative_shortfall', `shortfall ${entry.shortfall} is below zero`);
    const owner = keys.get(entry.idempotencyKey);
    if (owner) problem('duplicate_key', `idempotency key ${entry.idempotencyKey} is also on ${owner}`);
    else keys.set(entry.idempotencyKey, entry._id);
    heads.set(ws, { seq: entry.seq, balance: entry.balanceAfter });
  }

  for await (const pointer of CreditLedgerKeyModel.find(scope).lean().cursor()) {
    const target = keys.get(String(pointer._id));
    if (target !== undefined && target !== pointer.entryId) {
      problems.push({ workspaceId: String(pointer.workspaceId), kind: 'bad_key_pointer', entryId: pointer.entryId, message: `key ${String(pointer._id)} points at ${pointer.entryId}, its entry is ${target}` });
    }
  }

  const accounts = await CreditAccountModel.find(only ? { _id: only } : {}, { headSeq: 1 }).lean();
  for (const account of accounts) {
    const ws = String(account._id);
    const headSeq = heads.get(ws)?.seq ?? 0;
    if ((account.headSeq ?? 0) > headSeq) {
      problems.push({ workspaceId: ws, kind: 'hint_ahead', message: `headSeq ${account.headSeq} is past the newest entry (seq ${headSeq})` });
    }
  }
  const workspaces = new Set([...heads.keys(), ...accounts.map((a) => String(a._id)), ...(only ? [only] : [])]).size;
  return { workspaces, entries, problems };
}

export interface LedgerPage {
  /** Newest first. */
  entries: LedgerEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null;
}

/**
 * A page of history for the dashboard, newest first: entries with seq < `before` (default: all).
 * Seqs have no gaps, so a page is a list of `_id` lookups (FerretDB answers those from its index;
 * a sorted range query would read the whole collection there).
 */
export async function listEntries(
  workspaceId: string | { toHexString(): string },
  opts: { before?: number; limit: number },
): Promise<LedgerPage> {
  const ws = workspaceIdInput.parse(workspaceId);
  const { before, limit } = z
    .object({ before: z.number().int().min(1).optional(), limit: z.number().int().min(1).max(200) })
    .parse(opts);
  const head = await getHead(ws);
  const top = Math.min(head.seq, (before ?? Number.MAX_SAFE_INTEGER) - 1);
  if (top < 1) return { entries: [], nextBefore: null };
  const bottom = Math.max(1, top - limit + 1);
  const seqs = Array.from({ length: top - bottom + 1 }, (_, i) => top - i);
  const found = await Promise.all(seqs.map((seq) => findEntry(ws, seq)));
  return { entries: found.filter((e): e is LedgerEntry => e !== null), nextBefore: bottom > 1 ? bottom : null };
}

const CSV_COLUMNS = [
  'seq',
  'created_at',
  'kind',
  'amount',
  'balance_after',
  'shortfall',
  'idempotency_key',
  'reply_id',
  'payment_id',
  'chatbot_id',
  'provider',
  'model',
  'input_tokens',
  'output_tokens',
  'note',
] as const;

/**
 * The whole ledger as CSV (RFC 4180: CRLF line ends, fields with `"`, `,` or line breaks quoted,
 * quotes doubled), oldest first, times in Jakarta time (`+07:00`), amounts as plain integers.
 * Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`.
 */
export async function entriesCsv(workspaceId: string | { toHexString(): string }): Promise<string> {
  const ws = workspaceIdInput.parse(workspaceId);
  const lines = [CSV_COLUMNS.join(',')];
  const cursor = CreditLedgerModel.find({ workspaceId: ws }).sort({ _id: 1 }).lean().cursor();
  for await (const raw of cursor) lines.push(csvRow(toEntry(raw)!));
  return `${lines.join('\r\n')}\r\n`;
}

/** One ledger entry as a CSV line (no line end). */
function csvRow(entry: LedgerEntry): string {
  const r = entry.ref ?? {};
  const text = (v: string | undefined) => csvField(neutralizeFormula(v ?? ''));
  const int = (v: number | undefined) => (v === undefined ? '' : String(Math.trunc(v)));
  return [
    int(entry.seq),
    jakartaIso(entry.createdAt),
    text(entry.kind),
    int(entry.amount),
    int(entry.balanceAfter),
    int(entry.shortfall ?? 0),
    text(entry.idempotencyKey),
    text(r.replyId),
    text(r.paymentId),
    text(r.chatbotId),
    text(r.provider),
    text(r.model),
    int(r.inputTokens),
    int(r.outputTokens),
    text(r.note),
  ].join(',');
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** ISO 8601 in Asia/Jakarta (UTC+7 all year, no daylight saving): `2025-01-31T17:05:00.000+07:00`. */
function jakartaIso(date: Date): string {
  return new Date(date.getTime() + 7 * 3600_000).toISOString().replace('Z', '+07:00');
}

function toEntry(doc: unknown): LedgerEntry | null {
  if (!doc) return null;
  const d = doc as Omit<LedgerEntry, 'workspaceId'> & { workspaceId: unknown };
  return { ...d, workspaceId: String(d.workspaceId), shortfall: d.shortfall ?? 0, ref: d.ref ?? {} };
}

