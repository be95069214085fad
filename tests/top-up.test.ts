/**
 * QRIS top-ups end to end with Midtrans and Xendit (testkit's fakes through their SDKs): the payment's
 * workflow creates the charge, the gateway verifies notifications and wakes it, the worker asks
 * Midtrans before crediting, and credits land exactly once — with notifications delivered five
 * times, with none at all (polling), with the worker killed mid-way. Forged, unsigned, unknown and
 * wrong-amount notifications change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import {
  CreditLedgerModel,
  NoticeModel,
  PaymentModel,
  WorkspaceModel,
  cancelTopUp,
  getBalance,
  midtransSignature,
  startPurchase,
  verifyLedger,
} from '@sapa/shared';
import { TestStack, waitUntil } from '@sapa/testkit';
import { startFakeMidtrans, startFakeXendit, type FakeMidtrans, type FakeXendit } from '@sapa/testkit/fakes';

const SERVER_KEY = 'SB-Mid-server-sapaTestKey0000000';

describe('QRIS top-up with Midtrans', () => {
  let stack: TestStack;
  let midtrans: FakeMidtrans;
  let ownerId: string;
  const notificationUrl = () => `${stack.gatewayUrl}/v1/payments/midtrans/notification`;

  beforeAll(async () => {
    midtrans = await startFakeMidtrans({ serverKey: SERVER_KEY });
    stack = await TestStack.start({
      worker: 'process',
      env: {
        PAYMENT_PROVIDER: 'midtrans',
        MIDTRANS_SERVER_KEY: SERVER_KEY,
        MIDTRANS_BASE_URL: midtrans.baseUrl,
        PAYMENT_POLL_INTERVAL_MS: '400',
        // A plan month is 30 days: the renewal reminder fires about three seconds after payment.
        PLAN_REMINDER_BEFORE_MS: String(30 * 24 * 60 * 60 * 1000 - 3000),
      },
    });
    ownerId = new mongoose.Types.ObjectId().toHexString();
  });

  afterAll(async () => {
    await stack?.stop();
    await midtrans?.close();
  });

  const ws = () => stack.seed.workspaceId;
  const buyStarter = () => startPurchase(stack.temporal, stack.config, { workspaceId: ws(), userId: ownerId, kind: 'credits', packageId: 'starter' });
  const paymentOf = (orderId: string) => PaymentModel.findById(orderId).lean();
  const waitForStatus = (orderId: string, status: string) =>
    waitUntil(async () => {
      const p = await paymentOf(orderId);
      return p?.status === status ? p : null;
    }, `payment ${orderId} ${status}`, 30_000);
  /** Paid and fulfilled (the status turns paid just before the credits are written). */
  const waitForPaid = (orderId: string, timeoutMs = 30_000) =>
    waitUntil(async () => {
      const p = await paymentOf(orderId);
      return p?.status === 'paid' && p.fulfilledAt ? p : null;
    }, `payment ${orderId} paid and fulfilled`, timeoutMs);
  const topUps = () => CreditLedgerModel.find({ workspaceId: new mongoose.Types.ObjectId(ws()), kind: 'topup' }).lean();

  it('shows a QR, and credits once when Midtrans notifies five times', async () => {
    const before = await getBalance(ws());
    const orderId = await buyStarter();
    const pending = await waitForStatus(orderId, 'pending');
    expect(pending.qrString).toMatch(/^000201/);
    expect(pending.amountIdr).toBe(150_000);
    expect(pending.expiresAt!.getTime()).toBeGreaterThan(Date.now());

    midtrans.notificationUrl = undefined;
    await midtrans.pay(orderId, { notify: { url: notificationUrl(), times: 5 } });
    await waitForPaid(orderId);
    expect(await getBalance(ws())).toBe(before + 100_000);
    // Later notifications (duplicates, out of order) are harmless.
    await midtrans.notify(orderId, { url: notificationUrl(), times: 2, status: 'pending' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await getBalance(ws())).toBe(before + 100_000);
    expect((await topUps()).filter((e) => e.idempotencyKey === `topup:${orderId}`)).toHaveLength(1);
    expect((await verifyLedger(ws())).problems).toEqual([]);
    expect((await paymentOf(orderId))!.notifications).toBeGreaterThanOrEqual(5);
  });

  it('credits by polling when no notification ever comes', async () => {
    const before = await getBalance(ws());
    const orderId = await buyStarter();
    await waitForStatus(orderId, 'pending');
    midtrans.notificationUrl = undefined;
    await midtrans.pay(orderId);
    await waitForPaid(orderId);
    expect(await getBalance(ws())).toBe(before + 100_000);
  });

  it('credits once when the worker is killed while the payment is pending', async () => {
    const before = await getBalance(ws());
    const orderId = await buyStarter();
    await waitForStatus(orderId, 'pending');
    await stack.killWorker();
    await midtrans.pay(orderId, { notify: { url: notificationUrl(), times: 3 } });
    await stack.startWorker();
    // A worker process starting from scratch (bundling the workflows) takes a while on a busy machine.
    await waitForPaid(orderId, 60_000);
    expect(await getBalance(ws())).toBe(before + 100_000);
    expect((await topUps()).filter((e) => e.idempotencyKey === `topup:${orderId}`)).toHaveLength(1);
  });

  it('refuses forged, unsigned and unknown notifications with 4xx, changing nothing', async () => {
    const orderId = await buyStarter();
    await waitForStatus(orderId, 'pending');
    const post = (body: unknown) =>
      fetch(notificationUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const body = midtrans.notificationBody(orderId, 'settlement');
    const forged = await post({ ...body, signature_key: 'f'.repeat(128) });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error).toBeTruthy();
    const { signature_key: _unused, ...unsigned } = body;
    expect((await post(unsigned)).status).toBe(401);
    // Signed correctly, but the amount was changed after signing.
    expect((await post({ ...body, gross_amount: '1500000.00' })).status).toBe(401);
    // Signed with our key but for an order we never made.
    const unknown = { ...body, order_id: 'sapa-unknown-order', signature_key: midtransSignature('sapa-unknown-order', '200', String(body.gross_amount), SERVER_KEY) };
    expect((await post(unknown)).status).toBe(404);
    expect((await post('not json at all')).status).toBeGreaterThanOrEqual(400);
    expect((await paymentOf(orderId))!.status).toBe('pending');
    await cancelTopUp(stack.temporal, orderId);
    await waitForStatus(orderId, 'cancelled');
  });

  it('does not credit a payment whose amount differs, and flags it for the operator', async () => {
    const before = await getBalance(ws());
    const orderId = await buyStarter();
    await waitForStatus(orderId, 'pending');
    await midtrans.pay(orderId, { amount: '15000.00', notify: { url: notificationUrl() } });
    const flagged = await waitForStatus(orderId, 'flagged');
    expect(flagged.flagReason).toMatch(/15000/);
    expect(await getBalance(ws())).toBe(before);
    expect(await NoticeModel.exists({ _id: `payment_flagged:${orderId}` })).toBeTruthy();
  });

  it('buys a month of a plan with QRIS, and reminds the owner before it ends', async () => {
    const orderId = await startPurchase(stack.temporal, stack.config, { workspaceId: ws(), userId: ownerId, kind: 'plan', planId: 'pro' });
    const pending = await waitForStatus(orderId, 'pending');
    expect(pending.amountIdr).toBe(299_000);
    await midtrans.pay(orderId, { notify: { url: notificationUrl() } });
    await waitForPaid(orderId);
    const workspace = await WorkspaceModel.findById(ws()).lean();
    expect(workspace?.plan).toBe('pro');
    const month = 30 * 24 * 60 * 60 * 1000;
    expect(Math.abs(workspace!.planEndsAt!.getTime() - Date.now() - month)).toBeLessThan(60_000);
    // Paying twice for the same order cannot add two months.
    await midtrans.notify(orderId, { url: notificationUrl(), times: 3 });
    await new Promise((r) => setTimeout(r, 800));
    expect((await WorkspaceModel.findById(ws()).lean())!.planEndsAt!.getTime()).toBe(workspace!.planEndsAt!.getTime());
    const reminder = await waitUntil(() => NoticeModel.findOne({ workspaceId: new mongoose.Types.ObjectId(ws()), kind: 'plan_renewal' }).lean(), 'renewal reminder', 30_000);
    expect(reminder.vars).toMatchObject({ plan: 'Pro' });
    expect(await getBalance(ws())).toBeGreaterThanOrEqual(0);
  });

  it('closes an expired QR without crediting; the owner may try again', async () => {
    const before = await getBalance(ws());
    const orderId = await buyStarter();
    await waitForStatus(orderId, 'pending');
    await midtrans.expire(orderId, { url: notificationUrl() });
    await waitForStatus(orderId, 'expired');
    expect(await getBalance(ws())).toBe(before);
    const again = await buyStarter();
    expect(again).not.toBe(orderId);
    await waitForStatus(again, 'pending');
    await cancelTopUp(stack.temporal, again);
    await waitForStatus(again, 'cancelled');
  });
});

