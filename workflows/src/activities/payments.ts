/**
 * The top-up workflow's activities. The provider is always asked before anything is decided (a
 * notification only wakes the workflow); a paid payment is fulfilled exactly once: credits by a
 * ledger entry keyed `topup:<orderId>`, a plan month by a conditional update that remembers the
 * order on the workspace. An amount or currency that does not match is not honoured: the payment
 * is flagged and the owner and operator are told.
 */
import mongoose from 'mongoose';
import { ApplicationFailure } from '@temporalio/activity';
import {
  PaymentModel,
  planOf,
  PaymentProviderError,
  WorkspaceModel,
  appendEntry,
  getBalance,
  publishEvent,
  raiseNotice,
  type Config,
  type Payment,
  type PaymentStatusValue,
  type QrisProvider,
  type TopUpWorkflowInput,
} from '@sapa/shared';

export interface PaymentActivityDeps {
  config: Config;
  /** Null when the operator configured no payment provider. */
  provider: QrisProvider | null;
}

type Outcome = 'pending' | 'paid' | 'flagged' | 'expired' | 'cancelled' | 'failed';

/** A paid plan payment also says until when the plan now runs (the workflow schedules the reminder). */
export interface CheckResult {
  outcome: Outcome;
  planEndsAt?: number;
  remindBeforeMs?: number;
}

const MONTH_MS = 30 * 24 * 60 * 60 * 1000;

async function loadPayment(input: TopUpWorkflowInput): Promise<Payment> {
  const payment = await PaymentModel.findOne({ _id: input.orderId, workspaceId: new mongoose.Types.ObjectId(input.workspaceId) }).lean<Payment>();
  if (!payment) throw ApplicationFailure.nonRetryable(`payment ${input.orderId} not found`, 'not_found');
  return payment;
}

async function setStatus(payment: Payment, status: PaymentStatusValue, extra: Record<string, unknown> = {}) {
  // Never move a payment out of a final state (a late poll or a duplicate notification).
  await PaymentModel.updateOne({ _id: payment._id, status: { $in: ['created', 'pending'] } }, { $set: { status, ...extra } });
  await publishEvent({
    workspaceId: String(payment.workspaceId),
    type: 'paymentUpdated',
    data: { orderId: payment._id, status },
    dedupeKey: `payment:${payment._id}:${status}`,
  });
}

