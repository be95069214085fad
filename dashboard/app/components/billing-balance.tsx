/**
 * The credit balance (live: the page reloads on `balanceChanged`), a warning when it is under the
 * owner's threshold, and the form that sets that threshold.
 */
import { Form } from '@remix-run/react';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';
import { FormField } from './form-field';

export interface BalanceCardProps {
  balance: number;
  balanceText: string;
  threshold: number;
  thresholdText: string;
  low: boolean;
  thresholdError: string | undefined;
  thresholdSaved: boolean;
  busy: boolean;
}

export function BalanceCard({ balance, balanceText, threshold, thresholdText, low, thresholdError, thresholdSaved, busy }: BalanceCardProps) {
  const tr = useT();
  return (
    <section className="card billing-card billing-balance" id="balance" aria-labelledby="balance-title">
      <div className="billing-balance__now">
        <h2 className="billing-card__title" id="balance-title">
          {tr('billing.balance.title')}
        </h2>
        <p className="billing-balance__amount">
          <span data-testid="balance" data-balance={balance}>
            {balanceText}
          </span>{' '}
          <span className="billing-balance__unit">{tr('billing.credits')}</span>
        </p>
        <p className="billing-card__hint">{tr('billing.balance.hint')}</p>
        {low ? (
          <p className="alert alert--warning" role="status" data-testid="low-balance">
            {tr('billing.balance.low', { threshold: thresholdText })}
          </p>
        ) : null}
      </div>
      <Form method="post" className="stack billing-threshold" data-testid="threshold-form">
        <CsrfInput />
        <input type="hidden" name="intent" value="threshold" />
        <FormField
          // Remounted when the saved value changes, so the field shows what is stored.
          key={threshold}
          label={tr('billing.threshold.label')}
          name="threshold"
          inputMode="numeric"
          defaultValue={String(threshold)}
          hint={tr('billing.threshold.hint')}
          error={thresholdError}
          required
        />
        <button type="submit" className="button button--secondary" disabled={busy}>
          {tr('billing.threshold.save')}
        </button>
        {thresholdSaved && !thresholdError ? (
          <p className="alert alert--success" role="status" data-testid="threshold-saved">
            {tr('billing.threshold.saved')}
          </p>
        ) : null}
      </Form>
    </section>
  );
}
