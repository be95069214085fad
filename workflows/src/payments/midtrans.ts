/**
 * The Midtrans QRIS adapter: dynamic QRIS charges through midtrans-client's CoreApi
 * (`POST /v2/charge` with `payment_type: "qris"`), status, cancel and expire, each failure mapped
 * to a PaymentProviderError (shared/specs/midtrans-qris.md).
 *
 * Every provider instance has its own base URL (the spec's per-instance override of
 * `getCoreApiBaseUrl`), never the process-wide ApiConfig statics, so tests and several
 * configurations can live in one process. Charges carry an `Idempotency-Key` (the order id): an
 * activity retry after a lost response gets the first answer back instead of a 406.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { midtransPaymentState, parseIdrAmount } from '@sapa/shared/payments/notifications';
import {
  ORDER_ID_PATTERN,
  PaymentProviderError,
  qrisChargeRequestSchema,
  type PaymentProviderErrorKind,
  type PaymentStatus,
  type QrisCharge,
  type QrisChargeRequest,
  type QrisProvider,
} from '@sapa/shared/payments/types';

export const MIDTRANS_SANDBOX_URL = 'https://api.sandbox.midtrans.com';
export const MIDTRANS_PRODUCTION_URL = 'https://api.midtrans.com';

export interface MidtransProviderOptions {
  serverKey: string;
  /** Core API root; default: the sandbox, or production when `isProduction`. */
  baseUrl?: string;
  isProduction: boolean;
  /** The QRIS acquirer: GoPay (default) or ShopeePay (`airpay shopee`). */
  acquirer?: 'gopay' | 'airpay shopee';
  /** One HTTP call may take this long (axios waits forever by default). Default 30 s. */
  timeoutMs?: number;
}

// midtrans-client ships no type declarations: these are the parts of its CommonJS API this adapter
// uses (lib/coreApi.js, lib/transaction.js, lib/httpClient.js, lib/midtransError.js in 1.4.3).
interface AxiosLikeRequest {
  url?: string;
  data?: unknown;
  headers: { set(name: string, value: string): unknown };
}
interface MidtransCoreApi {
  apiConfig: { getCoreApiBaseUrl(): string };
  httpClient: {
    http_client: {
      defaults: { timeout?: number };
      interceptors: { request: { use(onFulfilled: (config: AxiosLikeRequest) => AxiosLikeRequest): number } };
    };
  };
  charge(parameter: object): Promise<unknown>;
  transaction: {
    status(id: string): Promise<unknown>;
    cancel(id: string): Promise<unknown>;
    expire(id: string): Promise<unknown>;
  };
}
interface MidtransErrorLike extends Error {
  httpStatusCode: number | string | null;
  ApiResponse: unknown;
}
interface MidtransClientModule {
  CoreApi: new (options: { isProduction: boolean; serverKey: string; clientKey: string }) => MidtransCoreApi;
  MidtransError: abstract new (...args: never[]) => MidtransErrorLike;
}

const midtransClient = createRequire(import.meta.url)('midtrans-client') as MidtransClientModule;

/** Midtrans ignores longer Idempotency-Keys (spec §1); order ids are validated to fit. */
const IDEMPOTENCY_KEY_MAX = 46;

const chargeResponseSchema = z.object({
  transaction_id: z.string().min(1),
  order_id: z.string().min(1),
  gross_amount: z.string().min(1),
  transaction_status: z.string().min(1),
  qr_string: z.string().min(1),
  expiry_time: z.string().nullish(),
});

const statusResponseSchema = z.object({
  transaction_id: z.string().min(1),
  order_id: z.string().min(1),
  gross_amount: z.string().min(1),
  transaction_status: z.string().min(1),
  fraud_status: z.string().nullish(),
  currency: z.string().nullish(),
  settlement_time: z.string().nullish(),
});

