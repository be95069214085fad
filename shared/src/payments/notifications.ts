/**
 * Verifying and reading payment providers' notifications (pure functions, used by the gateway
 * before it signals the top-up workflow, and by the adapters to read status responses):
 * Midtrans HTTP notifications signed with `signature_key` (SHA-512 over order id, status code,
 * gross amount and the server key) and Xendit Payment Request callbacks authenticated by the
 * `x-callback-token` header. Bodies are parsed leniently: providers add fields at any time.
 *
 * A verified notification is still only a hint: the workflow confirms with the provider's status
 * API before crediting (the Midtrans signature does not cover the transaction status).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { secretsEqual } from '../crypto';
import type { PaymentState } from './types';

/** Why a notification was not accepted; the gateway maps it to an HTTP answer. */
export type NotificationRejection =
  /** Wrong or missing signature / token: answer 401 (a forged request is not retried harmfully). */
  | 'unauthenticated'
  /** Not the expected JSON shape: answer 400. */
  | 'malformed'
  /** Authentic but not an event the top-up flow uses: answer 200 so the provider stops retrying. */
  | 'ignored';

export interface NotificationRejected {
  ok: false;
  reason: NotificationRejection;
  detail: string;
}

// ---------------------------------------------------------------------------------------------
// Money

/**
 * Whole rupiah from a provider's amount string (`"50000.00"`, `"50000"`), or null when it is not a
 * whole non-negative amount (IDR has no minor unit, so `"50000.50"` is not a valid charge amount).
 */
export function parseIdrAmount(amount: string): number | null {
  const match = /^(\d{1,15})(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match || (match[2] !== undefined && Number(match[2]) !== 0)) return null;
  return Number(match[1]);
}

// ---------------------------------------------------------------------------------------------
// Midtrans

/** `signature_key`: lowercase hex SHA-512 of the exact strings, concatenated (no formatting of the amount). */
export function midtransSignature(orderId: string, statusCode: string, grossAmount: string, serverKey: string): string {
  return createHash('sha512').update(`${orderId}${statusCode}${grossAmount}${serverKey}`, 'utf8').digest('hex');
}

/**
 * Midtrans' transaction_status / fraud_status as a PaymentState. Paid means settlement, or capture
 * with fraud_status accept, and a fraud_status (when present) of accept; a fraud deny fails it;
 * a fraud challenge waits for review.
 */
export function midtransPaymentState(transactionStatus: string, fraudStatus?: string | null): PaymentState {
  const fraud = fraudStatus ?? undefined;
  switch (transactionStatus) {
    case 'settlement':
      if (fraud === undefined || fraud === 'accept') return 'paid';
      return fraud === 'deny' ? 'failed' : 'pending';
    case 'capture':
      if (fraud === 'accept') return 'paid';
      return fraud === 'deny' ? 'failed' : 'pending';
    case 'pending':
    case 'authorize':
      return fraud === 'deny' ? 'failed' : 'pending';
    case 'deny':
    case 'failure':
      return 'failed';
    case 'cancel':
      return 'cancelled';
    case 'expire':
      return 'expired';
    case 'refund':
    case 'partial_refund':
    case 'chargeback':
    case 'partial_chargeback':
      return 'refunded';
    default:
      return 'unknown';
  }
}

const midtransNotificationSchema = z.object({
  order_id: z.string().min(1),
  status_code: z.string().min(1),
  gross_amount: z.string().min(1),
  signature_key: z.string().min(1),
  transaction_id: z.string().min(1),
  transaction_status: z.string().min(1),
  fraud_status: z.string().nullish(),
  currency: z.string().nullish(),
  payment_type: z.string().nullish(),
});

export interface MidtransNotification {
  ok: true;
  orderId: string;
  transactionId: string;
  state: PaymentState;
  /** Exactly as sent (`"50000.00"`): it is what the signature covers. */
  grossAmount: string;
  amountIdr: number;
  currency: string;
  statusCode: string;
  transactionStatus: string;
  fraudStatus?: string;
  paymentType?: string;
}

