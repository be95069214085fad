/**
 * A wire-faithful fake of Midtrans' Core API for QRIS (shared/specs/midtrans-qris.md §9): a
 * node:http server on loopback that checks the server key (HTTP Basic), serves `POST /v2/charge`
 * for `payment_type: "qris"`, `GET /v2/{id}/status`, `POST /v2/{id}/cancel` and `/expire` (by
 * order_id or transaction_id) with Midtrans' envelopes, status codes, money-as-strings and WIB
 * timestamps, honours `Idempotency-Key`, `X-Override-Notification` and `X-Append-Notification`,
 * and sends HTTP notifications signed with `signature_key` like Midtrans (User-Agent Veritrans).
 * Tests drive payments through the control API: `pay`, `expire`, `notify`.
 *
 * Also exports the EMVCo/QRIS payload builder and checker the fakes share, so tests can assert a
 * `qr_string` is a syntactically valid QRIS (TLV layout and CRC16).
 *
 * Simplifications, on purpose: only QRIS charges (other payment types get 402); errors are sent
 * with the matching HTTP status (the real API sometimes answers HTTP 200 with the code in the
 * body; midtrans-client treats both alike); a QR whose time runs out reads `expire` from then on
 * but sends no notification by itself (`expire()` does); notifications go to loopback URLs over
 * plain HTTP and retries happen at once; Snap, refunds and BI-SNAP are not served.
 */
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { closeServer, headerValue, isObject, listenOnLoopback, readTextBody, sleep } from './http-kit';

