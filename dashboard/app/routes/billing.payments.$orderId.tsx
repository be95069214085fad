/**
 * /billing/payments/:orderId: one QRIS payment. While it can be paid: the QR (drawn on the
 * server), the amount, what is bought, the time left, and a cancel button. The status follows
 * the workflow live (`paymentUpdated`): paid shows the new balance (or the plan's new end) without
 * a reload; expired, cancelled, failed or held offer to try again. Another workspace's order is a
 * 404. Owners and admins only.
 */
import { Form, Link, useLoaderData, useLocation, useNavigation } from '@remix-run/react';
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { badRequest } from '@sapa/shared';
import type { PaymentStatusValue } from '@sapa/shared/models/payment';
import { BILLING_EVENTS } from '../lib/billing-labels';
import { requireBillingManager } from '../lib/billing.server';
import { verifyCsrf } from '../lib/csrf.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { cancelPayment, loadPaymentPage, type PaymentView } from '../lib/payments.server';
import { useT } from '../lib/root-data';
import { getSession } from '../lib/session.server';
import { useHydrated } from '../hooks/use-hydrated';
import { useLiveRevalidation } from '../hooks/use-live-revalidation';
import { CsrfInput } from '../components/csrf-input';
import { LiveIndicator } from '../components/live-indicator';
import { PaymentStatusBadge, QrCountdown } from '../components/payment-status';
import { ValueRow } from '../components/value-row';

export const loader = withHttpErrors(async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireBillingManager(request);
  return loadPaymentPage({ workspace: admin.workspace, locale: resolveLocale(request, admin.user) }, params.orderId);
});

export const action = withHttpErrors(async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireBillingManager(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  if (form.get('intent') !== 'cancel') throw badRequest('error.validation');
  await cancelPayment(admin, params.orderId);
  return redirect(`/billing/payments/${params.orderId}`);
});

/** Outcomes that went wrong (shown in red); an expired or cancelled QR simply ended. */
const MISHAPS: readonly PaymentStatusValue[] = ['failed', 'flagged'];

/** Without JavaScript nothing updates by itself: a link that loads the page (and its status) again. */
function CheckAgain() {
  const tr = useT();
  const location = useLocation();
  if (useHydrated()) return null;
  return (
    <a href={location.pathname} className="button button--ghost button--small" data-testid="check-status">
      {tr('billing.payment.checkAgain')}
    </a>
  );
}

function CancelForm({ busy }: { busy: boolean }) {
  const tr = useT();
  return (
    <Form method="post" className="payment__cancel">
      <CsrfInput />
      <input type="hidden" name="intent" value="cancel" />
      <button type="submit" className="button button--danger-outline" disabled={busy}>
        {tr('billing.payment.cancel')}
      </button>
    </Form>
  );
}

function PaymentBody({ payment, busy }: { payment: PaymentView; busy: boolean }) {
  const tr = useT();
  switch (payment.status) {
    case 'created':
      return (
        <div className="payment__body">
          <p role="status">{tr('billing.payment.preparing')}</p>
          <div className="payment__actions">
            <CheckAgain />
            <CancelForm busy={busy} />
          </div>
        </div>
      );
    case 'pending':
      return (
        <div className="payment__body">
          {payment.qr ? <img className="payment__qr" src={payment.qr} alt={tr('billing.payment.qrAlt', { amount: payment.amount })} data-testid="payment-qr" /> : null}
          <p className="payment__how">{tr('billing.payment.howToPay')}</p>
          {payment.expiresAt ? <QrCountdown expiresAt={payment.expiresAt} expiresAtText={payment.expiresAtText} /> : null}
          <div className="payment__actions">
            <CheckAgain />
            <CancelForm busy={busy} />
          </div>
        </div>
      );
    case 'paid':
      return (
        <div className="payment__body">
          <div className="alert alert--success payment__outcome" role="status" data-testid="payment-paid">
            <p>{tr('billing.payment.paidThanks')}</p>
            {payment.balanceText ? (
              <p>
                {tr('billing.payment.newBalanceLabel')}{' '}
                <strong data-testid="new-balance">{payment.balanceText}</strong> {tr('billing.credits')}
              </p>
            ) : null}
            {payment.planEndsText ? <p data-testid="plan-ends">{tr('billing.payment.planActiveUntil', { date: payment.planEndsText })}</p> : null}
          </div>
          <Link to="/billing" className="button button--secondary payment__back">
            {tr('billing.back')}
          </Link>
        </div>
      );
    default:
      return (
        <div className="payment__body">
          <p className={`alert ${MISHAPS.includes(payment.status) ? 'alert--error' : 'alert--warning'} payment__outcome`} role="status" data-testid="payment-outcome">
            {tr(`billing.payment.outcome.${payment.status}`)}
          </p>
          <Link to={payment.retryHref} className="button button--primary payment__retry" data-testid="retry">
            {tr('billing.payment.retry')}
          </Link>
        </div>
      );
  }
}

export default function PaymentPage() {
  const payment = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const live = useLiveRevalidation(payment.lastEventId, BILLING_EVENTS);
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  return (
    <div className="channel-page payment-page" data-testid="payment-page" data-order-id={payment.orderId} data-status={payment.status}>
      <Link to="/billing" className="channel-page__back">
        ← {tr('billing.back')}
      </Link>
      <section className="card channel-card payment">
        <header className="channel-card__header">
          <div className="channel-card__who">
            <h1 className="channel-card__title">{tr('billing.payment.title')}</h1>
            <p className="channel-card__meta" data-testid="payment-what">
              {payment.what}
            </p>
          </div>
          <div className="channel-card__health">
            <PaymentStatusBadge status={payment.status} testId="payment-status" />
            <LiveIndicator status={live} />
          </div>
        </header>
        <p className="payment__amount" data-testid="payment-amount">
          {payment.amount}
        </p>
        <PaymentBody payment={payment} busy={busy} />
        <dl className="value-list">
          <ValueRow label={tr('billing.payment.orderId')} value={payment.orderId} testId="order-id" />
          {payment.createdAtText ? <ValueRow label={tr('billing.payment.createdAt')} value={payment.createdAtText} /> : null}
          {payment.paidAtText ? <ValueRow label={tr('billing.payment.paidAt')} value={payment.paidAtText} /> : null}
        </dl>
      </section>
    </div>
  );
}
