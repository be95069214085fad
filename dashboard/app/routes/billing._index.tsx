/**
 * /billing: the credit balance (live) and its low-balance threshold, the owner's alerts, credit
 * packages and plan months to buy with QRIS, the current plan, credits used in the last 30 days
 * by chatbot and by model, the transaction history with its CSV export, and the latest payments.
 * Owners and admins only.
 */
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { badRequest } from '@sapa/shared';
import { billingIntentOf, historyCursorOf, parseNoticeId, parsePackageId, parsePlanId, parseThreshold } from '../lib/billing-forms.server';
import { loadHistory } from '../lib/billing-history.server';
import { BILLING_EVENTS } from '../lib/billing-labels';
import { loadUsage } from '../lib/billing-usage.server';
import { billingSnapshotSeq, loadBillingOverview, markNoticesRead, requireBillingManager, setLowBalanceThreshold } from '../lib/billing.server';
import { verifyCsrf } from '../lib/csrf.server';
import type { FieldErrors } from '../lib/forms.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { startQrisPurchase } from '../lib/payments.server';
import { useT } from '../lib/root-data';
import { getSession } from '../lib/session.server';
import { useLiveRevalidation } from '../hooks/use-live-revalidation';
import { BalanceCard } from '../components/billing-balance';
import { LatestPayments, TransactionHistory } from '../components/billing-history';
import { NoticeList } from '../components/billing-notices';
import { CreditPackages, PlanOffers } from '../components/billing-offers';
import { UsagePanel } from '../components/billing-usage';
import { LiveIndicator } from '../components/live-indicator';

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireBillingManager(request);
  const workspaceId = String(admin.workspace._id);
  const ctx = { workspaceId, locale: resolveLocale(request, admin.user), timeZone: admin.workspace.timezone };
  const url = new URL(request.url);
  const lastEventId = await billingSnapshotSeq(workspaceId);
  const [overview, usage, history] = await Promise.all([
    loadBillingOverview(ctx, admin.workspace),
    loadUsage(workspaceId, ctx.locale),
    loadHistory(ctx, historyCursorOf(url)),
  ]);
  return { ...overview, usage, history, lastEventId, saved: url.searchParams.get('saved') === 'threshold' };
});

type Rejected = { intent: string; fieldErrors: FieldErrors };

export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  const admin = await requireBillingManager(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request, admin.user);
  const workspaceId = String(admin.workspace._id);
  const intent = billingIntentOf(form);
  switch (intent) {
    case 'buy-credits': {
      const packageId = parsePackageId(form, locale);
      if (!packageId.ok) throw badRequest('error.validation');
      const orderId = await startQrisPurchase(admin, { kind: 'credits', packageId: packageId.value });
      return redirect(`/billing/payments/${orderId}`);
    }
    case 'buy-plan': {
      const planId = parsePlanId(form, locale);
      if (!planId.ok) throw badRequest('error.validation');
      const orderId = await startQrisPurchase(admin, { kind: 'plan', planId: planId.value });
      return redirect(`/billing/payments/${orderId}`);
    }
    case 'threshold': {
      const threshold = parseThreshold(form, locale);
      if (!threshold.ok) return data<Rejected>({ intent, fieldErrors: threshold.fieldErrors }, { status: 400 });
      await setLowBalanceThreshold(workspaceId, threshold.value);
      return redirect('/billing?saved=threshold#balance');
    }
    case 'notice-read': {
      const noticeId = parseNoticeId(form, locale);
      if (!noticeId.ok) throw badRequest('error.validation');
      await markNoticesRead(workspaceId, { noticeId: noticeId.value });
      return redirect('/billing#notices');
    }
    case 'notices-read-all':
      await markNoticesRead(workspaceId, 'all');
      return redirect('/billing#notices');
    default:
      throw badRequest('error.validation');
  }
});

export default function BillingPage() {
  const view = useLoaderData<typeof loader>();
  const rejected = useActionData<typeof action>() ?? undefined;
  const navigation = useNavigation();
  const live = useLiveRevalidation(view.lastEventId, BILLING_EVENTS);
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  return (
    <div className="billing" data-testid="billing-page">
      <header className="channels__header">
        <h1 className="channels__title">{tr('billing.title')}</h1>
        <LiveIndicator status={live} />
      </header>
      <p className="channels__intro">{tr('billing.intro')}</p>
      <BalanceCard
        balance={view.balance}
        balanceText={view.balanceText}
        threshold={view.threshold}
        thresholdText={view.thresholdText}
        low={view.low}
        thresholdError={rejected?.intent === 'threshold' ? rejected.fieldErrors.threshold : undefined}
        thresholdSaved={view.saved}
        busy={busy}
      />
      <NoticeList notices={view.notices} unread={view.unreadNotices} outboxOnly={view.emailOutboxOnly} busy={busy} />
      <CreditPackages packages={view.packages} provider={view.paymentProvider} busy={busy} />
      <PlanOffers plan={view.plan} plans={view.plans} provider={view.paymentProvider} busy={busy} />
      <LatestPayments payments={view.payments} />
      <UsagePanel usage={view.usage} />
      <TransactionHistory history={view.history} />
    </div>
  );
}