/** Checks a Midtrans HTTP notification's signature_key and reads it. */
export function verifyMidtransNotification(body: unknown, serverKey: string): MidtransNotification | NotificationRejected {
  const parsed = midtransNotificationSchema.safeParse(body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || 'body').join(', ');
    return { ok: false, reason: 'malformed', detail: `not a Midtrans notification (${fields})` };
  }
  const n = parsed.data;
  if (!serverKey) return { ok: false, reason: 'unauthenticated', detail: 'no Midtrans server key configured' };
  const expected = midtransSignature(n.order_id, n.status_code, n.gross_amount, serverKey);
  if (!secretsEqual(n.signature_key.toLowerCase(), expected)) {
    return { ok: false, reason: 'unauthenticated', detail: 'signature_key does not match' };
  }
  const amountIdr = parseIdrAmount(n.gross_amount);
  if (amountIdr === null) return { ok: false, reason: 'malformed', detail: `gross_amount "${n.gross_amount}" is not whole rupiah` };
  return {
    ok: true,
    orderId: n.order_id,
    transactionId: n.transaction_id,
    state: midtransPaymentState(n.transaction_status, n.fraud_status),
    grossAmount: n.gross_amount,
    amountIdr,
    currency: n.currency ?? 'IDR',
    statusCode: n.status_code,
    transactionStatus: n.transaction_status,
    ...(n.fraud_status ? { fraudStatus: n.fraud_status } : {}),
    ...(n.payment_type ? { paymentType: n.payment_type } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Xendit

/** The Payment Requests callback events the top-up flow acts on. */
export const XENDIT_PAYMENT_EVENTS = ['payment.succeeded', 'payment.failed'] as const;

/** A Payment Request (or payment) status as a PaymentState. */
export function xenditPaymentState(status: string): PaymentState {
  switch (status) {
    case 'SUCCEEDED':
      return 'paid';
    case 'PENDING':
    case 'REQUIRES_ACTION':
    case 'AWAITING_CAPTURE':
      return 'pending';
    case 'FAILED':
      return 'failed';
    case 'EXPIRED':
      return 'expired';
    case 'CANCELED':
    case 'VOIDED':
      return 'cancelled';
    default:
      return 'unknown';
  }
}

const xenditCallbackSchema = z.object({
  event: z.string().min(1),
  business_id: z.string().nullish(),
  created: z.string().nullish(),
  data: z.object({
    id: z.string().min(1),
    payment_request_id: z.string().nullish(),
    reference_id: z.string().min(1),
    currency: z.string().min(1),
    amount: z.number().nonnegative(),
    status: z.string().min(1),
    failure_code: z.string().nullish(),
  }),
});

export interface XenditPaymentCallback {
  ok: true;
  event: (typeof XENDIT_PAYMENT_EVENTS)[number];
  /** Our orderId. */
  referenceId: string;
  paymentRequestId?: string;
  /** The payment's id (`py-…`): the dedupe key, redeliveries carry the same one. */
  paymentId: string;
  state: PaymentState;
  amountIdr: number;
  currency: string;
  failureCode?: string;
}

/**
 * Checks a Xendit callback's `x-callback-token` header (constant time) and reads a Payment
 * Requests `payment.succeeded` / `payment.failed` body.
 */
export function verifyXenditCallback(
  callbackToken: string | undefined,
  body: unknown,
  expectedToken: string,
): XenditPaymentCallback | NotificationRejected {
  if (!expectedToken) return { ok: false, reason: 'unauthenticated', detail: 'no Xendit callback token configured' };
  if (callbackToken === undefined || callbackToken === '') {
    return { ok: false, reason: 'unauthenticated', detail: 'x-callback-token header is missing' };
  }
  if (!secretsEqual(callbackToken, expectedToken)) {
    return { ok: false, reason: 'unauthenticated', detail: 'x-callback-token does not match' };
  }
  const event = z.object({ event: z.string() }).safeParse(body);
  if (!event.success) return { ok: false, reason: 'malformed', detail: 'not a Xendit callback (event)' };
  const eventName = XENDIT_PAYMENT_EVENTS.find((known) => known === event.data.event);
  if (!eventName) return { ok: false, reason: 'ignored', detail: `event "${event.data.event}" is not used` };
  const parsed = xenditCallbackSchema.safeParse(body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || 'body').join(', ');
    return { ok: false, reason: 'malformed', detail: `not a Xendit payment callback (${fields})` };
  }
  const d = parsed.data.data;
  if (!Number.isInteger(d.amount)) return { ok: false, reason: 'malformed', detail: `amount ${d.amount} is not whole rupiah` };
  const state = xenditPaymentState(d.status);
  // The event and the status must agree; a success event with another status is not a payment.
  if ((eventName === 'payment.succeeded') !== (state === 'paid')) {
    return { ok: false, reason: 'malformed', detail: `event ${eventName} with status ${d.status}` };
  }
  return {
    ok: true,
    event: eventName,
    referenceId: d.reference_id,
    ...(d.payment_request_id ? { paymentRequestId: d.payment_request_id } : {}),
    paymentId: d.id,
    state,
    amountIdr: d.amount,
    currency: d.currency,
    ...(d.failure_code ? { failureCode: d.failure_code } : {}),
  };
}
