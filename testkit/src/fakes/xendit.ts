/**
 * A wire-faithful fake of Xendit's Payment Requests API for QRIS, the path xendit-node 7.0.0 takes
 * (shared/specs/xendit-qris.md §2, §9): a node:http server on loopback that checks the secret key
 * (HTTP Basic), serves `POST /payment_requests` (with `idempotency-key` replay), `GET
 * /payment_requests/{id}`, `GET /payment_requests?reference_id=…` and the test-mode `POST
 * /payment_requests/{id}/payments/simulate`, answers errors as `{ error_code, message }` with real
 * HTTP statuses, expires requests after their `expires_at`, and sends `payment.succeeded`
 * callbacks with `x-callback-token` to `callbackUrl`. Tests drive payments with `pay` and
 * `callback`.
 *
 * Simplifications, on purpose: only QR_CODE/QRIS payment methods; simulate works for
 * `xnd_development_` keys only (test mode); the same idempotency key with the same body replays
 * the first answer and with a different body is a 409 IDEMPOTENCY_ERROR (Xendit's exact replay
 * rules are not documented); callbacks retry at once instead of over 24 hours.
 */
import http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { buildQrisPayload } from './midtrans';
import { closeServer, headerValue, isObject, listenOnLoopback, readTextBody, sleep } from './http-kit';

type Json = Record<string, unknown>;

class XenditHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const validation = (message: string) => new XenditHttpError(400, 'API_VALIDATION_ERROR', message);

export type FakeXenditStatus = 'PENDING' | 'SUCCEEDED' | 'EXPIRED' | 'FAILED';

export interface FakeXenditPaymentRequest {
  id: string;
  paymentMethodId: string;
  referenceId: string;
  amount: number;
  currency: string;
  description: string | null;
  metadata: Json | null;
  status: FakeXenditStatus;
  qrString: string;
  expiresAt: Date;
  created: Date;
  updated: Date;
  /** The payment made against it (`pay` / simulate). */
  payment?: { id: string; amount: number; created: Date };
}

export interface FakeXenditRequest {
  method: string;
  path: string;
  status: number;
  body?: unknown;
  authorized: boolean;
  idempotencyKey?: string;
  /** The `xendit-lib` / `xendit-lib-ver` headers the SDK adds. */
  lib?: string;
}

export interface FakeXenditCallback {
  url: string;
  token: string | undefined;
  body: Json;
  status: number;
  attempt: number;
}

export interface CallbackOptions {
  /** Default: `callbackUrl`. */
  url?: string;
  /** Deliver the same callback this many times (Xendit redelivers; duplicates are normal). Default 1. */
  times?: number;
  delayMs?: number;
  /** Send a wrong `x-callback-token`, or none at all. */
  token?: 'wrong' | 'missing';
  /** Redeliver on a non-2xx answer up to this many more times. */
  retries?: number;
}

export interface CallbackResult {
  url: string;
  statuses: number[];
}

export interface FakeXenditOptions {
  secretKey: string;
  callbackToken: string;
  businessId?: string;
}

export class FakeXendit {
  readonly secretKey: string;
  readonly callbackToken: string;
  readonly businessId: string;
  readonly requests: FakeXenditRequest[] = [];
  readonly callbacks: FakeXenditCallback[] = [];
  /** Where payment callbacks go (the dashboard's webhook URL for Payment Requests). */
  callbackUrl?: string;
  private readonly byId = new Map<string, FakeXenditPaymentRequest>();
  private readonly idempotent = new Map<string, { body: string; status: number; response: Json }>();
  private readonly pendingDeliveries = new Set<Promise<unknown>>();
  private readonly server: http.Server;
  private port = 0;

  constructor(opts: FakeXenditOptions) {
    if (!opts.secretKey || !opts.callbackToken) throw new Error('startFakeXendit needs a secretKey and a callbackToken');
    this.secretKey = opts.secretKey;
    this.callbackToken = opts.callbackToken;
    this.businessId = opts.businessId ?? randomBytes(12).toString('hex');
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** The API root for the SDK (`xenditURL` / XENDIT_BASE_URL). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    this.port = await listenOnLoopback(this.server, 'Xendit');
    return this;
  }

  async close(): Promise<void> {
    await closeServer(this.server, this.pendingDeliveries);
  }

  /** A payment request by its id or our reference id (the latest one), with expiry applied. */
  paymentRequest(id: string): FakeXenditPaymentRequest | undefined {
    const pr = this.byId.get(id) ?? [...this.byId.values()].reverse().find((p) => p.referenceId === id);
    if (pr) this.applyExpiry(pr);
    return pr;
  }

