/**
 * What the billing pages show about money and payments, shared by the server modules and the
 * components (no server code here): rupiah and credit amounts, the catalog keys of a payment's
 * status and of a ledger entry's kind, and the realtime events the billing pages follow.
 */
import type { Locale, MessageKey } from '@sapa/shared/i18n';
import type { EventType } from '@sapa/shared/realtime/event-types';
import type { PaymentStatusValue } from '@sapa/shared/models/payment';
import type { LedgerKind } from '@sapa/shared/models/credit-ledger';

/**
 * A payment's status, a balance that moved (a top-up, a reply's cost) and an owner alert: what the
 * billing pages reload on. Module-level, as the live hook requires a stable list.
 */
export const BILLING_EVENTS: readonly EventType[] = ['paymentUpdated', 'balanceChanged', 'noticeRaised'];

const GROUP_SEPARATOR: Record<Locale, string> = { id: '.', en: ',' };

/**
 * An integer with its thousands grouped the way the reader writes them (`100.000` / `100,000`).
 * Written out rather than through Intl so the server's HTML and the browser's hydration agree
 * to the character whatever ICU data either side has.
 */
export function formatNumber(value: number, locale: Locale): string {
  const whole = Math.trunc(value);
  const digits = String(Math.abs(whole));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP_SEPARATOR[locale]);
  return whole < 0 ? `−${grouped}` : grouped;
}

/** Rupiah as Indonesian prices are written: `Rp150.000` (no decimals: IDR has none in practice). */
export function formatIdr(amount: number, locale: Locale): string {
  return `Rp${formatNumber(amount, locale)}`;
}

/** A credit change with its sign: `+100.000`, `−1.250`. */
export function formatSignedCredits(amount: number, locale: Locale): string {
  return amount > 0 ? `+${formatNumber(amount, locale)}` : formatNumber(amount, locale);
}

/** A payment that will not change any more; its page offers to try again. */
export const FINAL_PAYMENT_STATUSES: readonly PaymentStatusValue[] = ['paid', 'expired', 'cancelled', 'failed', 'flagged'];
/** A payment the owner may still give up on. */
export const CANCELLABLE_PAYMENT_STATUSES: readonly PaymentStatusValue[] = ['created', 'pending'];

export function paymentStatusKey(status: PaymentStatusValue): MessageKey {
  return `billing.payment.status.${status}`;
}

export function ledgerKindKey(kind: LedgerKind): MessageKey {
  return `billing.history.kind.${kind}`;
}
