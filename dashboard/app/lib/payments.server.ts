/**
 * Buying with QRIS from the dashboard and one payment's page. Buying records the payment (its
 * price from the server's tables) and starts its workflow (shared `startPurchase`); the workflow
 * creates the charge, and the page shows the QR, the amount, what is bought, when the QR expires
 * and the live status (`paymentUpdated` events). Cancelling signals the workflow, which closes the
 * charge at the provider. A payment is only ever found within the signed-in workspace.
 *
 * After starting or cancelling, the action waits a few seconds for the workflow to move the
 * payment on, so the page it redirects to already shows the QR (or the cancellation), also to a
 * browser without JavaScript, where nothing updates live.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DomainError,
  PaymentModel,
  cancelTopUp,
  conflict,
  currentEventSeq,
  findCreditPackage,
  getBalance,
  notFound,
  planOf,
  startPurchase,
  t,
  unavailable,
  type Locale,
  type Payment,
  type PaymentStatusValue,
  type Workspace,
} from '@sapa/shared';
import { config, ensureDatabase, logger, temporalClient } from './env.server';
import { CANCELLABLE_PAYMENT_STATUSES, formatIdr, formatNumber } from './billing-labels';
import type { BuyablePlan } from './billing-forms.server';
import { qrDataUri } from './qr.server';
import type { SessionUser } from './session.server';
import { timeFormatter } from './time.server';

/** How long an action waits for the workflow before redirecting anyway (the page then follows live). */
const SETTLE_WAIT_MS = 5_000;
const SETTLE_POLL_MS = 150;
/** Our order ids are `sapa-` and base64url; anything else cannot be one of ours. */
const ORDER_ID = /^[A-Za-z0-9_.~-]{1,80}$/;

export type PurchaseItem = { kind: 'credits'; packageId: string } | { kind: 'plan'; planId: BuyablePlan };

type StoredPayment = Payment & { _id: string; createdAt?: Date };

/** What a payment buys, in words: `Paket kredit Starter · 100.000 kredit`, `Paket Pro · 1 bulan`. */
export function describePurchase(payment: Pick<Payment, 'purpose' | 'packageId' | 'planId' | 'credits'>, locale: Locale): string {
  if (payment.purpose === 'plan') return t(locale, 'billing.payment.whatPlan', { plan: planOf(payment.planId).name });
  const name = findCreditPackage(payment.packageId ?? '', config)?.name ?? payment.packageId ?? '';
  return t(locale, 'billing.payment.whatCredits', { name, credits: formatNumber(payment.credits ?? 0, locale) });
}

async function findPayment(workspaceId: string, orderId: string | undefined): Promise<StoredPayment> {
  if (!orderId || !ORDER_ID.test(orderId)) throw notFound('error.paymentNotFound');
  await ensureDatabase();
  const payment = await PaymentModel.findOne({ _id: orderId, workspaceId }).lean<StoredPayment>();
  if (!payment) throw notFound('error.paymentNotFound');
  return payment;
}

/** Waits (briefly) until the payment has left `statuses`; a slow worker only means the page follows live. */
async function waitWhile(workspaceId: string, orderId: string, statuses: readonly PaymentStatusValue[]): Promise<void> {
  const deadline = Date.now() + SETTLE_WAIT_MS;
  while (Date.now() < deadline) {
    const payment = await PaymentModel.findOne({ _id: orderId, workspaceId }, { status: 1 }).lean<{ status?: PaymentStatusValue }>();
    if (!payment || !statuses.includes(payment.status ?? 'created')) return;
    await sleep(SETTLE_POLL_MS);
  }
}

/**
 * Starts a QRIS purchase and returns its order id. Payments that are not configured are a 409
 * with the honest message; Temporal out of reach is a 503 (the payment is then marked failed by
 * `startPurchase`, so nothing is left waiting for a QR that never comes).
 */
