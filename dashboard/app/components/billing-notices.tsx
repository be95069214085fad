/**
 * The owner's alerts (credits low or used up, a plan limit reached or ending, a payment received
 * or held), newest first, each marked read with a form post; new ones appear live
 * (`noticeRaised`). Links to the emails Sapa wrote about them.
 */
import { Form, Link } from '@remix-run/react';
import type { NoticeView } from '../lib/billing.server';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';

function ReadForm({ intent, noticeId, label, busy }: { intent: 'notice-read' | 'notices-read-all'; noticeId?: string; label: string; busy: boolean }) {
  return (
    <Form method="post" className="notice__read">
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      {noticeId ? <input type="hidden" name="noticeId" value={noticeId} /> : null}
      <button type="submit" className="button button--ghost button--small" disabled={busy}>
        {label}
      </button>
    </Form>
  );
}

export function NoticeList({ notices, unread, outboxOnly, busy }: { notices: NoticeView[]; unread: number; outboxOnly: boolean; busy: boolean }) {
  const tr = useT();
  return (
    <section className="billing-section" id="notices" aria-labelledby="notices-title">
      <header className="billing-section__header">
        <h2 className="billing-section__title" id="notices-title">
          {tr('billing.notices.title')}
          {unread > 0 ? (
            <span className="notice-count" data-testid="unread-notices">
              {tr('billing.notices.unread', { count: unread })}
            </span>
          ) : null}
        </h2>
        {unread > 1 ? <ReadForm intent="notices-read-all" label={tr('billing.notices.readAll')} busy={busy} /> : null}
      </header>
      {notices.length === 0 ? (
        <p className="billing-section__hint">{tr('billing.notices.empty')}</p>
      ) : (
        <ul className="notice-list">
          {notices.map((n) => (
            <li key={n.id} className={n.read ? 'notice' : 'notice notice--unread'} data-testid="notice" data-kind={n.kind} data-read={n.read}>
              <div className="notice__body">
                <p className="notice__text">{n.text}</p>
                <p className="notice__at">{n.at}</p>
              </div>
              {n.read ? null : <ReadForm intent="notice-read" noticeId={n.id} label={tr('billing.notices.markRead')} busy={busy} />}
            </li>
          ))}
        </ul>
      )}
      <p className="billing-section__hint">
        <Link to="/billing/outbox" data-testid="outbox-link">
          {tr('billing.outbox.link')}
        </Link>
        {outboxOnly ? ` · ${tr('billing.outbox.noSmtp')}` : null}
      </p>
    </section>
  );
}