describe('QRIS top-up with Xendit', () => {
  let stack: TestStack;
  let xendit: FakeXendit;
  const SECRET = 'xnd_development_sapaTestSecretKey000000000000';
  const TOKEN = 'sapa-test-callback-token-0000';

  beforeAll(async () => {
    xendit = await startFakeXendit({ secretKey: SECRET, callbackToken: TOKEN });
    stack = await TestStack.start({
      env: { PAYMENT_PROVIDER: 'xendit', XENDIT_SECRET_KEY: SECRET, XENDIT_CALLBACK_TOKEN: TOKEN, XENDIT_BASE_URL: xendit.baseUrl, PAYMENT_POLL_INTERVAL_MS: '60000' },
    });
    xendit.callbackUrl = `${stack.gatewayUrl}/v1/payments/xendit/callback`;
  });

  afterAll(async () => {
    await stack?.stop();
    await xendit?.close();
  });

  it('credits once from a callback with the right token; a wrong or missing token gets 401', async () => {
    const ws = stack.seed.workspaceId;
    const orderId = await startPurchase(stack.temporal, stack.config, { workspaceId: ws, userId: new mongoose.Types.ObjectId().toHexString(), kind: 'credits', packageId: 'starter' });
    await waitUntil(async () => (await PaymentModel.findById(orderId).lean())?.status === 'pending', 'pending');
    // Paid, but the only callbacks are forged: nothing may happen (the poll interval is long here).
    const forged = await xendit.pay(orderId, { callback: { token: 'wrong' } });
    expect(forged?.statuses).toEqual([401]);
    expect((await xendit.callback(orderId, { token: 'missing' })).statuses).toEqual([401]);
    await new Promise((r) => setTimeout(r, 800));
    expect((await PaymentModel.findById(orderId).lean())!.status).toBe('pending');
    expect(await getBalance(ws)).toBe(0);

    const delivered = await xendit.callback(orderId, { times: 5 });
    expect(delivered.statuses.every((s) => s === 200)).toBe(true);
    await waitUntil(async () => {
      const p = await PaymentModel.findById(orderId).lean();
      return p?.status === 'paid' && p.fulfilledAt ? p : null;
    }, 'paid', 30_000);
    expect(await getBalance(ws)).toBe(100_000);
    expect((await verifyLedger(ws)).problems).toEqual([]);
  });
});
