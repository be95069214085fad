/**
 * What can be bought with QRIS: credit packages and plan months, and the current plan with its
 * limits and end date. Each buy button is a plain form post (it works without JavaScript) that
 * leads to the payment's page. When the operator configured no payment provider the page says so
 * plainly and offers no buttons.
 */
import { Form } from '@remix-run/react';
import type { CurrentPlanView, PackageCard, PlanCard, PlanLimitsView } from '../lib/billing.server';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';

function BuyButton({ intent, field, value, label, busy }: { intent: 'buy-credits' | 'buy-plan'; field: string; value: string; label: string; busy: boolean }) {
  return (
    <Form method="post" className="offer__buy">
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name={field} value={value} />
      <button type="submit" className="button button--primary button--block" disabled={busy}>
        {label}
      </button>
    </Form>
  );
}

export function PaymentsNotConfigured() {
  const tr = useT();
  return (
    <p className="channels__note" data-testid="payments-not-configured">
      {tr('billing.notConfigured')}
    </p>
  );
}

export function CreditPackages({ packages, provider, busy }: { packages: PackageCard[]; provider: string | null; busy: boolean }) {
  const tr = useT();
  return (
    <section className="billing-section" id="credits" aria-labelledby="credits-title">
      <h2 className="billing-section__title" id="credits-title">
        {tr('billing.packages.title')}
      </h2>
      {provider ? <p className="billing-section__hint">{tr('billing.packages.hint', { provider })}</p> : <PaymentsNotConfigured />}
      <ul className="offer-grid">
        {packages.map((p) => (
          <li key={p.id} className="card offer" data-testid="credit-package" data-package-id={p.id}>
            <h3 className="offer__name">{p.name}</h3>
            <p className="offer__price">{p.price}</p>
            <p className="offer__detail">{tr('billing.packages.credits', { credits: p.credits })}</p>
            {provider ? <BuyButton intent="buy-credits" field="packageId" value={p.id} label={tr('billing.buyWithQris')} busy={busy} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function LimitList({ limits }: { limits: PlanLimitsView }) {
  const tr = useT();
  return (
    <ul className="plan-limits">
      <li>{tr('billing.plan.limit.replies', { count: limits.botRepliesPerMonth })}</li>
      <li>{tr('billing.plan.limit.chatbots', { count: limits.chatbots })}</li>
      <li>{tr('billing.plan.limit.sources', { count: limits.knowledgeSources })}</li>
      <li>{tr('billing.plan.limit.pages', { count: limits.knowledgePages })}</li>
    </ul>
  );
}

function CurrentPlan({ plan }: { plan: CurrentPlanView }) {
  const tr = useT();
  return (
    <div className="card billing-card current-plan" data-testid="current-plan" data-plan={plan.id}>
      <p className="current-plan__name">{tr('billing.plan.current', { plan: plan.name })}</p>
      <p className="billing-card__hint" data-testid="plan-ends">
        {plan.endsAt ? tr('billing.plan.endsAt', { date: plan.endsAt }) : tr('billing.plan.freeForever')}
      </p>
      {plan.lapsedPlan ? (
        <p className="alert alert--warning" role="status">
          {tr('billing.plan.lapsed', { plan: plan.lapsedPlan, date: plan.lapsedAt })}
        </p>
      ) : null}
      <LimitList limits={plan.limits} />
      <div className="current-plan__usage">
        <span>{tr('billing.plan.repliesUsed', { used: plan.repliesThisMonth, limit: plan.limits.botRepliesPerMonth })}</span>
        <meter className="current-plan__meter" min={0} max={100} low={80} high={95} optimum={0} value={plan.repliesUsedPercent} />
      </div>
    </div>
  );
}

export function PlanOffers({ plan, plans, provider, busy }: { plan: CurrentPlanView; plans: PlanCard[]; provider: string | null; busy: boolean }) {
  const tr = useT();
  return (
    <section className="billing-section" id="plans" aria-labelledby="plans-title">
      <h2 className="billing-section__title" id="plans-title">
        {tr('billing.plan.title')}
      </h2>
      <p className="billing-section__hint">{tr('billing.plan.hint')}</p>
      <CurrentPlan plan={plan} />
      <ul className="offer-grid">
        {plans.map((p) => (
          <li key={p.id} className={p.current ? 'card offer offer--current' : 'card offer'} data-testid="plan-card" data-plan-id={p.id}>
            <h3 className="offer__name">
              {p.name}
              {p.current ? <span className="offer__badge">{tr('billing.plan.yours')}</span> : null}
            </h3>
            <p className="offer__price">
              {p.price}
              <span className="offer__per">{tr('billing.plan.perMonth')}</span>
            </p>
            <LimitList limits={p.limits} />
            {provider ? (
              <BuyButton intent="buy-plan" field="planId" value={p.id} label={p.current ? tr('billing.plan.renew') : tr('billing.plan.buy')} busy={busy} />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
