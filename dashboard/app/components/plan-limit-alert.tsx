/**
 * A plan's limit, said where the owner hit it: the refusal in the owner's language with the way
 * out, a link to the plans on the Billing page.
 */
import { Link } from '@remix-run/react';
import { useT } from '../lib/root-data';

export function PlanLimitAlert({ message }: { message: string }) {
  const tr = useT();
  return (
    <p className="alert alert--error" role="alert" data-testid="plan-limit">
      {message}{' '}
      <Link to="/billing" data-testid="plan-limit-billing">
        {tr('plan.seePlans')}
      </Link>
    </p>
  );
}