export function createMidtransProvider(options: MidtransProviderOptions): QrisProvider {
  if (!options.serverKey) throw new PaymentProviderError('auth', 'Midtrans needs a server key', { provider: 'midtrans' });
  const baseUrl = (options.baseUrl ?? (options.isProduction ? MIDTRANS_PRODUCTION_URL : MIDTRANS_SANDBOX_URL)).replace(/\/+$/, '');
  const acquirer = options.acquirer ?? 'gopay';
  const core = new midtransClient.CoreApi({ isProduction: options.isProduction, serverKey: options.serverKey, clientKey: '' });
  core.apiConfig.getCoreApiBaseUrl = () => baseUrl;
  core.httpClient.http_client.defaults.timeout = options.timeoutMs ?? 30_000;
  // midtrans-client has no option for request headers; an interceptor sees each request's own body,
  // so concurrent charges on one instance cannot mix up their keys.
  core.httpClient.http_client.interceptors.request.use((config) => {
    const orderId = chargeOrderId(config);
    if (orderId && orderId.length <= IDEMPOTENCY_KEY_MAX) config.headers.set('Idempotency-Key', orderId);
    return config;
  });

  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toProviderError(what, error);
    }
  }

  /** The status as a PaymentStatus, checking it is the order we asked about. */
  function toStatus(orderId: string, body: unknown): PaymentStatus {
    const parsed = statusResponseSchema.safeParse(body);
    if (!parsed.success) throw new PaymentProviderError('transient', 'Midtrans answered with an unexpected status body', { provider: 'midtrans' });
    const s = parsed.data;
    if (s.order_id !== orderId) {
      throw new PaymentProviderError('rejected', `Midtrans answered for order ${s.order_id}, not ${orderId}`, { provider: 'midtrans' });
    }
    const amountIdr = parseIdrAmount(s.gross_amount);
    if (amountIdr === null) throw new PaymentProviderError('rejected', `Midtrans gross_amount "${s.gross_amount}" is not whole rupiah`, { provider: 'midtrans' });
    const state = midtransPaymentState(s.transaction_status, s.fraud_status);
    const paidAt = state === 'paid' && s.settlement_time ? parseWib(s.settlement_time) : undefined;
    return {
      state,
      amountIdr,
      currency: s.currency ?? 'IDR',
      providerRef: s.transaction_id,
      ...(paidAt ? { paidAt } : {}),
      providerStatus: s.fraud_status ? `${s.transaction_status}/${s.fraud_status}` : s.transaction_status,
      raw: body,
    };
  }

  async function getStatus(orderId: string, providerRef: string): Promise<PaymentStatus | null> {
    const id = pathId(orderId, providerRef);
    try {
      return toStatus(orderId, await core.transaction.status(id));
    } catch (error) {
      if (error instanceof PaymentProviderError) throw error;
      const mapped = toProviderError('status', error);
      if (mapped.kind === 'not_found') return null;
      throw mapped;
    }
  }

  /** Cancel or expire; when Midtrans refuses because it is too late (412), the current status says why. */
  async function stop(verb: 'cancel' | 'expire', orderId: string, providerRef: string): Promise<PaymentStatus> {
    const id = pathId(orderId, providerRef);
    try {
      return toStatus(orderId, await core.transaction[verb](id));
    } catch (error) {
      if (error instanceof PaymentProviderError) throw error;
      const mapped = toProviderError(verb, error);
      if (mapped.status !== 412) throw mapped;
      const status = await getStatus(orderId, providerRef);
      if (!status) throw new PaymentProviderError('not_found', `Midtrans does not know order ${orderId}`, { provider: 'midtrans', status: 404 });
      return status;
    }
  }

  return {
    id: 'midtrans',

    async createQris(request: QrisChargeRequest): Promise<QrisCharge> {
      const req = validRequest(request);
      const now = new Date();
      const orderTime = new Date(Math.floor(now.getTime() / 1000) * 1000);
      const seconds = Math.floor((req.expiresAt.getTime() - orderTime.getTime()) / 1000);
      // Midtrans' floor for QRIS expiry is 20 seconds (spec §2).
      if (seconds < 20) throw new PaymentProviderError('rejected', 'expiresAt must be at least 20 seconds away', { provider: 'midtrans' });
      const metadata = req.metadata ? JSON.stringify(req.metadata) : undefined;
      const body = {
        payment_type: 'qris',
        transaction_details: { order_id: req.orderId, gross_amount: req.amountIdr },
        qris: { acquirer },
        custom_expiry: { order_time: formatWibWithZone(orderTime), expiry_duration: seconds, unit: 'second' },
        // Midtrans checks that the items add up to gross_amount; one line names the purchase for the payer.
        item_details: [{ id: 'qris-topup', price: req.amountIdr, quantity: 1, name: req.description.slice(0, 50) }],
        // custom_field1 holds at most 255 characters: metadata is informational, our database has the link.
        ...(metadata && metadata.length <= 255 ? { custom_field1: metadata } : {}),
      };
      const response = await call('charge', () => core.charge(body));
      const parsed = chargeResponseSchema.safeParse(response);
      if (!parsed.success) throw new PaymentProviderError('transient', 'Midtrans answered the charge without a QRIS payload', { provider: 'midtrans' });
      const c = parsed.data;
      const amountIdr = parseIdrAmount(c.gross_amount);
      // An Idempotency-Key replay returns the first charge of this order id: only the same charge is "the same".
      if (c.order_id !== req.orderId || amountIdr !== req.amountIdr) {
        throw new PaymentProviderError('duplicate', `order ${req.orderId} was already charged with Rp${c.gross_amount}`, { provider: 'midtrans', code: 'idempotency_replay' });
      }
      return {
        provider: 'midtrans',
        orderId: c.order_id,
        providerRef: c.transaction_id,
        qrString: c.qr_string,
        expiresAt: (c.expiry_time ? parseWib(c.expiry_time) : undefined) ?? req.expiresAt,
        amountIdr,
        raw: response,
      };
    },

    getStatus,
    cancel: (orderId, providerRef) => stop('cancel', orderId, providerRef),
    expire: (orderId, providerRef) => stop('expire', orderId, providerRef),
  };
}

