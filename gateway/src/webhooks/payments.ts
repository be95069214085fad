/**
 * QRIS payment notifications (shared/specs/midtrans-qris.md §5, xendit-qris.md §6). A notification
 * is only a wake-up call: it is verified (Midtrans `signature_key`, Xendit `x-callback-token`; a
 * forged or unsigned one gets 401 and changes nothing), matched to our payment, and signalled to
 * the payment's workflow, which asks the provider for the real status before crediting anything.
 * Duplicates and late or out-of-order notifications are therefore harmless.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DomainError,
  PaymentModel,
  notFound,
  notifyPayment,
  verifyMidtransNotification,
  verifyXenditCallback,
  type PaymentProviderId,
} from '@sapa/shared';
import type { GatewayDeps } from '../deps';

const unauthorized = (detail: string) => new DomainError(401, 'unauthorized', 'error.signatureInvalid', detail);

/**
 * A rejected notification: not authentic → 401 (a body we cannot even read is treated the same,
 * since the signature cannot be checked); authentic but an event top-ups do not use → 200, so the
 * provider does not redeliver it for hours.
 */
function rejection(result: { reason: 'unauthenticated' | 'malformed' | 'ignored'; detail: string }) {
  if (result.reason === 'ignored') return { ok: true, ignored: result.detail };
  throw unauthorized(result.detail);
}

const paymentWebhooks: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { config } = deps;

  async function wake(provider: PaymentProviderId, orderId: string) {
    const payment = await PaymentModel.findById(orderId, { provider: 1 }).lean();
    if (!payment || payment.provider !== provider) throw notFound('error.paymentNotFound', `no ${provider} payment ${orderId}`);
    await PaymentModel.updateOne({ _id: orderId }, { $inc: { notifications: 1 } });
    const result = await notifyPayment(deps.temporal, orderId);
    return { ok: true, orderId, workflow: result };
  }

  app.post('/midtrans/notification', { schema: { body: z.unknown() } }, async (req) => {
    if (config.PAYMENT_PROVIDER !== 'midtrans' || !config.MIDTRANS_SERVER_KEY) throw notFound('error.paymentsNotConfigured');
    const verified = verifyMidtransNotification(req.body, config.MIDTRANS_SERVER_KEY);
    if (!verified.ok) return rejection(verified);
    return wake('midtrans', verified.orderId);
  });

  app.post('/xendit/callback', { schema: { body: z.unknown() } }, async (req) => {
    if (config.PAYMENT_PROVIDER !== 'xendit' || !config.XENDIT_CALLBACK_TOKEN) throw notFound('error.paymentsNotConfigured');
    const token = req.headers['x-callback-token'];
    const verified = verifyXenditCallback(typeof token === 'string' ? token : undefined, req.body, config.XENDIT_CALLBACK_TOKEN);
    if (!verified.ok) return rejection(verified);
    return wake('xendit', verified.referenceId);
  });
};

export default paymentWebhooks;