export async function startQrisPurchase(buyer: SessionUser, item: PurchaseItem): Promise<string> {
  // Said before anything is touched: without a provider, Temporal's state does not matter.
  if (config.PAYMENT_PROVIDER === 'none') throw conflict('error.paymentsNotConfigured');
  await ensureDatabase();
  const workspaceId = String(buyer.workspace._id);
  const base = { workspaceId, userId: String(buyer.user._id) };
  let orderId: string;
  try {
    const client = await temporalClient();
    orderId = await startPurchase(client, config, item.kind === 'credits' ? { ...base, kind: 'credits', packageId: item.packageId } : { ...base, kind: 'plan', planId: item.planId });
  } catch (err) {
    if (err instanceof DomainError) throw err;
    logger.warn({ err, workspaceId }, 'purchase could not be started');
    throw unavailable('purchase not started');
  }
  await waitWhile(workspaceId, orderId, ['created']);
  return orderId;
}

export interface PaymentView {
  orderId: string;
  status: PaymentStatusValue;
  purpose: 'credits' | 'plan';
  what: string;
  amount: string;
  /** The QR as an SVG data URI, while it can be paid. */
  qr: string | null;
  /** For the countdown (ISO), and as text for a browser without JavaScript. */
  expiresAt: string | null;
  expiresAtText: string;
  createdAtText: string;
  paidAtText: string;
  /** After a paid top-up: the balance now. */
  balanceText: string;
  /** After a paid plan month: when the plan runs until. */
  planEndsText: string;
  canCancel: boolean;
  /** Where "try again" leads: the packages or the plans on the billing page. */
  retryHref: string;
  lastEventId: number;
}

export interface PaymentContext {
  workspace: Workspace;
  locale: Locale;
}

export async function loadPaymentPage(ctx: PaymentContext, orderId: string | undefined): Promise<PaymentView> {
  const workspaceId = String(ctx.workspace._id);
  await ensureDatabase();
  const lastEventId = await currentEventSeq(workspaceId);
  const payment = await findPayment(workspaceId, orderId);
  const status = payment.status ?? 'created';
  const time = timeFormatter(ctx.locale, ctx.workspace.timezone);
  const payable = status === 'pending' && Boolean(payment.qrString);
  const paid = status === 'paid';
  const planEndsAt = paid && payment.purpose === 'plan' ? ctx.workspace.planEndsAt : null;
  return {
    orderId: payment._id,
    status,
    purpose: payment.purpose,
    what: describePurchase(payment, ctx.locale),
    amount: formatIdr(payment.amountIdr, ctx.locale),
    qr: payable && payment.qrString ? await qrDataUri(payment.qrString) : null,
    expiresAt: payable && payment.expiresAt ? payment.expiresAt.toISOString() : null,
    expiresAtText: payment.expiresAt ? time.full(payment.expiresAt) : '',
    createdAtText: payment.createdAt ? time.full(payment.createdAt) : '',
    paidAtText: paid && payment.paidAt ? time.full(payment.paidAt) : '',
    balanceText: paid && payment.purpose === 'credits' ? formatNumber(await getBalance(workspaceId), ctx.locale) : '',
    planEndsText: planEndsAt ? time.full(planEndsAt) : '',
    canCancel: CANCELLABLE_PAYMENT_STATUSES.includes(status),
    retryHref: payment.purpose === 'plan' ? '/billing#plans' : '/billing#credits',
    lastEventId,
  };
}

/**
 * The owner gives up on a QR: the workflow cancels the charge at the provider and records it.
 * A payment that has already finished (paid a moment ago, expired) is left as it is.
 */
export async function cancelPayment(owner: SessionUser, orderId: string | undefined): Promise<void> {
  const workspaceId = String(owner.workspace._id);
  const payment = await findPayment(workspaceId, orderId);
  if (!CANCELLABLE_PAYMENT_STATUSES.includes(payment.status ?? 'created')) return;
  try {
    await cancelTopUp(await temporalClient(), payment._id);
  } catch (err) {
    logger.warn({ err, orderId: payment._id }, 'payment could not be cancelled');
    throw unavailable('cancel not delivered');
  }
  await waitWhile(workspaceId, payment._id, CANCELLABLE_PAYMENT_STATUSES);
}