// ---------------------------------------------------------------------------------------------
// QRIS payloads (EMVCo merchant-presented QR)

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMVCo tag 63 demands. */
export function crc16Ccitt(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

function tlv(tag: string, value: string): string {
  if (value.length > 99) throw new Error(`EMV field ${tag} longer than 99 characters`);
  return `${tag}${String(value.length).padStart(2, '0')}${value}`;
}

export interface QrisPayloadInput {
  /** Whole rupiah (tag 54). */
  amountIdr: number;
  /** Tag 62.05, at most 25 characters (longer is cut). */
  referenceLabel: string;
  /** Reverse-domain id of the acquirer (tag 26.00), e.g. `COM.GO-JEK.WWW`, `ID.CO.XENDIT.WWW`. */
  acquirerId: string;
  merchantName?: string;
  merchantCity?: string;
}

/** A dynamic (point of initiation 12) QRIS payload with a correct CRC. */
export function buildQrisPayload(input: QrisPayloadInput): string {
  const nmid = 'ID1020000000001';
  const body = [
    tlv('00', '01'),
    tlv('01', '12'),
    tlv('26', tlv('00', input.acquirerId) + tlv('01', '936009140000000001') + tlv('02', 'G000000001') + tlv('03', 'UMI')),
    tlv('51', tlv('00', 'ID.CO.QRIS.WWW') + tlv('02', nmid) + tlv('03', 'UMI')),
    tlv('52', '5814'),
    tlv('53', '360'),
    tlv('54', String(input.amountIdr)),
    tlv('58', 'ID'),
    tlv('59', (input.merchantName ?? 'SAPA TEST MERCHANT').slice(0, 25)),
    tlv('60', (input.merchantCity ?? 'JAKARTA').slice(0, 15)),
    tlv('61', '12190'),
    tlv('62', tlv('05', input.referenceLabel.slice(0, 25))),
  ].join('');
  const withCrcTag = `${body}6304`;
  return withCrcTag + crc16Ccitt(withCrcTag);
}

export type QrisCheck =
  | { ok: true; tags: Map<string, string>; amount?: string; merchantName?: string }
  | { ok: false; error: string };

/**
 * Whether a string is a syntactically valid QRIS payload: well-formed top-level TLVs, payload format
 * `01`, dynamic or static initiation, currency 360 (IDR), country ID, a QRIS (ID.CO.QRIS.WWW) tag 51,
 * and a CRC16 in tag 63 that matches.
 */
export function checkQrisPayload(payload: string): QrisCheck {
  const tags = new Map<string, string>();
  let at = 0;
  while (at < payload.length) {
    const tag = payload.slice(at, at + 2);
    const length = Number(payload.slice(at + 2, at + 4));
    if (!/^\d\d$/.test(tag) || !/^\d\d$/.test(payload.slice(at + 2, at + 4)) || at + 4 + length > payload.length) {
      return { ok: false, error: `bad TLV at offset ${at}` };
    }
    if (tags.has(tag)) return { ok: false, error: `tag ${tag} repeated` };
    tags.set(tag, payload.slice(at + 4, at + 4 + length));
    at += 4 + length;
    if (tag === '63' && at !== payload.length) return { ok: false, error: 'tag 63 (CRC) is not last' };
  }
  const crc = tags.get('63');
  if (!crc || crc.length !== 4) return { ok: false, error: 'no CRC (tag 63)' };
  const expected = crc16Ccitt(payload.slice(0, -4));
  if (crc.toUpperCase() !== expected) return { ok: false, error: `CRC ${crc} does not match ${expected}` };
  if (tags.get('00') !== '01') return { ok: false, error: 'payload format indicator (00) is not 01' };
  if (!['11', '12'].includes(tags.get('01') ?? '')) return { ok: false, error: 'point of initiation (01) is not 11 or 12' };
  if (tags.get('53') !== '360') return { ok: false, error: 'currency (53) is not 360 (IDR)' };
  if (tags.get('58') !== 'ID') return { ok: false, error: 'country (58) is not ID' };
  if (!tags.get('51')?.includes('ID.CO.QRIS.WWW')) return { ok: false, error: 'no QRIS merchant account (51 ID.CO.QRIS.WWW)' };
  const amount = tags.get('54');
  const merchantName = tags.get('59');
  return { ok: true, tags, ...(amount !== undefined ? { amount } : {}), ...(merchantName !== undefined ? { merchantName } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Midtrans wire details

type Json = Record<string, unknown>;

/** `YYYY-MM-DD HH:mm:ss` in WIB (GMT+7), Midtrans' timestamp format. */
export function formatWib(date: Date): string {
  return new Date(date.getTime() + 7 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function parseWibOrderTime(text: string): Date | null {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!match) return null;
  const date = new Date(`${match[1]}T${match[2]}${match[3]}${match[4]}:${match[5]}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

const money = (idr: number) => `${idr}.00`;
const ORDER_ID = /^[A-Za-z0-9\-_~.]{1,50}$/;
const EXPIRY_UNITS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3600_000, day: 86_400_000 };
const MAX_EXPIRY_MS = 7 * 86_400_000;
const IDEMPOTENCY_KEY_MAX = 46;

/** `status_code` a notification (and most status responses) carries for a transaction_status. */
function notificationStatusCode(status: string): string {
  if (status === 'pending') return '201';
  if (status === 'settlement' || status === 'capture' || status === 'refund' || status === 'partial_refund') return '200';
  return '202';
}

class MidtransHttpError extends Error {
  constructor(
    readonly status: number,
    readonly statusMessage: string,
    readonly validationMessages?: string[],
  ) {
    super(statusMessage);
  }
}

const unauthorized = () =>
  new MidtransHttpError(401, 'Access denied due to unauthorized transaction, please check client key or server key');
const invalid = (...messages: string[]) => new MidtransHttpError(400, 'One or more parameters in the payload is invalid.', messages);
const notFound = () => new MidtransHttpError(404, "Transaction doesn't exist.");
const notModifiable = () => new MidtransHttpError(412, 'Merchant cannot modify the status of the transaction');

export type MidtransTransactionStatus = 'pending' | 'settlement' | 'expire' | 'cancel' | 'deny';

export interface FakeMidtransTransaction {
  transactionId: string;
  orderId: string;
  /** As Midtrans reports it (`"50000.00"`); `pay({ amount })` can change it to simulate a wrong amount. */
  grossAmount: string;
  acquirer: string;
  status: MidtransTransactionStatus;
  fraudStatus: 'accept' | 'deny';
  transactionTime: Date;
  expiryTime: Date;
  settlementTime?: Date;
  qrString: string;
  /** The charge request body, as received. */
  request: Json;
  /** Per-transaction notification URLs from X-Override-Notification / X-Append-Notification. */
  overrideNotification?: string[];
  appendNotification?: string[];
}

export interface FakeMidtransRequest {
  method: string;
  path: string;
  status: number;
  /** The parsed JSON body (`null` for a body of `null`, undefined when there was none). */
  body?: unknown;
  authorized: boolean;
  idempotencyKey?: string;
  userAgent?: string;
}

export interface FakeMidtransNotification {
  url: string;
  body: Json;
  /** The receiver's HTTP status (0: no answer). */
  status: number;
  attempt: number;
}

export interface NotifyOptions {
  /** Where to POST (default: the transaction's override URLs, else `notificationUrl` plus appended ones). */
  url?: string;
  /** Send the same notification this many times (duplicates happen at Midtrans). Default 1. */
  times?: number;
  /** Wait this long before sending (and between duplicates). */
  delayMs?: number;
  /**
   * Report this transaction_status instead of the current one, e.g. `pending` after settlement to
   * test out-of-order delivery. The status_code follows it; the signature stays valid.
   */
  status?: MidtransTransactionStatus;
  /** Break the notification: a wrong signature_key, or an amount changed after signing. */
  tamper?: 'signature' | 'amount';
  /** Redeliver on a non-2xx answer up to this many more times (Midtrans retries for hours; the fake at once). */
  retries?: number;
}

export interface NotifyResult {
  url: string;
  /** The last HTTP status per delivery (0: no answer). */
  statuses: number[];
}

export interface FakeMidtransOptions {
  serverKey: string;
  merchantId?: string;
  /** How long an Idempotency-Key replays its first successful answer (Midtrans: 5 minutes). */
  idempotencyWindowMs?: number;
}

export class FakeMidtrans {
  readonly serverKey: string;
  readonly merchantId: string;
  /** Every request, accepted or refused. */
  readonly requests: FakeMidtransRequest[] = [];
  /** Every notification delivery attempt. */
  readonly notifications: FakeMidtransNotification[] = [];
  /** Where notifications go by default (the dashboard's "Payment Notification URL"); pay/expire/cancel notify it. */
  notificationUrl?: string;
  private readonly idempotencyWindowMs: number;
  private readonly byTransactionId = new Map<string, FakeMidtransTransaction>();
  /** order_id → its latest transaction (an expired or cancelled order_id may be charged again). */
  private readonly byOrderId = new Map<string, FakeMidtransTransaction>();
  private readonly idempotent = new Map<string, { at: number; body: Json }>();
  private readonly pendingDeliveries = new Set<Promise<unknown>>();
  private readonly server: http.Server;
  private port = 0;

  constructor(opts: FakeMidtransOptions) {
    if (!opts.serverKey) throw new Error('startFakeMidtrans needs a serverKey');
    this.serverKey = opts.serverKey;
    this.merchantId = opts.merchantId ?? 'G141532850';
    this.idempotencyWindowMs = opts.idempotencyWindowMs ?? 5 * 60_000;
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** The Core API root for the client (`baseUrl` / MIDTRANS_BASE_URL). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    this.port = await listenOnLoopback(this.server, 'Midtrans');
    return this;
  }

  async close(): Promise<void> {
    await closeServer(this.server, this.pendingDeliveries);
  }

  /** The latest transaction of an order (or by transaction id), with its expiry applied. */
  transaction(id: string): FakeMidtransTransaction | undefined {
    const tx = this.byTransactionId.get(id) ?? this.byOrderId.get(id);
    if (tx) this.applyExpiry(tx);
    return tx;
  }

  /**
   * The payer scans and pays: pending → settlement, then the notification goes out (when a URL is
   * known). `amount` overrides the settled gross_amount (`"40000.00"`) to simulate a wrong amount.
   */
  async pay(orderId: string, opts: { amount?: string; notify?: Omit<NotifyOptions, 'status'> } = {}): Promise<NotifyResult[]> {
    const tx = this.mustFind(orderId);
    if (tx.status !== 'pending') throw new Error(`fake Midtrans: ${orderId} is ${tx.status}, not pending`);
    tx.status = 'settlement';
    tx.settlementTime = new Date();
    if (opts.amount !== undefined) tx.grossAmount = opts.amount;
    return this.notifyIfKnown(tx, opts.notify);
  }

  /** The QR's time runs out: pending → expire, then the notification goes out (when a URL is known). */
  async expire(orderId: string, opts: Omit<NotifyOptions, 'status'> = {}): Promise<NotifyResult[]> {
    const tx = this.mustFind(orderId);
    if (tx.status !== 'pending') throw new Error(`fake Midtrans: ${orderId} is ${tx.status}, not pending`);
    tx.status = 'expire';
    tx.expiryTime = new Date();
    return this.notifyIfKnown(tx, opts);
  }

  /** Sends the transaction's notification, signed like Midtrans, to `url` or the configured URLs. */
  async notify(orderId: string, opts: NotifyOptions = {}): Promise<NotifyResult[]> {
    const tx = this.mustFind(orderId);
    const urls = opts.url ? [opts.url] : this.notificationUrls(tx);
    if (urls.length === 0) throw new Error('fake Midtrans: no notification URL (set notificationUrl or pass url)');
    return Promise.all(urls.map((url) => this.deliver(url, tx, opts)));
  }

  /** The notification body Midtrans would send for the transaction now (or as `status`). */
  notificationBody(orderId: string, status?: MidtransTransactionStatus): Json {
    const tx = this.mustFind(orderId);
    return { ...this.transactionFields(tx, status ?? tx.status), status_message: 'midtrans payment notification' };
  }

  private mustFind(id: string): FakeMidtransTransaction {
    const tx = this.transaction(id);
    if (!tx) throw new Error(`fake Midtrans: no transaction ${id}`);
    return tx;
  }

  private applyExpiry(tx: FakeMidtransTransaction): void {
    if (tx.status === 'pending' && tx.expiryTime.getTime() <= Date.now()) tx.status = 'expire';
  }

  private notificationUrls(tx: FakeMidtransTransaction): string[] {
    if (tx.overrideNotification) return tx.overrideNotification;
    return [...(this.notificationUrl ? [this.notificationUrl] : []), ...(tx.appendNotification ?? [])];
  }

  private async notifyIfKnown(tx: FakeMidtransTransaction, opts: NotifyOptions = {}): Promise<NotifyResult[]> {
    if (!opts.url && this.notificationUrls(tx).length === 0) return [];
    return this.notify(tx.transactionId, opts);
  }

  private async deliver(url: string, tx: FakeMidtransTransaction, opts: NotifyOptions): Promise<NotifyResult> {
    const status = opts.status ?? tx.status;
    const body: Json = { ...this.transactionFields(tx, status), status_message: 'midtrans payment notification' };
    if (opts.tamper === 'signature') {
      const signature = String(body.signature_key);
      body.signature_key = `${signature[0] === '0' ? '1' : '0'}${signature.slice(1)}`;
    }
    if (opts.tamper === 'amount') body.gross_amount = money((parseInt(tx.grossAmount, 10) || 0) + 1000);
    const statuses: number[] = [];
    const run = async () => {
      for (let copy = 0; copy < Math.max(1, opts.times ?? 1); copy++) {
        if (opts.delayMs) await sleep(opts.delayMs);
        let answer = 0;
        for (let attempt = 1; attempt <= 1 + (opts.retries ?? 0); attempt++) {
          answer = await postNotification(url, body);
          this.notifications.push({ url, body, status: answer, attempt });
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

  /** The fields status responses and notifications share, signed for `status`. */
  private transactionFields(tx: FakeMidtransTransaction, status: MidtransTransactionStatus, statusCode = notificationStatusCode(status)): Json {
    return {
      transaction_type: 'on-us',
      transaction_time: formatWib(tx.transactionTime),
      transaction_status: status,
      transaction_id: tx.transactionId,
      status_code: statusCode,
      signature_key: signature(tx.orderId, statusCode, tx.grossAmount, this.serverKey),
      ...(status === 'settlement' && tx.settlementTime ? { settlement_time: formatWib(tx.settlementTime), issuer: tx.acquirer } : {}),
      payment_type: 'qris',
      order_id: tx.orderId,
      merchant_id: this.merchantId,
      ...(tx.acquirer === 'gopay' ? { merchant_cross_reference_id: randomUUIDFrom(tx.transactionId) } : {}),
      gross_amount: tx.grossAmount,
      fraud_status: tx.fraudStatus,
      currency: 'IDR',
      acquirer: tx.acquirer,
      expiry_time: formatWib(tx.expiryTime),
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-midtrans');
    const method = req.method ?? 'GET';
    const authorized = req.headers.authorization === `Basic ${Buffer.from(`${this.serverKey}:`).toString('base64')}`;
    const record: FakeMidtransRequest = { method, path: url.pathname, status: 200, authorized };
    const idempotencyKey = headerValue(req.headers['idempotency-key']);
    if (idempotencyKey) record.idempotencyKey = idempotencyKey;
    const userAgent = headerValue(req.headers['user-agent']);
    if (userAgent) record.userAgent = userAgent;
    let status = 200;
    let body: Json;
    try {
      const raw = await readBody(req);
      const parsed = parseJsonBody(raw, req.headers['content-type']);
      if (parsed !== undefined) record.body = parsed;
      const qrImage = /^\/v[24]\/qris\/([^/]+)\/qr-code$/.exec(url.pathname);
      if (qrImage && method === 'GET') {
        // The QR image links need no auth (they are handed to the payer's browser).
        await this.serveQrImage(decodeURIComponent(qrImage[1] ?? ''), res);
        record.status = res.statusCode;
        this.requests.push(record);
        return;
      }
      if (!authorized) throw unauthorized();
      body = this.route(method, url.pathname, parsed, req.headers);
    } catch (err) {
      if (err instanceof MidtransHttpError) {
        status = err.status;
        body = {
          status_code: String(err.status),
          status_message: err.statusMessage,
          ...(err.validationMessages ? { validation_messages: err.validationMessages } : {}),
          id: randomUUID(),
        };
      } else {
        status = 500;
        body = { status_code: '500', status_message: 'Sorry, we encountered internal server error. We will fix this soon.', id: randomUUID() };
      }
    }
    record.status = status;
    this.requests.push(record);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private route(method: string, path: string, body: unknown, headers: http.IncomingHttpHeaders): Json {
    if (path === '/v2/charge') {
      if (method !== 'POST') throw new MidtransHttpError(405, 'HTTP method not allowed');
      return this.charge(body, headers);
    }
    const action = /^\/v2\/([^/]+)\/(status|cancel|expire)$/.exec(path);
    if (!action) throw new MidtransHttpError(404, 'The requested resource is not found');
    const id = decodeURIComponent(action[1] ?? '');
    const verb = action[2];
    if ((verb === 'status') !== (method === 'GET') || (method !== 'GET' && method !== 'POST')) {
      throw new MidtransHttpError(405, 'HTTP method not allowed');
    }
    const tx = this.transaction(id);
    if (!tx) throw notFound();
    if (verb === 'status') return this.statusOf(tx);
    if (tx.status !== 'pending') throw notModifiable();
    if (verb === 'cancel') {
      tx.status = 'cancel';
      this.notifyInBackground(tx);
      return { ...this.transactionFields(tx, 'cancel', '200'), status_message: 'Success, transaction is canceled' };
    }
    tx.status = 'expire';
    tx.expiryTime = new Date();
    this.notifyInBackground(tx);
    // Midtrans' success code for expire is 407 (the SDKs special-case it).
    return { ...this.transactionFields(tx, 'expire', '407'), status_message: 'Success, transaction has expired' };
  }

  private statusOf(tx: FakeMidtransTransaction): Json {
    if (tx.status === 'expire') {
      // An expired transaction's status answers 407 in the body; midtrans-client resolves it.
      return { ...this.transactionFields(tx, 'expire', '407'), status_message: 'Success, transaction has expired' };
    }
    return { ...this.transactionFields(tx, tx.status), status_message: 'Success, transaction is found' };
  }

  private notifyInBackground(tx: FakeMidtransTransaction): void {
    if (this.notificationUrls(tx).length === 0) return;
    void this.notify(tx.transactionId).catch(() => undefined);
  }

  private charge(body: unknown, headers: http.IncomingHttpHeaders): Json {
    const key = headerValue(headers['idempotency-key']);
    // Keys longer than 46 characters are ignored by Midtrans (spec §1).
    const useKey = key && key.length <= IDEMPOTENCY_KEY_MAX ? key : undefined;
    if (useKey) {
      const seen = this.idempotent.get(useKey);
      if (seen && Date.now() - seen.at < this.idempotencyWindowMs) return seen.body;
    }
    if (!isObject(body)) throw invalid('payment_type is required', 'transaction_details is required');
    if (body.payment_type === undefined) throw invalid('payment_type is required');
    if (body.payment_type !== 'qris') throw new MidtransHttpError(402, "Merchant doesn't have access for this payment type");
    const details = body.transaction_details;
    if (!isObject(details)) throw invalid('transaction_details is required');
    const orderId = details.order_id;
    if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) {
      throw invalid('transaction_details.order_id must be 1-50 characters of letters, digits, "-", "_", "~" or "."');
    }
    const gross = wholeNumber(details.gross_amount);
    if (gross === null) throw invalid('transaction_details.gross_amount must be a whole number of rupiah');
    if (gross < 1 || gross > 10_000_000) throw invalid('transaction_details.gross_amount must be between 1 and 10000000 for QRIS');
    if (body.item_details !== undefined) {
      if (!Array.isArray(body.item_details)) throw invalid('item_details must be an array');
      let sum = 0;
      for (const [index, item] of body.item_details.entries()) {
        const price = isObject(item) ? wholeNumber(item.price) : null;
        const quantity = isObject(item) ? wholeNumber(item.quantity) : null;
        if (price === null || quantity === null || quantity < 1) throw invalid(`item_details[${index}] needs a whole price and a quantity of at least 1`);
        if (isObject(item) && typeof item.name === 'string' && item.name.length > 50) throw invalid(`item_details[${index}].name is longer than 50`);
        sum += price * quantity;
      }
      if (sum !== gross) throw invalid('transaction_details.gross_amount is not equal to the sum of item_details');
    }
    for (const field of ['custom_field1', 'custom_field2', 'custom_field3']) {
      const value = body[field];
      if (value !== undefined && (typeof value !== 'string' || value.length > 255)) throw invalid(`${field} must be a string of at most 255 characters`);
    }
    const qris = body.qris;
    const acquirer = isObject(qris) && qris.acquirer !== undefined ? qris.acquirer : 'gopay';
    if (acquirer !== 'gopay' && acquirer !== 'airpay shopee') throw invalid('qris.acquirer must be gopay or airpay shopee');

    const now = new Date();
    let expiryTime = new Date(now.getTime() + 15 * 60_000);
    if (body.custom_expiry !== undefined) {
      const expiry = body.custom_expiry;
      if (!isObject(expiry)) throw invalid('custom_expiry must be an object');
      const unit = expiry.unit ?? 'minute';
      const unitMs = typeof unit === 'string' ? EXPIRY_UNITS[unit] : undefined;
      if (!unitMs) throw invalid('custom_expiry.unit must be second, minute, hour or day');
      const duration = wholeNumber(expiry.expiry_duration);
      if (duration === null || duration < 1) throw invalid('custom_expiry.expiry_duration must be a positive whole number');
      let start = now;
      if (expiry.order_time !== undefined) {
        const parsed = typeof expiry.order_time === 'string' ? parseWibOrderTime(expiry.order_time) : null;
        if (!parsed) throw invalid('custom_expiry.order_time must be formatted as yyyy-MM-dd HH:mm:ss Z');
        start = parsed;
      }
      const ms = duration * unitMs;
      if (ms < 20_000 || ms > MAX_EXPIRY_MS) throw invalid('custom_expiry must be between 20 seconds and 7 days');
      expiryTime = new Date(start.getTime() + ms);
      if (expiryTime.getTime() <= now.getTime()) throw invalid('custom_expiry has already passed');
    }

    const existing = this.byOrderId.get(orderId);
    if (existing) {
      this.applyExpiry(existing);
      if (existing.status !== 'expire' && existing.status !== 'cancel') {
        throw new MidtransHttpError(406, 'order_id has been paid and utilized, please use another order ID');
      }
    }
    const transactionId = randomUUID();
    const tx: FakeMidtransTransaction = {
      transactionId,
      orderId,
      grossAmount: money(gross),
      acquirer,
      status: 'pending',
      fraudStatus: 'accept',
      transactionTime: now,
      expiryTime,
      qrString: buildQrisPayload({
        amountIdr: gross,
        referenceLabel: transactionId.replace(/-/g, ''),
        acquirerId: acquirer === 'gopay' ? 'COM.GO-JEK.WWW' : 'ID.CO.SHOPEE.WWW',
      }),
      request: body,
    };
    const override = headerValue(headers['x-override-notification']);
    const append = headerValue(headers['x-append-notification']);
    if (override) tx.overrideNotification = splitUrls(override);
    else if (append) tx.appendNotification = splitUrls(append);
    this.byTransactionId.set(transactionId, tx);
    this.byOrderId.set(orderId, tx);

    const response: Json = {
      status_code: '201',
      status_message: 'QRIS transaction is created',
      transaction_id: transactionId,
      order_id: orderId,
      merchant_id: this.merchantId,
      gross_amount: tx.grossAmount,
      currency: 'IDR',
      payment_type: 'qris',
      transaction_time: formatWib(now),
      transaction_status: 'pending',
      fraud_status: 'accept',
      acquirer,
      actions: [
        { name: 'generate-qr-code', method: 'GET', url: `${this.baseUrl}/v2/qris/${transactionId}/qr-code` },
        { name: 'generate-qr-code-v2', method: 'GET', url: `${this.baseUrl}/v4/qris/${transactionId}/qr-code` },
      ],
      qr_string: tx.qrString,
      expiry_time: formatWib(expiryTime),
    };
    if (useKey) this.idempotent.set(useKey, { at: Date.now(), body: response });
    return response;
  }

  private async serveQrImage(transactionId: string, res: http.ServerResponse): Promise<void> {
    const tx = this.byTransactionId.get(transactionId);
    if (!tx) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status_code: '404', status_message: "Transaction doesn't exist.", id: randomUUID() }));
      return;
    }
    // qrcode is the dashboard's QR renderer (hoisted in the workspace); loaded only when an image is asked for.
    const { default: QRCode } = await import('qrcode');
    const png = await QRCode.toBuffer(tx.qrString, { type: 'png', margin: 0 });
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(png);
  }
}

export async function startFakeMidtrans(opts: FakeMidtransOptions): Promise<FakeMidtrans> {
  return new FakeMidtrans(opts).listen();
}

function signature(orderId: string, statusCode: string, grossAmount: string, serverKey: string): string {
  return createHash('sha512').update(`${orderId}${statusCode}${grossAmount}${serverKey}`).digest('hex');
}

/** A stable UUID-shaped id derived from another (merchant_cross_reference_id needs no meaning here). */
function randomUUIDFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function postNotification(url: string, body: Json): Promise<number> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'Veritrans' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  } catch {
    return 0;
  }
}

function splitUrls(header: string): string[] {
  return header
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .slice(0, 3);
}

function wholeNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return null;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return readTextBody(req, 1024 * 1024, () => invalid('request body is too large'));
}

/**
 * The JSON body as midtrans-client sends it: `{}` on GET status, `null` on cancel/expire, an object
 * on charge. Undefined when there is no body; a body that is not JSON is a 400, like Midtrans.
 */
function parseJsonBody(raw: string, contentType: string | undefined): unknown {
  if (raw.trim() === '') return undefined;
  if (!contentType?.toLowerCase().startsWith('application/json')) throw invalid('Content-Type must be application/json');
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw invalid('request body is not valid JSON');
  }
}