  /**
   * The payer pays: PENDING → SUCCEEDED, then `payment.succeeded` goes to `callbackUrl` (if set).
   * `amount` overrides the paid amount to simulate a wrong one.
   */
  async pay(referenceId: string, opts: { amount?: number; callback?: CallbackOptions } = {}): Promise<CallbackResult | undefined> {
    const pr = this.mustFind(referenceId);
    this.settle(pr, opts.amount);
    if (!opts.callback?.url && !this.callbackUrl) return undefined;
    return this.callback(pr.id, opts.callback);
  }

  /** Moves the QR's expiry to now: the request reads EXPIRED from then on. */
  expire(referenceId: string): void {
    const pr = this.mustFind(referenceId);
    if (pr.status !== 'PENDING') throw new Error(`fake Xendit: ${referenceId} is ${pr.status}, not PENDING`);
    pr.expiresAt = new Date();
    this.applyExpiry(pr);
  }

  /** Sends the `payment.succeeded` callback of a paid request (again). */
  async callback(referenceOrId: string, opts: CallbackOptions = {}): Promise<CallbackResult> {
    const pr = this.mustFind(referenceOrId);
    if (!pr.payment) throw new Error(`fake Xendit: ${referenceOrId} has no payment to call back about`);
    const url = opts.url ?? this.callbackUrl;
    if (!url) throw new Error('fake Xendit: no callback URL (set callbackUrl or pass url)');
    const body = this.callbackBody(pr);
    const token = opts.token === 'missing' ? undefined : opts.token === 'wrong' ? `${this.callbackToken}-wrong` : this.callbackToken;
    const statuses: number[] = [];
    const run = async () => {
      for (let copy = 0; copy < Math.max(1, opts.times ?? 1); copy++) {
        if (opts.delayMs) await sleep(opts.delayMs);
        let answer = 0;
        for (let attempt = 1; attempt <= 1 + (opts.retries ?? 0); attempt++) {
          answer = await postCallback(url, token, body);
          this.callbacks.push({ url, token, body, status: answer, attempt });
          if (answer >= 200 && answer < 300) break;
        }
        statuses.push(answer);
      }
    };
    const delivery = run();
    this.pendingDeliveries.add(delivery);
    try {
      await delivery;
    } finally {
      this.pendingDeliveries.delete(delivery);
    }
    return { url, statuses };
  }

  /** The `payment.succeeded` body Xendit sends for a paid request (snake_case on the wire). */
  callbackBody(pr: FakeXenditPaymentRequest): Json {
    if (!pr.payment) throw new Error('fake Xendit: not paid');
    return {
      event: 'payment.succeeded',
      business_id: this.businessId,
      created: pr.payment.created.toISOString(),
      data: {
        id: pr.payment.id,
        payment_request_id: pr.id,
        reference_id: pr.referenceId,
        customer_id: null,
        currency: pr.currency,
        amount: pr.payment.amount,
        country: 'ID',
        status: 'SUCCEEDED',
        payment_method: this.paymentMethodJson(pr),
        channel_properties: null,
        payment_detail: { receipt_id: String(pr.payment.created.getTime()).slice(-9), source: 'GOPAY' },
        failure_code: null,
        created: pr.payment.created.toISOString(),
        updated: pr.payment.created.toISOString(),
        metadata: pr.metadata,
      },
    };
  }

  private mustFind(id: string): FakeXenditPaymentRequest {
    const pr = this.paymentRequest(id);
    if (!pr) throw new Error(`fake Xendit: no payment request ${id}`);
    return pr;
  }

  private settle(pr: FakeXenditPaymentRequest, amount?: number): void {
    if (pr.status === 'SUCCEEDED') throw new XenditHttpError(409, 'PAYMENT_REQUEST_ALREADY_COMPLETED', 'Payment request has already been completed');
    if (pr.status !== 'PENDING') throw new XenditHttpError(409, 'PAYMENT_REQUEST_ALREADY_FAILED', `Payment request is ${pr.status}`);
    const now = new Date();
    pr.status = 'SUCCEEDED';
    pr.updated = now;
    pr.payment = { id: `py-${randomUUID()}`, amount: amount ?? pr.amount, created: now };
  }

