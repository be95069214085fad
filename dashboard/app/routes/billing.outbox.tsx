/**
 * /billing/outbox: the emails Sapa wrote to the workspace's owners (alerts, receipts), newest
 * first. Without SMTP this is the development outbox: nothing was sent, and this is where the
 * messages can be read. Owners and admins only.
 */
import { Link, useLoaderData } from '@remix-run/react';
import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireBillingManager } from '../lib/billing.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { loadOutbox } from '../lib/outbox.server';
import { useT } from '../lib/root-data';

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireBillingManager(request);
  return loadOutbox({ workspaceId: String(admin.workspace._id), locale: resolveLocale(request, admin.user), timeZone: admin.workspace.timezone });
});

export default function OutboxPage() {
  const { emails, outboxOnly } = useLoaderData<typeof loader>();
  const tr = useT();
  return (
    <div className="billing" data-testid="outbox-page">
      <Link to="/billing" className="channel-page__back">
        ← {tr('billing.back')}
      </Link>
      <h1 className="channels__title">{tr('billing.outbox.title')}</h1>
      <p className={outboxOnly ? 'channels__note' : 'channels__intro'} data-testid="outbox-mode" data-outbox-only={outboxOnly}>
        {outboxOnly ? tr('billing.outbox.introNoSmtp') : tr('billing.outbox.introSmtp')}
      </p>
      {emails.length === 0 ? (
        <p className="billing-section__hint">{tr('billing.outbox.empty')}</p>
      ) : (
        <ul className="email-list">
          {emails.map((e) => (
            <li key={e.id} className="card email" data-testid="email" data-status={e.status}>
              <details>
                <summary className="email__summary">
                  <span className="email__subject">{e.subject}</span>
                  <span className={`email__status email__status--${e.status}`}>{tr(`billing.outbox.status.${e.status}`)}</span>
                  <span className="email__meta">
                    {tr('billing.outbox.to', { to: e.to })} · {e.at}
                  </span>
                </summary>
                <pre className="email__text">{e.text}</pre>
                {e.error ? <p className="field__error">{e.error}</p> : null}
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
