/**
 * The payment provider port for QRIS top-ups and the normalized shapes it speaks. The top-up
 * workflow's activities only see these; each provider (Midtrans, Xendit) is one adapter in
 * workflows/src/payments/, so the workflow does not change when the provider does.
 */
import { z } from 'zod';

export type PaymentProviderId = 'midtrans' | 'xendit';

/** QRIS limits at the acquirer (Rp1 .. Rp10,000,000 per transaction; payers' apps may cap lower). */
export const QRIS_MIN_AMOUNT_IDR = 1;
export const QRIS_MAX_AMOUNT_IDR = 10_000_000;

/**
 * Order ids go to Midtrans as `order_id` (letters, digits, `-_~.`, at most 50) and as the
 * `Idempotency-Key` header, which Midtrans ignores beyond 46 characters; Xendit takes them as
 * `reference_id` and `idempotency-key`. 46 safe characters fit all of them.
 */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9\-_~.]{1,46}$/;

export const qrisChargeRequestSchema = z.object({
  orderId: z.string().regex(ORDER_ID_PATTERN, 'orderId: 1-46 letters, digits, "-", "_", "~" or "."'),
  amountIdr: z.number().int().min(QRIS_MIN_AMOUNT_IDR).max(QRIS_MAX_AMOUNT_IDR),
  expiresAt: z.date(),
  description: z.string().min(1).max(255),
  metadata: z.record(z.string(), z.string()).optional(),
});

export interface QrisChargeRequest {
  /** Our id of the payment, unique per charge: the provider's order / reference id and idempotency key. */
  orderId: string;
  /** Whole rupiah. */
  amountIdr: number;
  /** When the QR stops being payable (the provider may round it to the second). */
  expiresAt: Date;
  /** Shown to the payer where the provider shows one (Midtrans item name, Xendit description). */
  description: string;
  metadata?: Record<string, string>;
}

/** A dynamic QRIS charge the provider created and the dashboard renders. */
export interface QrisCharge {
  provider: PaymentProviderId;
  orderId: string;
  /** The provider's id of the charge: Midtrans `transaction_id`, Xendit payment request id (`pr-…`). */
  providerRef: string;
  /** The EMVCo/QRIS payload to render as a QR code. */
  qrString: string;
  expiresAt: Date;
  amountIdr: number;
  /** The provider's response, for the payment record and support. */
  raw: unknown;
}

/**
 * Where a payment stands. Only `paid` may credit an account; `refunded` also covers chargebacks
 * and partial refunds (money went back to the payer: never credit, reverse if credited).
 */
export type PaymentState = 'pending' | 'paid' | 'expired' | 'cancelled' | 'failed' | 'refunded' | 'unknown';

export interface PaymentStatus {
  state: PaymentState;
  /** The amount the provider reports for this charge: compare it with the expected one before crediting. */
  amountIdr: number;
  currency: string;
  providerRef: string;
  paidAt?: Date;
  /** The provider's own words for the status (`settlement/accept`, `SUCCEEDED`), for logs and support. */
  providerStatus: string;
  /**
   * Set when a cancel or expire could only be recorded on our side: the provider cannot void the QR, which stays
   * payable until then, so a payment arriving before it must still be honoured (or refunded).
   */
  payableUntil?: Date;
  raw: unknown;
}

export interface QrisProvider {
  readonly id: PaymentProviderId;
  /**
   * Creates the charge. Calling it again with the same orderId and amount (an activity retry after
   * a lost response) returns the same charge where the provider allows it; otherwise it fails with
   * a `duplicate` error.
   */
  createQris(request: QrisChargeRequest): Promise<QrisCharge>;
  /** The provider's current view of the charge; `null` when the provider does not know it. */
  getStatus(orderId: string, providerRef: string): Promise<PaymentStatus | null>;
  /**
   * Stops a pending charge. When it is too late (already paid, expired) this resolves with that
   * status rather than failing, so the caller sees a payment that raced the cancel.
   */
  cancel(orderId: string, providerRef: string): Promise<PaymentStatus>;
  /**
   * Ends a pending charge whose time is up (same race rule as cancel). Where the provider cannot
   * expire it on request, the result is recorded on our side with `payableUntil`.
   */
  expire(orderId: string, providerRef: string): Promise<PaymentStatus>;
}

export type PaymentProviderErrorKind = 'auth' | 'rejected' | 'duplicate' | 'not_found' | 'transient';

/**
 * A provider call failed. Only `transient` (network, 429, 5xx) is worth retrying; the others need
 * a person (auth: wrong keys) or a different request (rejected, duplicate, not_found).
 */
export class PaymentProviderError extends Error {
  override name = 'PaymentProviderError';
  readonly status?: number;
  /** The provider's error code or status code (`IDEMPOTENCY_ERROR`, `406`). */
  readonly code?: string;
  readonly provider?: PaymentProviderId;

  constructor(
    readonly kind: PaymentProviderErrorKind,
    message: string,
    details: { status?: number; code?: string; provider?: PaymentProviderId; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.status !== undefined) this.status = details.status;
    if (details.code !== undefined) this.code = details.code;
    if (details.provider !== undefined) this.provider = details.provider;
  }

  get retryable(): boolean {
    return this.kind === 'transient';
  }
}
