/**
 * The Temporal client side of QRIS payments, used by the dashboard (buy, cancel) and the gateway
 * (a verified notification wakes the payment's workflow). One workflow per payment,
 * `payment/<orderId>`; it creates the charge, waits for notifications or polls, and fulfils once.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';

export const TOP_UP_WORKFLOW = 'topUpWorkflow';
export const PAYMENT_NOTIFIED_SIGNAL = 'paymentNotified';
export const CANCEL_PAYMENT_SIGNAL = 'cancelPayment';

export interface TopUpWorkflowInput {
  orderId: string;
  workspaceId: string;
}

export const paymentWorkflowId = (orderId: string) => `payment/${orderId}`;

export async function startTopUp(client: Client, taskQueue: string, input: TopUpWorkflowInput): Promise<void> {
  await client.workflow.start(TOP_UP_WORKFLOW, { workflowId: paymentWorkflowId(input.orderId), taskQueue, args: [input] });
}

/**
 * Tell a payment's workflow that the provider reported a change. A payment whose workflow has
 * ended (paid, expired) has nothing left to do: a late or duplicate notification is harmless.
 */
export async function notifyPayment(client: Client, orderId: string): Promise<'signalled' | 'finished'> {
  try {
    await client.workflow.getHandle(paymentWorkflowId(orderId)).signal(PAYMENT_NOTIFIED_SIGNAL);
    return 'signalled';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'finished';
    throw err;
  }
}

export async function cancelTopUp(client: Client, orderId: string): Promise<void> {
  try {
    await client.workflow.getHandle(paymentWorkflowId(orderId)).signal(CANCEL_PAYMENT_SIGNAL);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
