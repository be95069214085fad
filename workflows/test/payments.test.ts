/**
 * The QRIS payment adapters through their real SDKs (midtrans-client, xendit-node) against the
 * testkit's wire-faithful fakes: charges (amount, QRIS payload, expiry, what went over the wire),
 * pending → paid, cancel and expire (and the races with a payment), auth / duplicate / unknown
 * order errors; and the notification verifiers the gateway uses: Midtrans' published signature
 * vector, tampering, amount formatting, Xendit callback tokens, and the fakes' own notifications.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import QRCode from 'qrcode';
import { PaymentRequest as XenditPaymentRequestApi } from 'xendit-node';
import { buildQrisPayload, checkQrisPayload, crc16Ccitt, startFakeMidtrans, startFakeXendit, type FakeMidtrans, type FakeXendit } from '@sapa/testkit/fakes';
import { waitUntil } from '@sapa/testkit/wait';
import { ConfigError, loadConfig } from '@sapa/shared/config';
import {
  midtransPaymentState,
  midtransSignature,
  parseIdrAmount,
  verifyMidtransNotification,
  verifyXenditCallback,
} from '@sapa/shared/payments/notifications';
import { PaymentProviderError, type QrisChargeRequest, type QrisProvider } from '@sapa/shared/payments/types';
import { createMidtransProvider, createPaymentProvider, createXenditProvider } from '../src/payments';

const MIDTRANS_KEY = 'SB-Mid-server-SapaTestKey0123456789';
const XENDIT_KEY = 'xnd_development_SapaTestKey0123456789';
const XENDIT_TOKEN = 'sapa-xendit-callback-token-0123456789';

/** A notification receiver standing in for the gateway: records what arrives, answers `answer`. */
interface Received {
  headers: http.IncomingHttpHeaders;
  body: unknown;
}
async function startReceiver(): Promise<{ url: string; received: Received[]; answer: number; close(): Promise<void> }> {
  const state = { received: [] as Received[], answer: 200 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      res.writeHead(state.answer, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/payments/notify`,
    get received() {
      return state.received;
    },
    get answer() {
      return state.answer;
    },
    set answer(value: number) {
      state.answer = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let orderSeq = 0;
function charge(overrides: Partial<QrisChargeRequest> = {}): QrisChargeRequest {
  orderSeq += 1;
  return {
    orderId: `topup-${Date.now().toString(36)}-${orderSeq}`,
    amountIdr: 50_000,
    expiresAt: new Date(Date.now() + 15 * 60_000),
    description: 'Kredit AI Sapa 50.000',
    metadata: { workspaceId: 'ws-42' },
    ...overrides,
  };
}

/** The PaymentProviderError a call fails with. */
async function failure(call: Promise<unknown>): Promise<PaymentProviderError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(PaymentProviderError);
    return error as PaymentProviderError;
  }
  throw new Error('expected the call to fail');
}

async function expectValidQris(qrString: string, amountIdr: number): Promise<void> {
  const check = checkQrisPayload(qrString);
  expect(check, check.ok ? '' : check.error).toMatchObject({ ok: true, amount: String(amountIdr) });
  // It also has to fit in a QR code the dashboard can draw.
  expect(await QRCode.toString(qrString, { type: 'svg' })).toContain('<svg');
}

describe('QRIS payload check', () => {
  it('computes CRC-16/CCITT-FALSE and refuses a payload whose CRC or layout is wrong', () => {
    expect(crc16Ccitt('123456789')).toBe('29B1'); // the algorithm's check value
    const payload = buildQrisPayload({ amountIdr: 50_000, referenceLabel: 'ref-1', acquirerId: 'ID.CO.TEST.WWW' });
    expect(payload.slice(-8, -4)).toBe('6304');
    expect(payload.slice(-4)).toBe(crc16Ccitt(payload.slice(0, -4)));
    expect(checkQrisPayload(payload)).toMatchObject({ ok: true, amount: '50000' });
    expect(checkQrisPayload(`${payload.slice(0, -1)}${payload.endsWith('0') ? '1' : '0'}`)).toMatchObject({ ok: false });
    expect(checkQrisPayload(payload.replace('5303360', '5303840'))).toMatchObject({ ok: false });
  });
});

describe('Midtrans notification verification', () => {
  // The notification in midtrans-nodejs-client examples/expressApp/README.md, signed with that repo's sandbox key.
  const SANDBOX_KEY = 'SB-Mid-server-GwUP_WGbJPXsDzsNEBRs8IYA';
  const known = {
    transaction_time: '2018-11-05 12:16:53',
    transaction_status: 'capture',
    transaction_id: '9a83774c-b56b-4724-acf2-c35d73834a36',
    status_message: 'midtrans payment notification',
    status_code: '200',
    signature_key:
      'd302bfcb2db008f17343e4c3b56cb20a0b22d0951ede6a7cdbfcd31f4a5d0d89d0a5230c333dd2fc5803cfbe8567ad146fb3c574d4050a87b4d81661e5d870de',
    payment_type: 'credit_card',
    order_id: 'order-id-node-1541395013',
    masked_card: '481111-1114',
    gross_amount: '200000.00',
    fraud_status: 'accept',
    eci: '05',
    channel_response_message: 'Approved',
    channel_response_code: '00',
    card_type: 'credit',
    bank: 'mandiri',
    approval_code: '1541395013424',
  };

  it('verifies the published sample notification and reads it', () => {
    expect(midtransSignature('order-id-node-1541395013', '200', '200000.00', SANDBOX_KEY)).toBe(known.signature_key);
    expect(verifyMidtransNotification(known, SANDBOX_KEY)).toEqual({
      ok: true,
      orderId: 'order-id-node-1541395013',
      transactionId: '9a83774c-b56b-4724-acf2-c35d73834a36',
      state: 'paid',
      grossAmount: '200000.00',
      amountIdr: 200_000,
      currency: 'IDR',
      statusCode: '200',
      transactionStatus: 'capture',
      fraudStatus: 'accept',
      paymentType: 'credit_card',
    });
  });

  it('refuses a changed amount, status code or signature, another key, and a malformed body', () => {
    expect(verifyMidtransNotification({ ...known, gross_amount: '200001.00' }, SANDBOX_KEY)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(verifyMidtransNotification({ ...known, gross_amount: '200000' }, SANDBOX_KEY)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(verifyMidtransNotification({ ...known, status_code: '201' }, SANDBOX_KEY)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(verifyMidtransNotification({ ...known, signature_key: `0${known.signature_key.slice(1)}` }, SANDBOX_KEY)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(verifyMidtransNotification(known, MIDTRANS_KEY)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(verifyMidtransNotification(known, '')).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(verifyMidtransNotification({ ...known, gross_amount: 200000 }, SANDBOX_KEY)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyMidtransNotification('order-id-node-1541395013', SANDBOX_KEY)).toMatchObject({ ok: false, reason: 'malformed' });
    // The status is not signed: a forged "settlement" on a real signature still verifies, which is
    // why the workflow asks the status API before crediting.
    expect(verifyMidtransNotification({ ...known, transaction_status: 'settlement' }, SANDBOX_KEY)).toMatchObject({ ok: true, state: 'paid' });
  });

  it('signs the amount exactly as written: "100000" and "100000.00" differ', () => {
    const a = midtransSignature('qris-01', '200', '100000', MIDTRANS_KEY);
    const b = midtransSignature('qris-01', '200', '100000.00', MIDTRANS_KEY);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{128}$/);
  });

  it('maps transaction and fraud status to a payment state', () => {
    expect(midtransPaymentState('settlement')).toBe('paid');
    expect(midtransPaymentState('settlement', 'accept')).toBe('paid');
    expect(midtransPaymentState('settlement', 'deny')).toBe('failed');
    expect(midtransPaymentState('capture', 'accept')).toBe('paid');
    expect(midtransPaymentState('capture', 'challenge')).toBe('pending');
    expect(midtransPaymentState('capture', 'deny')).toBe('failed');
    expect(midtransPaymentState('pending', 'accept')).toBe('pending');
    expect(midtransPaymentState('deny')).toBe('failed');
    expect(midtransPaymentState('expire')).toBe('expired');
    expect(midtransPaymentState('cancel')).toBe('cancelled');
    expect(midtransPaymentState('partial_refund')).toBe('refunded');
    expect(midtransPaymentState('chargeback')).toBe('refunded');
    expect(midtransPaymentState('something_new')).toBe('unknown');
  });

  it('reads rupiah amounts only when they are whole', () => {
    expect(parseIdrAmount('50000.00')).toBe(50_000);
    expect(parseIdrAmount('50000')).toBe(50_000);
    expect(parseIdrAmount('50000.50')).toBeNull();
    expect(parseIdrAmount('-1')).toBeNull();
    expect(parseIdrAmount('5e4')).toBeNull();
  });
});

describe('Midtrans adapter against the fake', () => {
  let fake: FakeMidtrans;
  let provider: QrisProvider;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    fake = await startFakeMidtrans({ serverKey: MIDTRANS_KEY });
    receiver = await startReceiver();
    fake.notificationUrl = receiver.url;
    provider = createMidtransProvider({ serverKey: MIDTRANS_KEY, baseUrl: fake.baseUrl, isProduction: false });
  });
  afterAll(async () => {
    await fake?.close();
    await receiver?.close();
  });

  it('creates a QRIS charge: amount, a valid QRIS payload, the expiry, and what went over the wire', async () => {
    const request = charge();
    const created = await provider.createQris(request);
    expect(created).toMatchObject({ provider: 'midtrans', orderId: request.orderId, amountIdr: 50_000 });
    expect(created.providerRef).toMatch(/^[0-9a-f-]{36}$/);
    await expectValidQris(created.qrString, 50_000);
    // Midtrans works in whole seconds of WIB time.
    expect(Math.abs(created.expiresAt.getTime() - request.expiresAt.getTime())).toBeLessThan(1000);

    const sent = fake.requests.find((r) => r.path === '/v2/charge' && r.idempotencyKey === request.orderId);
    expect(sent).toMatchObject({ method: 'POST', status: 200, authorized: true, userAgent: 'midtransclient-nodejs/1.4.3' });
    expect(sent?.body).toMatchObject({
      payment_type: 'qris',
      transaction_details: { order_id: request.orderId, gross_amount: 50_000 },
      qris: { acquirer: 'gopay' },
      custom_expiry: { unit: 'second' },
      item_details: [{ price: 50_000, quantity: 1, name: 'Kredit AI Sapa 50.000' }],
      custom_field1: JSON.stringify({ workspaceId: 'ws-42' }),
    });
    const raw = created.raw as { gross_amount: string; actions: { url: string }[]; expiry_time: string };
    expect(raw.gross_amount).toBe('50000.00');
    expect(raw.expiry_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const image = await fetch(raw.actions[0]!.url);
    expect(image.headers.get('content-type')).toBe('image/png');
  });

  it('does not touch midtrans-client\'s process-wide base URLs', () => {
    const ApiConfig = createRequire(import.meta.url)('midtrans-client/lib/apiConfig') as { CORE_SANDBOX_BASE_URL: string };
    expect(ApiConfig.CORE_SANDBOX_BASE_URL).toBe('https://api.sandbox.midtrans.com');
  });

  it('reports pending, then paid after the payer pays, and the signed notification verifies', async () => {
    const created = await provider.createQris(charge());
    expect(await provider.getStatus(created.orderId, created.providerRef)).toMatchObject({
      state: 'pending',
      amountIdr: 50_000,
      currency: 'IDR',
      providerRef: created.providerRef,
      providerStatus: 'pending/accept',
    });
    // midtrans-client sends `{}` as the body of a GET status.
    expect(fake.requests.findLast((r) => r.path === `/v2/${created.providerRef}/status`)?.body).toEqual({});

    const before = receiver.received.length;
    const [delivery] = await fake.pay(created.orderId);
    expect(delivery?.statuses).toEqual([200]);
    const arrived = receiver.received.slice(before);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]!.headers['user-agent']).toBe('Veritrans');
    expect(arrived[0]!.headers['content-type']).toBe('application/json');
    expect(verifyMidtransNotification(arrived[0]!.body, MIDTRANS_KEY)).toMatchObject({
      ok: true,
      orderId: created.orderId,
      transactionId: created.providerRef,
      state: 'paid',
      grossAmount: '50000.00',
      statusCode: '200',
    });

    const paid = await provider.getStatus(created.orderId, created.providerRef);
    expect(paid).toMatchObject({ state: 'paid', amountIdr: 50_000, providerStatus: 'settlement/accept' });
    expect(paid?.paidAt).toBeInstanceOf(Date);
    expect(Math.abs(paid!.paidAt!.getTime() - Date.now())).toBeLessThan(5_000);
    // Looking up by order id works too.
    expect(await provider.getStatus(created.orderId, '')).toMatchObject({ state: 'paid' });
  });

  it('shows a wrong paid amount as it is, in the status and in the signed notification', async () => {
    const created = await provider.createQris(charge());
    const before = receiver.received.length;
    await fake.pay(created.orderId, { amount: '40000.00' });
    expect(verifyMidtransNotification(receiver.received[before]!.body, MIDTRANS_KEY)).toMatchObject({ ok: true, amountIdr: 40_000, state: 'paid' });
    expect(await provider.getStatus(created.orderId, created.providerRef)).toMatchObject({ state: 'paid', amountIdr: 40_000 });
  });

  it('cancels a pending charge; cancelling again or after payment reports the real status', async () => {
    const created = await provider.createQris(charge());
    expect(await provider.cancel(created.orderId, created.providerRef)).toMatchObject({ state: 'cancelled', providerRef: created.providerRef });
    // midtrans-client sends the body `null` on cancel.
    expect(fake.requests.findLast((r) => r.path === `/v2/${created.providerRef}/cancel`)?.body).toBeNull();
    // A second cancel is a 412 at Midtrans; the adapter answers with the status instead.
    expect(await provider.cancel(created.orderId, created.providerRef)).toMatchObject({ state: 'cancelled' });
    expect(fake.requests.findLast((r) => r.path === `/v2/${created.providerRef}/cancel`)?.status).toBe(412);

    const paidFirst = await provider.createQris(charge());
    await fake.pay(paidFirst.orderId);
    expect(await provider.cancel(paidFirst.orderId, paidFirst.providerRef)).toMatchObject({ state: 'paid', amountIdr: 50_000 });
  });

  it('expires a pending charge (Midtrans answers 407 for success) and the status stays expired', async () => {
    const created = await provider.createQris(charge());
    expect(await provider.expire(created.orderId, created.providerRef)).toMatchObject({ state: 'expired', amountIdr: 50_000 });
    expect(await provider.getStatus(created.orderId, created.providerRef)).toMatchObject({ state: 'expired' });
    // An expired order id may be charged again (a new transaction).
    const again = await createMidtransProvider({ serverKey: MIDTRANS_KEY, baseUrl: fake.baseUrl, isProduction: false }).createQris(
      charge({ orderId: `${created.orderId}-b` }),
    );
    expect(again.providerRef).not.toBe(created.providerRef);
  });

  it('sees a QR whose time ran out at Midtrans as expired', async () => {
    const created = await provider.createQris(charge());
    const before = receiver.received.length;
    await fake.expire(created.orderId);
    expect(verifyMidtransNotification(receiver.received[before]!.body, MIDTRANS_KEY)).toMatchObject({ ok: true, state: 'expired', statusCode: '202' });
    expect(await provider.getStatus(created.orderId, created.providerRef)).toMatchObject({ state: 'expired' });
  });

  it('fails with an auth error for a wrong server key', async () => {
    const wrong = createMidtransProvider({ serverKey: 'SB-Mid-server-wrong', baseUrl: fake.baseUrl, isProduction: false });
    const error = await failure(wrong.createQris(charge()));
    expect(error).toMatchObject({ kind: 'auth', status: 401, provider: 'midtrans' });
    expect(error.retryable).toBe(false);
    expect(await failure(wrong.getStatus('anything', ''))).toMatchObject({ kind: 'auth' });
  });

  it('returns the same charge for a retried order and a duplicate error for a different one', async () => {
    const request = charge();
    const first = await provider.createQris(request);
    const retried = await provider.createQris(request);
    expect(retried.providerRef).toBe(first.providerRef);
    expect(retried.qrString).toBe(first.qrString);
    expect(await failure(provider.createQris({ ...request, amountIdr: 75_000 }))).toMatchObject({ kind: 'duplicate' });

    // Once Midtrans no longer replays the key, the order id itself is taken: 406.
    const noReplay = await startFakeMidtrans({ serverKey: MIDTRANS_KEY, idempotencyWindowMs: 0 });
    try {
      const other = createMidtransProvider({ serverKey: MIDTRANS_KEY, baseUrl: noReplay.baseUrl, isProduction: false });
      await other.createQris(request);
      expect(await failure(other.createQris(request))).toMatchObject({ kind: 'duplicate', status: 406 });
    } finally {
      await noReplay.close();
    }
  });

  it('fails with a transient (retryable) error when Midtrans does not answer or cannot be reached', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const hanging = createMidtransProvider({ serverKey: MIDTRANS_KEY, baseUrl: `http://127.0.0.1:${port}`, isProduction: false, timeoutMs: 300 });
      const error = await failure(hanging.createQris(charge()));
      expect(error).toMatchObject({ kind: 'transient', provider: 'midtrans' });
      expect(error.retryable).toBe(true);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    const unreachable = createMidtransProvider({ serverKey: MIDTRANS_KEY, baseUrl: `http://127.0.0.1:${port}`, isProduction: false });
    expect(await failure(unreachable.getStatus('topup-x', ''))).toMatchObject({ kind: 'transient' });
  });

  it('answers null for an unknown order, and refuses a bad request before calling Midtrans', async () => {
    expect(await provider.getStatus('no-such-order', '')).toBeNull();
    expect(await failure(provider.cancel('no-such-order', ''))).toMatchObject({ kind: 'not_found' });
    const calls = fake.requests.length;
    expect(await failure(provider.createQris(charge({ amountIdr: 0 })))).toMatchObject({ kind: 'rejected' });
    expect(await failure(provider.createQris(charge({ orderId: 'has spaces' })))).toMatchObject({ kind: 'rejected' });
    expect(await failure(provider.createQris(charge({ expiresAt: new Date(Date.now() + 5_000) })))).toMatchObject({ kind: 'rejected' });
    expect(fake.requests.length).toBe(calls);
  });

  it('the fake checks auth and bodies like Midtrans and answers with its envelopes', async () => {
    const auth = `Basic ${Buffer.from(`${MIDTRANS_KEY}:`).toString('base64')}`;
    const post = (body: unknown, authorization = auth) =>
      fetch(`${fake.baseUrl}/v2/charge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
    const base = { payment_type: 'qris', transaction_details: { order_id: `raw-${Date.now()}`, gross_amount: 50_000 } };

    expect(await post(base, 'Basic bm9wZTo=')).toMatchObject({ status: 401, json: { status_code: '401' } });
    expect(await post({ ...base, item_details: [{ id: 'a', price: 40_000, quantity: 1, name: 'x' }] })).toMatchObject({
      status: 400,
      json: { status_code: '400', validation_messages: ['transaction_details.gross_amount is not equal to the sum of item_details'] },
    });
    expect(await post({ ...base, transaction_details: { order_id: 'x', gross_amount: 500.5 } })).toMatchObject({ status: 400 });
    expect(await post({ ...base, payment_type: 'bank_transfer' })).toMatchObject({ status: 402 });
    expect(await post({ ...base, custom_expiry: { expiry_duration: 5, unit: 'second' } })).toMatchObject({ status: 400 });
    const notFound = await fetch(`${fake.baseUrl}/v2/unknown-order/status`, { headers: { authorization: auth } });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ status_code: '404', status_message: "Transaction doesn't exist." });
  });

  it('sends duplicate, out-of-order and tampered notifications on request', async () => {
    const created = await provider.createQris(charge());
    await fake.pay(created.orderId);
    const before = receiver.received.length;
    await fake.notify(created.orderId, { times: 2 });
    await fake.notify(created.orderId, { status: 'pending' });
    await fake.notify(created.orderId, { tamper: 'signature' });
    await fake.notify(created.orderId, { tamper: 'amount' });
    const results = receiver.received.slice(before).map((r) => verifyMidtransNotification(r.body, MIDTRANS_KEY));
    expect(results).toMatchObject([
      { ok: true, state: 'paid' },
      { ok: true, state: 'paid' },
      // Pending after settlement still verifies: the workflow must never move back from paid.
      { ok: true, state: 'pending', statusCode: '201' },
      { ok: false, reason: 'unauthenticated' },
      { ok: false, reason: 'unauthenticated' },
    ]);

    receiver.answer = 503;
    try {
      const [delivery] = await fake.notify(created.orderId, { retries: 2 });
      expect(delivery?.statuses).toEqual([503]);
      expect(fake.notifications.slice(-3).map((n) => n.attempt)).toEqual([1, 2, 3]);
    } finally {
      receiver.answer = 200;
    }
  });

  it('honours X-Override-Notification per transaction', async () => {
    const other = await startReceiver();
    try {
      const auth = `Basic ${Buffer.from(`${MIDTRANS_KEY}:`).toString('base64')}`;
      const orderId = `override-${Date.now()}`;
      const response = await fetch(`${fake.baseUrl}/v2/charge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth, 'x-override-notification': other.url },
        body: JSON.stringify({ payment_type: 'qris', transaction_details: { order_id: orderId, gross_amount: 10_000 } }),
      });
      expect(response.status).toBe(200);
      const before = receiver.received.length;
      await fake.pay(orderId);
      expect(receiver.received.length).toBe(before);
      expect(verifyMidtransNotification(other.received[0]?.body, MIDTRANS_KEY)).toMatchObject({ ok: true, orderId, amountIdr: 10_000 });
    } finally {
      await other.close();
    }
  });
});

