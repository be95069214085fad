/**
 * Buying with QRIS (a credit package or a month of a plan), from the dashboard: the payment is
 * stored `created` with its price taken from the server's tables (never from the form), then its
 * workflow is started, which creates the charge and shows the QR.
 */
import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import type { Config } from '../config';
import { randomId } from '../crypto';
import { badRequest, DomainError } from '../errors';
import { PaymentModel } from '../models';
import { findCreditPackage, planOf, PLAN_IDS } from './prices';
import { startTopUp } from './top-up-client';

export type PurchaseRequest =
  | { workspaceId: string; userId: string; kind: 'credits'; packageId: string }
  | { workspaceId: string; userId: string; kind: 'plan'; planId: string };

/** Creates the payment and starts its workflow; returns the order id. */
export async function startPurchase(client: Client, config: Config, request: PurchaseRequest): Promise<string> {
  if (config.PAYMENT_PROVIDER === 'none') throw new DomainError(409, 'conflict', 'error.paymentsNotConfigured');
  const orderId = `sapa-${randomId(16)}`;
  const base = {
    _id: orderId,
    workspaceId: new mongoose.Types.ObjectId(request.workspaceId),
    provider: config.PAYMENT_PROVIDER,
    createdBy: new mongoose.Types.ObjectId(request.userId),
  };
  if (request.kind === 'credits') {
    const pkg = findCreditPackage(request.packageId, config);
    if (!pkg) throw badRequest('error.validation', `unknown credit package ${request.packageId}`);
    await PaymentModel.create({ ...base, purpose: 'credits', packageId: pkg.id, credits: pkg.credits, amountIdr: pkg.priceIdr });
  } else {
    if (!(PLAN_IDS as readonly string[]).includes(request.planId) || request.planId === 'free') {
      throw badRequest('error.validation', `plan ${request.planId} cannot be bought`);
    }
    const plan = planOf(request.planId);
    await PaymentModel.create({ ...base, purpose: 'plan', planId: plan.id, amountIdr: plan.priceIdr });
  }
  try {
    await startTopUp(client, config.TEMPORAL_TASK_QUEUE, { orderId, workspaceId: request.workspaceId });
  } catch (err) {
    // Nothing will ever show this payment's QR: do not leave it `created`.
    await PaymentModel.updateOne({ _id: orderId }, { $set: { status: 'failed', flagReason: 'could not start' } });
    throw err;
  }
  return orderId;
}