  private applyExpiry(pr: FakeXenditPaymentRequest): void {
    if (pr.status === 'PENDING' && pr.expiresAt.getTime() <= Date.now()) {
      pr.status = 'EXPIRED';
      pr.updated = pr.expiresAt;
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-xendit');
    const method = req.method ?? 'GET';
    const authorized = req.headers.authorization === `Basic ${Buffer.from(`${this.secretKey}:`).toString('base64')}`;
    const record: FakeXenditRequest = { method, path: url.pathname + url.search, status: 200, authorized };
    const idempotencyKey = headerValue(req.headers['idempotency-key']);
    if (idempotencyKey) record.idempotencyKey = idempotencyKey;
    const lib = headerValue(req.headers['xendit-lib']);
    if (lib) record.lib = `${lib}/${headerValue(req.headers['xendit-lib-ver']) ?? '?'}`;
    let status = 200;
    let body: unknown;
    try {
      const raw = await readBody(req);
      const parsed = raw.trim() === '' ? undefined : parseJson(raw, req.headers['content-type']);
      if (parsed !== undefined) record.body = parsed;
      if (!authorized) throw new XenditHttpError(401, 'INVALID_API_KEY', 'API key is not authorized for this API service');
      [status, body] = this.route(method, url, raw, parsed, idempotencyKey);
    } catch (err) {
      if (err instanceof XenditHttpError) {
        status = err.status;
        body = { error_code: err.errorCode, message: err.message };
      } else {
        status = 500;
        body = { error_code: 'SERVER_ERROR', message: 'An unexpected error occurred. Our team has been notified and will troubleshoot the issue.' };
      }
    }
    record.status = status;
    this.requests.push(record);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private route(method: string, url: URL, raw: string, body: unknown, idempotencyKey: string | undefined): [number, unknown] {
    const path = url.pathname;
    if (path === '/payment_requests') {
      if (method === 'POST') return this.create(raw, body, idempotencyKey);
      if (method === 'GET') return [200, this.list(url.searchParams)];
      throw new XenditHttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed`);
    }
    const one = /^\/payment_requests\/([^/]+)(\/payments\/simulate)?$/.exec(path);
    if (!one) throw new XenditHttpError(404, 'NOT_FOUND', 'The requested resource was not found');
    const id = decodeURIComponent(one[1] ?? '');
    const pr = this.byId.get(id);
    if (one[2]) {
      if (method !== 'POST') throw new XenditHttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed`);
      if (!pr) throw new XenditHttpError(404, 'DATA_NOT_FOUND', 'Payment request not found');
      if (!this.secretKey.startsWith('xnd_development_')) {
        throw new XenditHttpError(403, 'OPERATION_NOT_ALLOWED', 'Payment simulation is only available in test mode');
      }
      this.applyExpiry(pr);
      this.settle(pr);
      if (this.callbackUrl) void this.callback(pr.id).catch(() => undefined);
      return [200, { status: 'PENDING', message: 'Payment simulation is being processed. A callback will be sent to your callback URL.' }];
    }
    if (method !== 'GET') throw new XenditHttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed`);
    if (!pr) throw new XenditHttpError(404, 'DATA_NOT_FOUND', 'Payment request not found');
    this.applyExpiry(pr);
    return [200, this.json(pr)];
  }

  private list(params: URLSearchParams): Json {
    const references = params.getAll('reference_id');
    const ids = params.getAll('id');
    const limit = Math.min(Math.max(Number(params.get('limit') ?? 10) || 10, 1), 100);
    const matching = [...this.byId.values()]
      .reverse()
      .filter((pr) => (references.length === 0 || references.includes(pr.referenceId)) && (ids.length === 0 || ids.includes(pr.id)));
    for (const pr of matching) this.applyExpiry(pr);
    return { data: matching.slice(0, limit).map((pr) => this.json(pr)), has_more: matching.length > limit, links: [] };
  }

  private create(raw: string, body: unknown, idempotencyKey: string | undefined): [number, Json] {
    if (idempotencyKey) {
      const seen = this.idempotent.get(idempotencyKey);
      if (seen) {
        if (canonical(raw) !== seen.body) throw new XenditHttpError(409, 'IDEMPOTENCY_ERROR', 'Idempotency key has been used before.');
        return [seen.status, seen.response];
      }
    }
    if (!isObject(body)) throw validation('request body must be a JSON object');
    const referenceId = body.reference_id ?? randomUUID();
    if (typeof referenceId !== 'string' || referenceId.length < 1 || referenceId.length > 255) {
      throw validation('reference_id must be a string of 1 to 255 characters');
    }
    if (body.currency !== 'IDR') {
      throw body.currency === undefined ? validation('currency is required') : new XenditHttpError(400, 'CURRENCY_MISMATCHED', 'QRIS only accepts IDR');
    }
    const amount = body.amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount)) throw validation('amount must be a whole number of IDR');
    if (amount < 1) throw validation('amount must be at least 1');
    if (amount > 10_000_000) throw new XenditHttpError(400, 'MAX_AMOUNT_LIMIT_ERROR', 'amount exceeds the QRIS limit of 10000000 IDR');
    if (body.country !== undefined && body.country !== 'ID') throw validation('country must be ID for QRIS');
    if (body.description !== undefined && body.description !== null && typeof body.description !== 'string') throw validation('description must be a string');
    if (body.metadata !== undefined && body.metadata !== null) {
      if (!isObject(body.metadata) || Object.keys(body.metadata).length > 50) throw validation('metadata must be an object with at most 50 keys');
    }
    const pm = body.payment_method;
    if (!isObject(pm)) throw validation('payment_method is required');
    if (pm.type !== 'QR_CODE') throw new XenditHttpError(400, 'CHANNEL_CODE_NOT_SUPPORTED_ERROR', 'this fake serves QR_CODE payment methods only');
    if (pm.reusability !== 'ONE_TIME_USE' && pm.reusability !== 'MULTIPLE_USE') throw validation('payment_method.reusability must be ONE_TIME_USE or MULTIPLE_USE');
    const qr = pm.qr_code;
    if (!isObject(qr)) throw validation('payment_method.qr_code is required for type QR_CODE');
    if (qr.channel_code !== 'QRIS') throw new XenditHttpError(400, 'CHANNEL_CODE_NOT_SUPPORTED_ERROR', `channel_code ${String(qr.channel_code)} is not supported`);
    const now = new Date();
    let expiresAt = new Date(now.getTime() + 48 * 3600_000);
    const props = qr.channel_properties;
    if (props !== undefined && props !== null) {
      if (!isObject(props)) throw validation('payment_method.qr_code.channel_properties must be an object');
      if (props.expires_at !== undefined) {
        const parsed = typeof props.expires_at === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(props.expires_at) ? new Date(props.expires_at) : null;
        if (!parsed || Number.isNaN(parsed.getTime())) throw validation('payment_method.qr_code.channel_properties.expires_at must be an ISO 8601 date');
        if (parsed.getTime() <= now.getTime()) throw validation('payment_method.qr_code.channel_properties.expires_at must be in the future');
        expiresAt = parsed;
      }
    }
    const id = `pr-${randomUUID()}`;
    const pr: FakeXenditPaymentRequest = {
      id,
      paymentMethodId: `pm-${randomUUID()}`,
      referenceId,
      amount,
      currency: 'IDR',
      description: typeof body.description === 'string' ? body.description : null,
      metadata: isObject(body.metadata) ? body.metadata : null,
      status: 'PENDING',
      qrString: buildQrisPayload({ amountIdr: amount, referenceLabel: id.slice(3).replace(/-/g, ''), acquirerId: 'ID.CO.XENDIT.WWW' }),
      expiresAt,
      created: now,
      updated: now,
    };
    this.byId.set(id, pr);
    const response = this.json(pr);
    if (idempotencyKey) this.idempotent.set(idempotencyKey, { body: canonical(raw), status: 201, response });
    return [201, response];
  }

  private paymentMethodJson(pr: FakeXenditPaymentRequest): Json {
    return {
      id: pr.paymentMethodId,
      type: 'QR_CODE',
      reusability: 'ONE_TIME_USE',
      status: pr.status === 'PENDING' ? 'ACTIVE' : pr.status === 'EXPIRED' ? 'EXPIRED' : 'INACTIVE',
      reference_id: pr.referenceId,
      description: null,
      created: pr.created.toISOString(),
      updated: pr.updated.toISOString(),
      metadata: null,
      qr_code: {
        channel_code: 'QRIS',
        channel_properties: { qr_string: pr.qrString, expires_at: pr.expiresAt.toISOString() },
      },
    };
  }

  private json(pr: FakeXenditPaymentRequest): Json {
    return {
      id: pr.id,
      created: pr.created.toISOString(),
      updated: pr.updated.toISOString(),
      reference_id: pr.referenceId,
      business_id: this.businessId,
      customer_id: null,
      amount: pr.amount,
      country: 'ID',
      currency: pr.currency,
      payment_method: this.paymentMethodJson(pr),
      description: pr.description,
      capture_method: 'AUTOMATIC',
      initiator: null,
      status: pr.status,
      actions: [],
      failure_code: null,
      metadata: pr.metadata,
    };
  }
}

export async function startFakeXendit(opts: FakeXenditOptions): Promise<FakeXendit> {
  return new FakeXendit(opts).listen();
}

async function postCallback(url: string, token: string | undefined, body: Json): Promise<number> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': randomUUID(),
        ...(token === undefined ? {} : { 'x-callback-token': token }),
      },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  } catch {
    return 0;
  }
}

/** A body in a form where key order and whitespace do not matter (idempotent replays compare these). */
function canonical(raw: string): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (isObject(value)) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sort(value[k])]));
    return value;
  };
  try {
    return JSON.stringify(sort(JSON.parse(raw)));
  } catch {
    return raw;
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return readTextBody(req, 1024 * 1024, () => validation('request body is too large'));
}

function parseJson(raw: string, contentType: string | undefined): unknown {
  if (!contentType?.toLowerCase().startsWith('application/json')) throw validation('Content-Type must be application/json');
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw validation('request body is not valid JSON');
  }
}
