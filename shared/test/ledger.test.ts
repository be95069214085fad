/**
 * The credits ledger against the test database (FerretDB, or MONGODB_URI's MongoDB): concurrent
 * debits never take a balance below zero, an idempotency key lands once, top-ups add up, the
 * verifier catches a broken chain, and the history pages and CSV export read it back.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUri, testServers, uniqueName } from '@sapa/testkit';
import {
  CreditAccountModel,
  CreditLedgerKeyModel,
  CreditLedgerModel,
  IdempotencyKeyConflictError,
  InsufficientCreditsError,
  appendEntry,
  connectDatabase,
  disconnectDatabase,
  duplicateKeyField,
  ensureIndexes,
  entriesCsv,
  getBalance,
  getHead,
  ledgerEntryId,
  listEntries,
  verifyLedger,
  type AppendEntryResult,
} from '../src/index';

const SHARED_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
let uri = '';

const newWorkspace = () => new mongoose.Types.ObjectId().toHexString();
const topUp = (workspaceId: string, amount: number, key = `topup:${uniqueName('pay')}`) =>
  appendEntry({ workspaceId, amount, idempotencyKey: key, kind: 'topup', ref: { paymentId: key } });
const debit = (workspaceId: string, amount: number, key: string, partial = false) =>
  appendEntry({ workspaceId, amount: -amount, idempotencyKey: key, kind: 'usage', partial, ref: { replyId: key } });

async function allEntries(workspaceId: string) {
  return CreditLedgerModel.find({ workspaceId }).sort({ _id: 1 }).lean();
}

async function expectConsistent(workspaceId: string, balance: number) {
  const entries = await allEntries(workspaceId);
  expect(entries.every((e) => e.balanceAfter >= 0)).toBe(true);
  expect(entries.reduce((sum, e) => sum + e.amount, 0)).toBe(balance);
  expect(await getBalance(workspaceId)).toBe(balance);
  const report = await verifyLedger(workspaceId);
  expect(report.problems).toEqual([]);
  expect(report).toMatchObject({ workspaces: 1, entries: entries.length });
}

beforeAll(async () => {
  uri = databaseUri(testServers().mongoUri, uniqueName('sapa_ledger'));
  await connectDatabase(uri);
  await ensureIndexes();
});

afterAll(async () => {
  await mongoose.connection.db?.dropDatabase().catch(() => undefined);
  await disconnectDatabase();
});

describe('appendEntry under concurrency', () => {
  it('100 concurrent debits of 10 on a balance of 500: exactly 50 land, 50 are refused, the balance ends at 0', async () => {
    const ws = newWorkspace();
    await topUp(ws, 500);
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => debit(ws, 10, `usage:full-${ws}-${i}`)));
    const landed = results.filter((r): r is PromiseFulfilledResult<AppendEntryResult> => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(landed).toHaveLength(50);
    expect(landed.every((r) => r.value.entry.amount === -10 && !r.value.duplicate)).toBe(true);
    expect(refused).toHaveLength(50);
    expect(refused.every((r) => r.reason instanceof InsufficientCreditsError && r.reason.balance === 0 && r.reason.requested === 10)).toBe(true);
    await expectConsistent(ws, 0);
    expect(await CreditLedgerModel.countDocuments({ workspaceId: ws })).toBe(51);
  });

  it('with partial, 100 concurrent debits of 10 on 495 take exactly what is left and record the shortfall', async () => {
    const ws = newWorkspace();
    await topUp(ws, 495);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => debit(ws, 10, `usage:partial-${ws}-${i}`, true)));
    // Every reply is on the ledger once, even those that found nothing left.
    expect(results.every((r) => !r.duplicate)).toBe(true);
    const amounts = results.map((r) => r.entry.amount).sort((a, b) => a - b);
    expect(amounts.filter((a) => a === -10)).toHaveLength(49);
    expect(amounts.filter((a) => a === -5)).toHaveLength(1);
    expect(amounts.filter((a) => a === 0)).toHaveLength(50);
    expect(results.reduce((sum, r) => sum + r.entry.shortfall, 0)).toBe(1000 - 495);
    expect(results.every((r) => -r.entry.amount + r.entry.shortfall === 10)).toBe(true);
    await expectConsistent(ws, 0);
    expect(await CreditLedgerModel.countDocuments({ workspaceId: ws })).toBe(101);
  });

  it('debits from several processes at once race through the database and still land exactly once', async () => {
    const ws = newWorkspace();
    await topUp(ws, 300);
    const processes = 3;
    const perProcess = 20;
    const sharedKey = `usage:shared-${ws}`;
    // Each process also sends one shared key, as an activity retried on another worker would.
    const child = (n: number) =>
      runWriter(
        `const outcome = (p) => p.then((r) => (r.duplicate ? 'duplicate' : 'landed'), (err) => err.name);
         const [shared, ...unique] = await Promise.all([
           outcome(ledger.appendEntry({ workspaceId: ${JSON.stringify(ws)}, amount: -10, idempotencyKey: ${JSON.stringify(sharedKey)}, kind: 'usage', partial: true })),
           ...Array.from({ length: ${perProcess} }, (_, j) =>
             outcome(ledger.appendEntry({ workspaceId: ${JSON.stringify(ws)}, amount: -10, idempotencyKey: 'usage:p${n}-' + j, kind: 'usage' }))),
         ]);
         return { shared, unique };`,
      );
    const outcomes = (await startTogether(Array.from({ length: processes }, (_, n) => child(n)))) as { shared: string; unique: string[] }[];

    const sharedEntries = await CreditLedgerModel.find({ idempotencyKey: sharedKey }).lean();
    expect(sharedEntries).toHaveLength(1);
    expect(outcomes.map((o) => o.shared).sort()).toEqual(['landed', ...Array<string>(processes - 1).fill('duplicate')].sort());
    // The shared debit took 10 or (coming last) nothing; the others took 10 each until 300 was gone.
    const landedUnique = (300 + sharedEntries[0]!.amount) / 10;
    const unique = outcomes.flatMap((o) => o.unique);
    expect(unique.filter((o) => o === 'landed')).toHaveLength(landedUnique);
    expect(unique.filter((o) => o === 'InsufficientCreditsError')).toHaveLength(processes * perProcess - landedUnique);
    await expectConsistent(ws, 0);
  });

  it('lands the same idempotency key once, however often and however concurrently it is sent', async () => {
    const ws = newWorkspace();
    await topUp(ws, 100);
    const key = `usage:reply-${ws}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => debit(ws, 30, key)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.entry._id)).size).toBe(1);
    expect(await CreditLedgerModel.countDocuments({ idempotencyKey: key })).toBe(1);

    // Later (a retried activity), after the rest of the balance is gone: still the same entry, no error.
    await debit(ws, 70, `usage:other-${ws}`);
    const retried = await debit(ws, 30, key);
    expect(retried.duplicate).toBe(true);
    expect(retried.entry).toMatchObject({ _id: results[0]!.entry._id, amount: -30, balanceAfter: 70 });
    await expectConsistent(ws, 0);
    // Keys are global (reply and payment ids): another workspace sending the same key is a bug, not a duplicate.
    await expect(debit(newWorkspace(), 30, key)).rejects.toBeInstanceOf(IdempotencyKeyConflictError);

    // A top-up keyed by its payment credits once too.
    const payment = `topup:order-${ws}`;
    const paid = await Promise.all([topUp(ws, 100_000, payment), topUp(ws, 100_000, payment), topUp(ws, 100_000, payment)]);
    expect(paid.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await topUp(ws, 100_000, payment)).duplicate).toBe(true);
    await expectConsistent(ws, 100_000);
  });

  it('50 concurrent top-ups with distinct keys add up to their sum', async () => {
    const ws = newWorkspace();
    const amounts = Array.from({ length: 50 }, (_, i) => 1000 + i * 7);
    const results = await Promise.all(amounts.map((amount, i) => topUp(ws, amount, `topup:many-${ws}-${i}`)));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(results.map((r) => r.entry.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await expectConsistent(ws, amounts.reduce((a, b) => a + b, 0));
  });

  it('finds an entry whose key pointer was never written (a crash between the two inserts)', async () => {
    const ws = newWorkspace();
    await topUp(ws, 50);
    const key = `usage:crashed-${ws}`;
    // What a process that died right after inserting its entry leaves behind: the entry, no pointer, no hint.
    await CreditLedgerModel.create({ _id: ledgerEntryId(ws, 2), workspaceId: ws, seq: 2, amount: -20, balanceAfter: 30, idempotencyKey: key, kind: 'usage' });
    const retried = await debit(ws, 20, key);
    expect(retried).toMatchObject({ duplicate: true, entry: { _id: ledgerEntryId(ws, 2), balanceAfter: 30 } });
    expect(await CreditLedgerKeyModel.findById(key).lean()).toMatchObject({ entryId: ledgerEntryId(ws, 2) });
    // The next append walks past the lagging hint.
    const next = await debit(ws, 5, `usage:after-crash-${ws}`);
    expect(next.entry).toMatchObject({ seq: 3, balanceAfter: 25 });
    await expectConsistent(ws, 25);
  });

  it('refuses bad input and writes nothing', async () => {
    const ws = newWorkspace();
    const bad = [
      { workspaceId: ws, amount: 1.5, idempotencyKey: 'k1', kind: 'topup' as const },
      { workspaceId: ws, amount: 10, idempotencyKey: 'k2', kind: 'usage' as const },
      { workspaceId: ws, amount: -10, idempotencyKey: 'k3', kind: 'topup' as const },
      { workspaceId: 'not-an-id', amount: 10, idempotencyKey: 'k4', kind: 'topup' as const },
      { workspaceId: ws, amount: 10, idempotencyKey: '', kind: 'topup' as const },
      { workspaceId: ws, amount: 10, idempotencyKey: 'k5', kind: 'gift' as never },
    ];
    for (const input of bad) await expect(appendEntry(input)).rejects.toThrow();
    await expect(debit(ws, 1, `usage:empty-${ws}`)).rejects.toBeInstanceOf(InsufficientCreditsError);
    expect(await CreditLedgerModel.countDocuments({ workspaceId: ws })).toBe(0);
    expect(await getHead(ws)).toEqual({ seq: 0, balance: 0 });
  });
});

describe('verifyLedger', () => {
  it('reports a broken chain: wrong balance, gap, negative balance, bad id and a hint past the head', async () => {
    const ws = newWorkspace();
    await topUp(ws, 100, `topup:verify-${ws}`);
    await debit(ws, 40, `usage:verify-${ws}`);
    expect((await verifyLedger(ws)).problems).toEqual([]);

    const raw = (seq: number, amount: number, balanceAfter: number, idempotencyKey: string, id = ledgerEntryId(ws, seq)) =>
      // Straight to the collection: the schema would refuse a negative balance.
      CreditLedgerModel.collection.insertOne({
        _id: id as never,
        workspaceId: new mongoose.Types.ObjectId(ws),
        seq,
        amount,
        balanceAfter,
        idempotencyKey,
        kind: 'adjustment',
        shortfall: 0,
        ref: {},
        createdAt: new Date(),
      });
    await raw(3, 5, 99, `adj:a-${ws}`); // 60 + 5 is not 99
    await raw(5, -200, -101, `adj:b-${ws}`); // seq 4 is missing, and below zero (99 - 200 itself adds up)
    await raw(6, 0, -101, `adj:c-${ws}`, `${ws}:6`); // a malformed _id
    // (A reused idempotency key cannot be planted: the unique index refuses it, as it should.)
    await CreditAccountModel.updateOne({ _id: ws }, { $set: { headSeq: 99 } });

    const report = await verifyLedger(ws);
    expect(report.workspaces).toBe(1);
    expect(report.entries).toBe(5);
    const found = report.problems.map((p) => `${p.kind}@${p.seq ?? '-'}`).sort();
    expect(found).toEqual(['bad_id@6', 'balance_mismatch@3', 'hint_ahead@-', 'negative_balance@5', 'negative_balance@6', 'seq_gap@5'].sort());
    expect(report.problems.every((p) => p.workspaceId === ws && p.message.length > 0)).toBe(true);

    // Checking every workspace finds the same problems, and no others from healthy ledgers.
    const healthy = newWorkspace();
    await topUp(healthy, 10);
    const all = await verifyLedger();
    expect(all.workspaces).toBeGreaterThanOrEqual(2);
    expect(all.problems.filter((p) => p.workspaceId === ws)).toHaveLength(report.problems.length);
    expect(all.problems.filter((p) => p.workspaceId === healthy)).toEqual([]);
  });
});

describe('history and export', () => {
  it('lists entries newest first, page by page', async () => {
    const ws = newWorkspace();
    for (let i = 1; i <= 7; i++) await topUp(ws, i, `topup:page-${ws}-${i}`);
    const first = await listEntries(ws, { limit: 3 });
    expect(first.entries.map((e) => e.seq)).toEqual([7, 6, 5]);
    expect(first.nextBefore).toBe(5);
    const second = await listEntries(ws, { limit: 3, before: first.nextBefore! });
    expect(second.entries.map((e) => e.seq)).toEqual([4, 3, 2]);
    const last = await listEntries(ws, { limit: 3, before: second.nextBefore! });
    expect(last).toMatchObject({ nextBefore: null });
    expect(last.entries.map((e) => [e.seq, e.amount, e.balanceAfter])).toEqual([[1, 1, 1]]);
    expect(await listEntries(newWorkspace(), { limit: 10 })).toEqual({ entries: [], nextBefore: null });
  });

  it('exports RFC 4180 CSV: header, CRLF, quoted fields, integers, Jakarta time, no spreadsheet formulas', async () => {
    const ws = newWorkspace();
    await appendEntry({ workspaceId: ws, amount: 100_000, idempotencyKey: `topup:csv-${ws}`, kind: 'topup', ref: { paymentId: 'ORD-1', note: 'Paket "Starter", Rp150.000' } });
    await appendEntry({
      workspaceId: ws,
      amount: -1234,
      idempotencyKey: `usage:csv-${ws}`,
      kind: 'usage',
      ref: { replyId: 'r1', chatbotId: 'bot', provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 250, note: 'line one\nline two' },
    });
    await appendEntry({ workspaceId: ws, amount: 5, idempotencyKey: `adj:csv-${ws}`, kind: 'adjustment', ref: { note: '=HYPERLINK("http://x")' } });
    await CreditLedgerModel.collection.updateOne({ _id: ledgerEntryId(ws, 1) as never }, { $set: { createdAt: new Date('2025-01-31T17:05:09.123Z') } });

    const csv = await entriesCsv(ws);
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('seq,created_at,kind,amount,balance_after,shortfall,idempotency_key,reply_id,payment_id,chatbot_id,provider,model,input_tokens,output_tokens,note');
    expect(lines[1]).toBe(`1,2025-02-01T00:05:09.123+07:00,topup,100000,100000,0,topup:csv-${ws},,ORD-1,,,,,,"Paket ""Starter"", Rp150.000"`);
    // The line break inside the note stays inside one quoted field (a bare LF, not the record's CRLF).
    expect(lines[2]).toMatch(new RegExp(`^2,\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+07:00,usage,-1234,98766,0,usage:csv-${ws},r1,,bot,openai,gpt-4o-mini,1000,250,"line one\nline two"$`));
    expect(lines[3]).toMatch(/,adjustment,5,98771,0,.*,"'=HYPERLINK\(""http:\/\/x""\)"$/);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
  });
});

describe('duplicateKeyField', () => {
  it('names the index from what MongoDB reports, and admits when FerretDB does not say', () => {
    // MongoDB 4.4+: keyPattern and keyValue on the error.
    expect(duplicateKeyField({ code: 11000, keyPattern: { idempotencyKey: 1 }, keyValue: { idempotencyKey: 'k' } })).toBe('idempotencyKey');
    expect(duplicateKeyField({ code: 11000, errorResponse: { keyPattern: { _id: 1 } } })).toBe('_id');
    // Only the message (MongoDB 4.2+ wording, and the older `db.coll.$index` one).
    expect(duplicateKeyField({ code: 11000, message: 'E11000 duplicate key error collection: sapa.credit_ledger index: idempotencyKey_1 dup key: { idempotencyKey: "k" }' })).toBe('idempotencyKey');
    expect(duplicateKeyField({ code: 11000, message: 'E11000 duplicate key error collection: sapa.credit_ledger index: _id_ dup key: { _id: "x" }' })).toBe('_id');
    expect(duplicateKeyField({ code: 11000, errmsg: 'E11000 duplicate key error index: sapa.memberships.$workspaceId_1_userId_1  dup key: { : 1 }' })).toBe('workspaceId');
    // FerretDB v1 (measured): code 11000, no keyPattern/keyValue, no index in the message.
    expect(duplicateKeyField({ code: 11000, message: 'E11000 duplicate key error collection: sapa.credit_ledger' })).toBeNull();
    expect(duplicateKeyField(new Error('boom'))).toBeUndefined();
    expect(duplicateKeyField(null)).toBeUndefined();
  });

  it('agrees with what the test database reports for a duplicate _id and a duplicate key', async () => {
    const ws = newWorkspace();
    const { entry } = await topUp(ws, 1, `topup:dup-${ws}`);
    const refusal = async (doc: Record<string, unknown>) => {
      try {
        await CreditLedgerModel.create({ workspaceId: ws, seq: 9, amount: 0, balanceAfter: 0, kind: 'adjustment', ...doc });
      } catch (err) {
        return err;
      }
      throw new Error('the database accepted a duplicate');
    };
    const sameId = duplicateKeyField(await refusal({ _id: entry._id, idempotencyKey: `adj:fresh-${ws}` }));
    const sameKey = duplicateKeyField(await refusal({ _id: ledgerEntryId(ws, 9), idempotencyKey: entry.idempotencyKey }));
    // MongoDB names the field; FerretDB v1 names neither, and appendEntry then looks.
    expect([sameId, sameKey]).toSatisfy(([a, b]: unknown[]) => (a === '_id' && b === 'idempotencyKey') || (a === null && b === null));
  });
});

/** Runs `body` (with `ledger` = billing/ledger.ts) in its own Node process against the test database, once told to start. */
function runWriter(body: string): { ready: Promise<void>; start(): void; result: Promise<unknown> } {
  const code = `
    const { connectDatabase, disconnectDatabase } = await import(${JSON.stringify(path.join(SHARED_SRC, 'db.ts'))});
    const ledger = await import(${JSON.stringify(path.join(SHARED_SRC, 'billing/ledger.ts'))});
    await connectDatabase(${JSON.stringify(uri)});
    process.stdout.write('ready\\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    const out = await (async () => { ${body} })();
    await disconnectDatabase();
    process.stdout.write(JSON.stringify(out) + '\\n');
    process.exit(0);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready\n')) markReady();
  });
  const result = new Promise<unknown>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`ledger writer exited with ${code}`));
      resolve(JSON.parse(out.split('\n').filter(Boolean).at(-1)!));
    });
  });
  return { ready, start: () => child.stdin.end('go\n'), result };
}

/** Waits until every writer has loaded and connected, then starts them at once. */
async function startTogether(writers: ReturnType<typeof runWriter>[]): Promise<unknown[]> {
  await Promise.all(writers.map((w) => w.ready));
  for (const w of writers) w.start();
  return Promise.all(writers.map((w) => w.result));
}