function validRequest(request: QrisChargeRequest): QrisChargeRequest {
  const parsed = qrisChargeRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new PaymentProviderError('rejected', `invalid QRIS charge: ${parsed.error.issues.map((i) => i.message).join('; ')}`, { provider: 'midtrans' });
  }
  return parsed.data;
}

/** The id for `/v2/{id}/…`: the transaction id when known. midtrans-client does not URL-encode it. */
function pathId(orderId: string, providerRef: string): string {
  const id = providerRef || orderId;
  if (!ORDER_ID_PATTERN.test(id) && !/^[0-9a-fA-F-]{36}$/.test(id)) {
    throw new PaymentProviderError('rejected', `"${id}" is not a Midtrans order or transaction id`, { provider: 'midtrans' });
  }
  return id;
}

function chargeOrderId(config: AxiosLikeRequest): string | undefined {
  if (!config.url?.endsWith('/v2/charge')) return undefined;
  const data = config.data as { transaction_details?: { order_id?: unknown } } | null | undefined;
  const orderId = data?.transaction_details?.order_id;
  return typeof orderId === 'string' ? orderId : undefined;
}

function toProviderError(what: string, error: unknown): PaymentProviderError {
  if (error instanceof PaymentProviderError) return error;
  if (error instanceof midtransClient.MidtransError) {
    const status = error.httpStatusCode === null ? undefined : Number(error.httpStatusCode);
    const body = error.ApiResponse as { status_message?: unknown; validation_messages?: unknown } | null;
    const detail = [body?.status_message, ...(Array.isArray(body?.validation_messages) ? body.validation_messages : [])]
      .filter((part): part is string => typeof part === 'string')
      .join('; ');
    const message = `Midtrans ${what} failed${status ? ` (${status})` : ''}: ${detail || error.message}`;
    return new PaymentProviderError(kindOf(status), message, {
      provider: 'midtrans',
      ...(status !== undefined && !Number.isNaN(status) ? { status, code: String(status) } : {}),
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PaymentProviderError('transient', `Midtrans ${what} failed: ${message}`, { provider: 'midtrans', cause: error });
}

function kindOf(status: number | undefined): PaymentProviderErrorKind {
  if (status === undefined || Number.isNaN(status)) return 'transient'; // no HTTP answer: network
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 406 || status === 409) return 'duplicate';
  if (status === 429 || status >= 500) return 'transient';
  return 'rejected';
}

/** Midtrans' `YYYY-MM-DD HH:mm:ss`, which is WIB (GMT+7). */
function parseWib(text: string): Date | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = new Date(`${match[1]}T${match[2]}+07:00`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** `yyyy-MM-dd HH:mm:ss +0700`, custom_expiry's order_time. */
function formatWibWithZone(date: Date): string {
  return `${new Date(date.getTime() + 7 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')} +0700`;
}