export function createPaymentActivities({ config, provider }: PaymentActivityDeps) {
  const requireProvider = (): QrisProvider => {
    if (!provider) throw ApplicationFailure.nonRetryable('no payment provider is configured (PAYMENT_PROVIDER)', 'not_configured');
    return provider;
  };

  /** Credits or a plan month, once (a second call finds the ledger entry or the order on the workspace). */
  async function fulfil(payment: Payment): Promise<void> {
    if (payment.purpose === 'credits') {
      const { entry } = await appendEntry({
        workspaceId: String(payment.workspaceId),
        amount: payment.credits,
        idempotencyKey: `topup:${payment._id}`,
        kind: 'topup',
        ref: { paymentId: payment._id, note: payment.packageId ?? '' },
      });
      await publishEvent({ workspaceId: String(payment.workspaceId), type: 'balanceChanged', data: { balance: entry.balanceAfter }, dedupeKey: `balance:topup:${payment._id}` });
      return;
    }
    // A plan month: starts now, or at the end of the month already paid for.
    const workspace = await WorkspaceModel.findById(payment.workspaceId, { plan: 1, planEndsAt: 1, planPayments: 1 }).lean<{ plan?: string; planEndsAt?: Date; planPayments?: string[] }>();
    if (workspace?.planPayments?.includes(payment._id)) return;
    const current = workspace?.plan === payment.planId && workspace?.planEndsAt && workspace.planEndsAt.getTime() > Date.now() ? workspace.planEndsAt.getTime() : Date.now();
    await WorkspaceModel.updateOne(
      { _id: payment.workspaceId, planPayments: { $ne: payment._id } },
      { $set: { plan: payment.planId, planEndsAt: new Date(current + MONTH_MS) }, $push: { planPayments: payment._id } },
    );
  }

  /** Ask the provider; settle, flag, or close the payment by what it says. */
  async function check(input: TopUpWorkflowInput & { final: boolean }): Promise<Outcome> {
    const payment = await loadPayment(input);
    if (payment.status === 'paid' && !payment.fulfilledAt) {
      // Marked paid by an attempt that died before fulfilling: finish the job (idempotent).
      await fulfil(payment);
      await PaymentModel.updateOne({ _id: payment._id }, { $set: { fulfilledAt: new Date() } });
      return 'paid';
    }
    if (payment.status !== 'pending') return payment.status === 'created' ? 'pending' : (payment.status as Outcome);
    const status = await requireProvider().getStatus(payment._id, payment.providerRef ?? '');
    const state = status?.state ?? 'unknown';
    if (state === 'paid') {
      const amountOk = status!.amountIdr === payment.amountIdr;
      const currencyOk = status!.currency.toUpperCase() === 'IDR';
      if (!amountOk || !currencyOk) {
        const reason = !amountOk ? `paid amount ${status!.amountIdr} differs from ${payment.amountIdr}` : `currency ${status!.currency} is not IDR`;
        await setStatus(payment, 'flagged', { flagReason: reason });
        await raiseNotice(config, {
          workspaceId: input.workspaceId,
          kind: 'payment_flagged',
          dedupeKey: `payment_flagged:${payment._id}`,
          vars: { orderId: payment._id, reason },
          email: true,
        });
        return 'flagged';
      }
      // Paid first (a crash after this is finished by the next check), then fulfilled once.
      await PaymentModel.updateOne({ _id: payment._id, status: 'pending' }, { $set: { status: 'paid', paidAt: status!.paidAt ?? new Date() } });
      await fulfil(payment);
      await PaymentModel.updateOne({ _id: payment._id }, { $set: { fulfilledAt: new Date() } });
      await publishEvent({ workspaceId: input.workspaceId, type: 'paymentUpdated', data: { orderId: payment._id, status: 'paid', balance: await getBalance(input.workspaceId) }, dedupeKey: `payment:${payment._id}:paid` });
      await raiseNotice(config, {
        workspaceId: input.workspaceId,
        kind: 'payment_paid',
        dedupeKey: `payment_paid:${payment._id}`,
        vars: { orderId: payment._id, amount: payment.amountIdr.toLocaleString('id-ID') },
        email: true,
      });
      return 'paid';
    }
    if (state === 'refunded') {
      // Refunded before we ever saw it paid (or a chargeback): nothing to fulfil; the operator looks.
      await setStatus(payment, 'flagged', { flagReason: 'refunded at the provider' });
      return 'flagged';
    }
    if (state === 'expired' || state === 'cancelled' || state === 'failed') {
      await setStatus(payment, state);
      return state;
    }
    if (input.final) {
      await setStatus(payment, 'expired');
      return 'expired';
    }
    return 'pending';
  }

  return {
    /** Create the QRIS charge once; returns when it expires and how often to poll, or null when there is nothing to wait for. */
    async createCharge(input: TopUpWorkflowInput): Promise<{ expiresAt: number; pollIntervalMs: number } | null> {
      const payment = await loadPayment(input);
      const pollIntervalMs = config.PAYMENT_POLL_INTERVAL_MS;
      if (payment.status !== 'created') {
        return payment.status === 'pending' && payment.expiresAt ? { expiresAt: payment.expiresAt.getTime(), pollIntervalMs } : null;
      }
      try {
        const charge = await requireProvider().createQris({
          orderId: payment._id,
          amountIdr: payment.amountIdr,
          expiresAt: new Date(Date.now() + config.QRIS_EXPIRY_MINUTES * 60_000),
          description: payment.purpose === 'credits' ? `Sapa credits ${payment.packageId}` : `Sapa plan ${payment.planId}`,
          metadata: { workspaceId: input.workspaceId },
        });
        await PaymentModel.updateOne(
          { _id: payment._id, status: 'created' },
          { $set: { status: 'pending', qrString: charge.qrString, providerRef: charge.providerRef, expiresAt: charge.expiresAt } },
        );
        await publishEvent({ workspaceId: input.workspaceId, type: 'paymentUpdated', data: { orderId: payment._id, status: 'pending' }, dedupeKey: `payment:${payment._id}:pending` });
        return { expiresAt: charge.expiresAt.getTime(), pollIntervalMs };
      } catch (err) {
        if (err instanceof PaymentProviderError && err.kind !== 'transient') {
          await setStatus(payment, 'failed', { flagReason: err.message.slice(0, 300) });
          return null;
        }
        throw err;
      }
    },

    async checkPayment(input: TopUpWorkflowInput & { final: boolean }): Promise<CheckResult> {
      const outcome = await check(input);
      if (outcome !== 'paid') return { outcome };
      const payment = await loadPayment(input);
      if (payment.purpose !== 'plan') return { outcome };
      const workspace = await WorkspaceModel.findById(payment.workspaceId, { planEndsAt: 1 }).lean();
      return { outcome, ...(workspace?.planEndsAt ? { planEndsAt: workspace.planEndsAt.getTime(), remindBeforeMs: config.PLAN_REMINDER_BEFORE_MS } : {}) };
    },

    /** Near the end of a paid plan: remind the owner to renew, unless it was renewed meanwhile. */
    async remindPlanRenewal(input: { workspaceId: string; planEndsAt: number }): Promise<void> {
      const workspace = await WorkspaceModel.findById(input.workspaceId, { plan: 1, planEndsAt: 1 }).lean();
      if (!workspace?.planEndsAt || workspace.planEndsAt.getTime() !== input.planEndsAt) return;
      await raiseNotice(config, {
        workspaceId: input.workspaceId,
        kind: 'plan_renewal',
        dedupeKey: `plan_renewal:${input.workspaceId}:${new Date(input.planEndsAt).toISOString()}`,
        vars: { plan: planOf(workspace.plan).name, date: new Date(input.planEndsAt + 7 * 3_600_000).toISOString().slice(0, 10) },
        email: true,
      });
    },

    /** The QR's time is up: close it at the provider (a charge already closed or paid is fine). */
    async expireCharge(input: TopUpWorkflowInput): Promise<void> {
      const payment = await loadPayment(input);
      if (payment.status !== 'pending') return;
      try {
        await requireProvider().expire(payment._id, payment.providerRef ?? '');
      } catch (err) {
        if (!(err instanceof PaymentProviderError) || err.kind === 'transient') throw err;
      }
    },

    /** The owner gave up on this QR. */
    async cancelCharge(input: TopUpWorkflowInput): Promise<void> {
      const payment = await loadPayment(input);
      if (payment.status !== 'pending') return;
      try {
        await requireProvider().cancel(payment._id, payment.providerRef ?? '');
      } catch (err) {
        if (!(err instanceof PaymentProviderError) || err.kind === 'transient') throw err;
      }
    },
  };
}

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
