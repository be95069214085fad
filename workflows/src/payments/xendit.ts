/**
 * The Xendit QRIS adapter: dynamic QRIS through xendit-node's Payment Requests API (`POST
 * /payment_requests` with a one-time QR_CODE/QRIS payment method), status by payment request id,
 * each failure mapped to a PaymentProviderError (shared/specs/xendit-qris.md §2).
 *
 * The order id is both `reference_id` and `idempotency-key`, so an activity retry gets the same
 * payment request back. Xendit has no call that voids a pending QR payment request (xendit-node
 * 7.0.0 has none, and the QR is created with our expiry so Xendit expires it itself): `cancel` and
 * `expire` of a pending request are recorded on our side only and say until when the QR stays payable.
 *
 * The API class is constructed directly rather than through `new Xendit()`, whose constructor
 * prints a console warning for every test key.
 */
import { PaymentRequest as PaymentRequestApi, XenditSdkError } from 'xendit-node';
import type { PaymentRequest as XenditPaymentRequest } from 'xendit-node/payment_request/models';
import { xenditPaymentState } from '@sapa/shared/payments/notifications';
import {
  PaymentProviderError,
  qrisChargeRequestSchema,
  type PaymentProviderErrorKind,
  type PaymentStatus,
  type QrisCharge,
  type QrisChargeRequest,
  type QrisProvider,
} from '@sapa/shared/payments/types';

export const XENDIT_API_URL = 'https://api.xendit.co';

export interface XenditProviderOptions {
  secretKey: string;
  /** API root; default https://api.xendit.co (test and live mode share it: the key decides). */
  baseUrl?: string;
}

/** Error codes meaning "this idempotency key / reference was used before". */
const DUPLICATE_CODES = new Set(['IDEMPOTENCY_ERROR', 'DUPLICATE_ERROR', 'DUPLICATE_REFERENCE']);

export function createXenditProvider(options: XenditProviderOptions): QrisProvider {
  if (!options.secretKey) throw new PaymentProviderError('auth', 'Xendit needs a secret key', { provider: 'xendit' });
  const api = new PaymentRequestApi({ secretKey: options.secretKey, xenditURL: (options.baseUrl ?? XENDIT_API_URL).replace(/\/+$/, '') });

  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toProviderError(what, error);
    }
  }

  /** The latest payment request of an order (for retries whose first answer was lost). */
  async function findByReference(orderId: string): Promise<XenditPaymentRequest | undefined> {
    const list = await call('list', () => api.getAllPaymentRequests({ referenceId: [orderId], limit: 10 }));
    return list.data.find((pr) => pr.referenceId === orderId);
  }

  async function getStatus(orderId: string, providerRef: string): Promise<PaymentStatus | null> {
    let pr: XenditPaymentRequest | undefined;
    if (providerRef) {
      try {
        pr = await api.getPaymentRequestByID({ paymentRequestId: providerRef });
      } catch (error) {
        const mapped = toProviderError('status', error);
        if (mapped.kind === 'not_found') return null;
        throw mapped;
      }
    } else {
      pr = await findByReference(orderId);
      if (!pr) return null;
    }
    return toStatus(orderId, pr);
  }

  return {
    id: 'xendit',

    async createQris(request: QrisChargeRequest): Promise<QrisCharge> {
      const req = validRequest(request);
      let pr: XenditPaymentRequest;
      try {
        pr = await api.createPaymentRequest({
          idempotencyKey: req.orderId,
          data: {
            referenceId: req.orderId,
            amount: req.amountIdr,
            currency: 'IDR',
            description: req.description,
            paymentMethod: {
              type: 'QR_CODE',
              reusability: 'ONE_TIME_USE',
              qrCode: { channelCode: 'QRIS', channelProperties: { expiresAt: req.expiresAt } },
            },
            ...(req.metadata ? { metadata: req.metadata } : {}),
          },
        });
      } catch (error) {
        const mapped = toProviderError('create', error);
        if (mapped.kind !== 'duplicate') throw mapped;
        // The key was used before: if that request is this very charge (a retry), it is the answer.
        const existing = await findByReference(req.orderId);
        if (!existing || existing.amount !== req.amountIdr) throw mapped;
        pr = existing;
      }
      const qr = pr.paymentMethod.qrCode?.channelProperties;
      if (!qr?.qrString) throw new PaymentProviderError('transient', 'Xendit answered without a QRIS string', { provider: 'xendit' });
      if (pr.referenceId !== req.orderId || pr.amount !== req.amountIdr) {
        throw new PaymentProviderError('duplicate', `order ${req.orderId} already has a payment request of Rp${pr.amount ?? '?'}`, { provider: 'xendit' });
      }
      return {
        provider: 'xendit',
        orderId: req.orderId,
        providerRef: pr.id,
        qrString: qr.qrString,
        expiresAt: qr.expiresAt ?? req.expiresAt,
        amountIdr: req.amountIdr,
        raw: pr,
      };
    },

    getStatus,

    cancel: (orderId, providerRef) => endLocally('cancelled', orderId, providerRef),
    expire: (orderId, providerRef) => endLocally('expired', orderId, providerRef),
  };

  /**
   * Cancel and expire: the provider's status when it is no longer pending (paid in the meantime,
   * expired), else `state` recorded on our side with the time until which the QR stays payable.
   */
  async function endLocally(state: 'cancelled' | 'expired', orderId: string, providerRef: string): Promise<PaymentStatus> {
    const status = await getStatus(orderId, providerRef);
    if (!status) throw new PaymentProviderError('not_found', `Xendit does not know order ${orderId}`, { provider: 'xendit', status: 404 });
    if (status.state !== 'pending') return status;
    const payableUntil = (status.raw as XenditPaymentRequest).paymentMethod.qrCode?.channelProperties?.expiresAt;
    return { ...status, state, ...(payableUntil ? { payableUntil } : {}) };
  }
}