describe('Xendit callback verification', () => {
  const body = {
    event: 'payment.succeeded',
    business_id: '5f27a14a9bf05c73dd040bc8',
    created: '2025-01-01T03:05:00.000Z',
    data: {
      id: 'py-1402feb0-bb79-47ae-9d1e-e69394d3949c',
      payment_request_id: 'pr-1fdaf346-dd2e-4b6c-b938-124c7167a822',
      reference_id: 'topup-123',
      customer_id: null,
      currency: 'IDR',
      amount: 50_000,
      country: 'ID',
      status: 'SUCCEEDED',
      payment_method: { id: 'pm-1', type: 'QR_CODE', reusability: 'ONE_TIME_USE', status: 'INACTIVE' },
      failure_code: null,
      created: '2025-01-01T03:05:00.000Z',
      updated: '2025-01-01T03:05:00.000Z',
      metadata: null,
      brand_new_field: { anything: true },
    },
  };

  it('accepts the right token and reads the payment', () => {
    expect(verifyXenditCallback(XENDIT_TOKEN, body, XENDIT_TOKEN)).toEqual({
      ok: true,
      event: 'payment.succeeded',
      referenceId: 'topup-123',
      paymentRequestId: 'pr-1fdaf346-dd2e-4b6c-b938-124c7167a822',
      paymentId: 'py-1402feb0-bb79-47ae-9d1e-e69394d3949c',
      state: 'paid',
      amountIdr: 50_000,
      currency: 'IDR',
    });
    const failed = { ...body, event: 'payment.failed', data: { ...body.data, status: 'FAILED', failure_code: 'EXPIRED' } };
    expect(verifyXenditCallback(XENDIT_TOKEN, failed, XENDIT_TOKEN)).toMatchObject({ ok: true, state: 'failed', failureCode: 'EXPIRED' });
  });

  it('refuses a wrong or missing token, and no configured token at all', () => {
    expect(verifyXenditCallback('wrong-token', body, XENDIT_TOKEN)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(verifyXenditCallback(undefined, body, XENDIT_TOKEN)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(verifyXenditCallback('', body, XENDIT_TOKEN)).toMatchObject({ ok: false, reason: 'unauthenticated' });
    expect(verifyXenditCallback('', body, '')).toMatchObject({ ok: false, reason: 'unauthenticated' });
  });

  it('tells malformed bodies from authentic events the top-up does not use', () => {
    expect(verifyXenditCallback(XENDIT_TOKEN, { ...body, data: { ...body.data, amount: '50000' } }, XENDIT_TOKEN)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyXenditCallback(XENDIT_TOKEN, { ...body, data: { ...body.data, status: 'PENDING' } }, XENDIT_TOKEN)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyXenditCallback(XENDIT_TOKEN, [], XENDIT_TOKEN)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyXenditCallback(XENDIT_TOKEN, { ...body, event: 'payment_method.expired' }, XENDIT_TOKEN)).toMatchObject({ ok: false, reason: 'ignored' });
  });
});

describe('Xendit adapter against the fake', () => {
  let fake: FakeXendit;
  let provider: QrisProvider;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    fake = await startFakeXendit({ secretKey: XENDIT_KEY, callbackToken: XENDIT_TOKEN });
    receiver = await startReceiver();
    fake.callbackUrl = receiver.url;
    provider = createXenditProvider({ secretKey: XENDIT_KEY, baseUrl: fake.baseUrl });
  });
  afterAll(async () => {
    await fake?.close();
    await receiver?.close();
  });

  it('creates a QRIS payment request without the SDK\'s console noise, and sends what the spec says', async () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    try {
      const request = charge();
      const quiet = createXenditProvider({ secretKey: XENDIT_KEY, baseUrl: fake.baseUrl });
      const created = await quiet.createQris(request);
      expect(warn).not.toHaveBeenCalled();
      expect(error).not.toHaveBeenCalled();

      expect(created).toMatchObject({ provider: 'xendit', orderId: request.orderId, amountIdr: 50_000 });
      expect(created.providerRef).toMatch(/^pr-/);
      expect(created.expiresAt.toISOString()).toBe(request.expiresAt.toISOString());
      await expectValidQris(created.qrString, 50_000);

      const sent = fake.requests.find((r) => r.method === 'POST' && r.idempotencyKey === request.orderId);
      expect(sent).toMatchObject({ path: '/payment_requests', status: 201, authorized: true, lib: 'node/7.0.0' });
      expect(sent?.body).toEqual({
        reference_id: request.orderId,
        amount: 50_000,
        currency: 'IDR',
        description: 'Kredit AI Sapa 50.000',
        payment_method: {
          type: 'QR_CODE',
          reusability: 'ONE_TIME_USE',
          qr_code: { channel_code: 'QRIS', channel_properties: { expires_at: request.expiresAt.toISOString() } },
        },
        metadata: { workspaceId: 'ws-42' },
      });
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });

  it('reports pending, then paid after the payer pays, and the callback verifies', async () => {
    const created = await provider.createQris(charge());
    expect(await provider.getStatus(created.orderId, created.providerRef)).toMatchObject({
      state: 'pending',
      amountIdr: 50_000,
      currency: 'IDR',
      providerRef: created.providerRef,
      providerStatus: 'PENDING',
    });
    const before = receiver.received.length;
    const delivery = await fake.pay(created.orderId);
    expect(delivery?.statuses).toEqual([200]);
    const arrived = receiver.received[before]!;
    const token = arrived.headers['x-callback-token'];
    expect(verifyXenditCallback(typeof token === 'string' ? token : undefined, arrived.body, XENDIT_TOKEN)).toMatchObject({
      ok: true,
      referenceId: created.orderId,
      paymentRequestId: created.providerRef,
      state: 'paid',
      amountIdr: 50_000,
    });
    const paid = await provider.getStatus(created.orderId, created.providerRef);
    expect(paid).toMatchObject({ state: 'paid', providerStatus: 'SUCCEEDED' });
    expect(paid?.paidAt).toBeInstanceOf(Date);
    // Without the payment request id, the order's latest request is found by reference_id.
    expect(await provider.getStatus(created.orderId, '')).toMatchObject({ state: 'paid', providerRef: created.providerRef });
  });

  it('pays through the SDK\'s test-mode simulate call, which sends the callback', async () => {
    const created = await provider.createQris(charge());
    const before = receiver.received.length;
    const simulation = await new XenditPaymentRequestApi({ secretKey: XENDIT_KEY, xenditURL: fake.baseUrl }).simulatePaymentRequestPayment({
      paymentRequestId: created.providerRef,
    });
    expect(simulation.status).toBe('PENDING');
    const arrived = await waitUntil(() => receiver.received[before], 'the payment.succeeded callback');
    expect(verifyXenditCallback(XENDIT_TOKEN, arrived.body, XENDIT_TOKEN)).toMatchObject({ ok: true, referenceId: created.orderId, state: 'paid' });
    expect(await provider.getStatus(created.orderId, created.providerRef)).toMatchObject({ state: 'paid' });
  });

  it('delivers duplicate callbacks with one payment id, and wrong or missing tokens that fail verification', async () => {
    const created = await provider.createQris(charge());
    await fake.pay(created.orderId);
    const before = receiver.received.length;
    await fake.callback(created.orderId, { times: 2 });
    await fake.callback(created.orderId, { token: 'wrong' });
    await fake.callback(created.orderId, { token: 'missing' });
    const results = receiver.received.slice(before).map((r) => {
      const token = r.headers['x-callback-token'];
      return verifyXenditCallback(typeof token === 'string' ? token : undefined, r.body, XENDIT_TOKEN);
    });
    expect(results).toMatchObject([{ ok: true }, { ok: true }, { ok: false, reason: 'unauthenticated' }, { ok: false, reason: 'unauthenticated' }]);
    const [first, second] = results;
    expect(first?.ok && second?.ok && first.paymentId === second.paymentId).toBe(true);
  });

  it('shows a wrong paid amount in the callback', async () => {
    const created = await provider.createQris(charge());
    const before = receiver.received.length;
    await fake.pay(created.orderId, { amount: 40_000 });
    expect(verifyXenditCallback(XENDIT_TOKEN, receiver.received[before]!.body, XENDIT_TOKEN)).toMatchObject({ ok: true, amountIdr: 40_000 });
  });

  it('cancels and expires on our side only, saying until when the QR stays payable', async () => {
    const created = await provider.createQris(charge());
    const cancelled = await provider.cancel(created.orderId, created.providerRef);
    expect(cancelled).toMatchObject({ state: 'cancelled', providerStatus: 'PENDING' });
    expect(cancelled.payableUntil?.toISOString()).toBe(created.expiresAt.toISOString());
    expect(await provider.expire(created.orderId, created.providerRef)).toMatchObject({ state: 'expired', payableUntil: created.expiresAt });

    // After Xendit's own expiry, the provider's status is the answer.
    fake.expire(created.orderId);
    expect(await provider.getStatus(created.orderId, created.providerRef)).toMatchObject({ state: 'expired', providerStatus: 'EXPIRED' });
    const expired = await provider.expire(created.orderId, created.providerRef);
    expect(expired).toMatchObject({ state: 'expired' });
    expect(expired.payableUntil).toBeUndefined();

    const paidFirst = await provider.createQris(charge());
    await fake.pay(paidFirst.orderId);
    expect(await provider.cancel(paidFirst.orderId, paidFirst.providerRef)).toMatchObject({ state: 'paid' });
  });

  it('fails with an auth error for a wrong secret key', async () => {
    const wrong = createXenditProvider({ secretKey: 'xnd_development_wrong', baseUrl: fake.baseUrl });
    expect(await failure(wrong.createQris(charge()))).toMatchObject({ kind: 'auth', status: 401, code: 'INVALID_API_KEY', provider: 'xendit' });
    expect(await failure(wrong.getStatus('topup-x', 'pr-x'))).toMatchObject({ kind: 'auth' });
  });

  it('returns the same request for a retried order and a duplicate error for a different one', async () => {
    const request = charge();
    const first = await provider.createQris(request);
    expect((await provider.createQris(request)).providerRef).toBe(first.providerRef);
    // Same order id, other description: the key's body differs (409), but it is the same charge.
    expect((await provider.createQris({ ...request, description: 'Kredit AI' })).providerRef).toBe(first.providerRef);
    expect(await failure(provider.createQris({ ...request, amountIdr: 75_000 }))).toMatchObject({ kind: 'duplicate', status: 409, code: 'IDEMPOTENCY_ERROR' });
  });

  it('fails with a transient error when Xendit cannot be reached', async () => {
    const closed = await startFakeXendit({ secretKey: XENDIT_KEY, callbackToken: XENDIT_TOKEN });
    const baseUrl = closed.baseUrl;
    await closed.close();
    const unreachable = createXenditProvider({ secretKey: XENDIT_KEY, baseUrl });
    expect(await failure(unreachable.createQris(charge()))).toMatchObject({ kind: 'transient', provider: 'xendit' });
  });

  it('answers null for an unknown payment request', async () => {
    expect(await provider.getStatus('topup-unknown', 'pr-00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(await provider.getStatus('topup-unknown', '')).toBeNull();
    expect(await failure(provider.cancel('topup-unknown', 'pr-00000000-0000-0000-0000-000000000000'))).toMatchObject({ kind: 'not_found' });
  });

  it('refuses a payment request that belongs to another order', async () => {
    const created = await provider.createQris(charge());
    expect(await failure(provider.getStatus('some-other-order', created.providerRef))).toMatchObject({ kind: 'rejected' });
  });

  it('the fake checks auth and bodies like Xendit and answers with its error envelope', async () => {
    const post = (body: unknown, authorization = `Basic ${Buffer.from(`${XENDIT_KEY}:`).toString('base64')}`) =>
      fetch(`${fake.baseUrl}/payment_requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
    const base = {
      reference_id: `raw-${Date.now()}`,
      amount: 10_000,
      currency: 'IDR',
      payment_method: { type: 'QR_CODE', reusability: 'ONE_TIME_USE', qr_code: { channel_code: 'QRIS' } },
    };
    expect(await post(base, 'Basic bm9wZTo=')).toMatchObject({ status: 401, json: { error_code: 'INVALID_API_KEY' } });
    expect(await post({ ...base, currency: undefined })).toMatchObject({ status: 400, json: { error_code: 'API_VALIDATION_ERROR' } });
    expect(await post({ ...base, amount: 100.5 })).toMatchObject({ status: 400, json: { error_code: 'API_VALIDATION_ERROR' } });
    expect(await post({ ...base, payment_method: { ...base.payment_method, qr_code: { channel_code: 'QRIS', channel_properties: { expires_at: '2001-01-01T00:00:00Z' } } } })).toMatchObject({
      status: 400,
      json: { error_code: 'API_VALIDATION_ERROR' },
    });
    const created = await post(base);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: 'PENDING', payment_method: { qr_code: { channel_properties: { qr_string: expect.any(String) } } } });
  });
});

describe('choosing the provider from the configuration', () => {
  /** loadConfig over just these variables (NODE_ENV=test, as in the test run). */
  const config = (vars: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...vars });

  it('fails fast when the chosen provider lacks its keys', () => {
    expect(() => config({ PAYMENT_PROVIDER: 'midtrans' })).toThrow(ConfigError);
    expect(() => config({ PAYMENT_PROVIDER: 'midtrans', MIDTRANS_SERVER_KEY: 'SB-Mid-server-x', MIDTRANS_IS_PRODUCTION: 'true' })).toThrow(/production server key/);
    expect(() => config({ PAYMENT_PROVIDER: 'xendit', XENDIT_SECRET_KEY: XENDIT_KEY })).toThrow(/XENDIT_CALLBACK_TOKEN/);
    expect(() => config({ PAYMENT_PROVIDER: 'xendit', XENDIT_SECRET_KEY: 'sk_live_x', XENDIT_CALLBACK_TOKEN: 't' })).toThrow(/xnd_/);
    expect(() => config({ PAYMENT_PROVIDER: 'stripe' })).toThrow(ConfigError);
  });

  it('builds the configured adapter, or none', () => {
    const none = config({});
    expect(none.PAYMENT_PROVIDER).toBe('none');
    expect(none.QRIS_EXPIRY_MINUTES).toBe(15);
    expect(createPaymentProvider(none)).toBeNull();
    expect(createPaymentProvider(config({ PAYMENT_PROVIDER: 'midtrans', MIDTRANS_SERVER_KEY: MIDTRANS_KEY }))?.id).toBe('midtrans');
    const xendit = config({ PAYMENT_PROVIDER: 'xendit', XENDIT_SECRET_KEY: XENDIT_KEY, XENDIT_CALLBACK_TOKEN: XENDIT_TOKEN });
    expect(xendit.XENDIT_BASE_URL).toBe('https://api.xendit.co');
    expect(createPaymentProvider(xendit)?.id).toBe('xendit');
  });
});
