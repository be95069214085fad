/**
 * One QRIS payment (id `payment/<orderId>`): create the charge, then wait for the provider's
 * notification (a signal from the gateway, after it verified the signature) or poll the status,
 * until the payment is settled, cancelled or expired. Every outcome is decided by an activity that
 * asks the provider first; a paid payment is fulfilled once (the ledger entry's key is the order).
 */
import { ParentClosePolicy, WorkflowIdReusePolicy, condition, defineSignal, proxyActivities, setHandler, sleep, startChild } from '@temporalio/workflow';
import type { TopUpWorkflowInput } from '@sapa/shared/billing/top-up-client';
import type { PaymentActivities } from '../activities/payments';

export const paymentNotifiedSignal = defineSignal('paymentNotified');
export const cancelPaymentSignal = defineSignal('cancelPayment');

const acts = proxyActivities<PaymentActivities>({
  // Short: a worker that dies during a status check is only noticed when this runs out, and the
  // QR is on the owner's screen meanwhile. Provider calls time out well before it (10 s).
  startToCloseTimeout: '20 seconds',
  // A provider or database outage must not lose a payment: keep trying (with a ceiling on the wait).
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function topUpWorkflow(input: TopUpWorkflowInput): Promise<void> {
  let notified = false;
  let cancelRequested = false;
  setHandler(paymentNotifiedSignal, () => {
    notified = true;
  });
  setHandler(cancelPaymentSignal, () => {
    cancelRequested = true;
  });

  const charge = await acts.createCharge(input);
  if (!charge) return; // refused by the provider (recorded as failed) or already finished

  for (;;) {
    const left = charge.expiresAt - Date.now();
    if (left <= 0) break;
    await condition(() => notified || cancelRequested, Math.min(charge.pollIntervalMs, left));
    if (cancelRequested) {
      cancelRequested = false;
      await acts.cancelCharge(input);
    }
    notified = false;
    const result = await acts.checkPayment({ ...input, final: false });
    if (result.outcome === 'pending') continue;
    if (result.planEndsAt !== undefined) await scheduleRenewalReminder(input.workspaceId, result.planEndsAt, result.remindBeforeMs ?? 0);
    return;
  }
  // The QR has expired: close it at the provider, then look once more (a payment made in the last
  // second is still honoured).
  await acts.expireCharge(input);
  const last = await acts.checkPayment({ ...input, final: true });
  if (last.planEndsAt !== undefined) await scheduleRenewalReminder(input.workspaceId, last.planEndsAt, last.remindBeforeMs ?? 0);
}

/**
 * A paid plan month gets its renewal reminder: a workflow that sleeps until shortly before the end
 * and outlives this one. Renewing again starts another for the new end; the old one finds the end
 * moved and stays quiet.
 */
async function scheduleRenewalReminder(workspaceId: string, planEndsAt: number, remindBeforeMs: number) {
  await startChild(planReminderWorkflow, {
    workflowId: `plan-reminder/${workspaceId}/${planEndsAt}`,
    args: [{ workspaceId, planEndsAt, remindBeforeMs }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
  }).catch(() => undefined); // already scheduled for this end (a replayed or retried payment)
}

export async function planReminderWorkflow(input: { workspaceId: string; planEndsAt: number; remindBeforeMs: number }): Promise<void> {
  const wait = input.planEndsAt - input.remindBeforeMs - Date.now();
  if (wait > 0) await sleep(wait);
  await acts.remindPlanRenewal({ workspaceId: input.workspaceId, planEndsAt: input.planEndsAt });
}