function validRequest(request: QrisChargeRequest): QrisChargeRequest {
  const parsed = qrisChargeRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new PaymentProviderError('rejected', `invalid QRIS charge: ${parsed.error.issues.map((i) => i.message).join('; ')}`, { provider: 'xendit' });
  }
  return parsed.data;
}

function toStatus(orderId: string, pr: XenditPaymentRequest): PaymentStatus {
  if (pr.referenceId !== orderId) {
    throw new PaymentProviderError('rejected', `Xendit payment request ${pr.id} belongs to ${pr.referenceId}, not ${orderId}`, { provider: 'xendit' });
  }
  if (pr.amount === undefined) throw new PaymentProviderError('transient', `Xendit payment request ${pr.id} has no amount`, { provider: 'xendit' });
  const state = xenditPaymentState(pr.status);
  const paidAt = state === 'paid' ? new Date(pr.updated) : undefined;
  return {
    state,
    amountIdr: pr.amount,
    currency: pr.currency,
    providerRef: pr.id,
    ...(paidAt && !Number.isNaN(paidAt.getTime()) ? { paidAt } : {}),
    providerStatus: pr.status,
    raw: pr,
  };
}

function toProviderError(what: string, error: unknown): PaymentProviderError {
  if (error instanceof PaymentProviderError) return error;
  if (error instanceof XenditSdkError) {
    // Typed as a string in the SDK's declarations, but it is the HTTP status number.
    const status = Number.isInteger(Number(error.status)) && Number(error.status) > 0 ? Number(error.status) : undefined;
    const code = typeof error.errorCode === 'string' ? error.errorCode : undefined;
    const message = `Xendit ${what} failed${status ? ` (${status}${code ? ` ${code}` : ''})` : ''}: ${error.errorMessage || error.message}`;
    return new PaymentProviderError(kindOf(status, code), message, {
      provider: 'xendit',
      ...(status !== undefined ? { status } : {}),
      ...(code ? { code } : {}),
      cause: error,
    });
  }
  // fetch() rejects with a TypeError when the connection fails.
  const message = error instanceof Error ? error.message : String(error);
  return new PaymentProviderError('transient', `Xendit ${what} failed: ${message}`, { provider: 'xendit', cause: error });
}

function kindOf(status: number | undefined, code: string | undefined): PaymentProviderErrorKind {
  if (code && DUPLICATE_CODES.has(code)) return 'duplicate';
  if (status === undefined) return 'transient';
  if (status === 401 || code === 'INVALID_API_KEY' || code === 'REQUEST_FORBIDDEN_ERROR') return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'duplicate';
  if (status === 429 || status >= 500) return 'transient';
  return 'rejected';
}
