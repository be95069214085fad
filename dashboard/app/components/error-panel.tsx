import { Link } from '@remix-run/react';
import { useT } from '../lib/root-data';

/** A localized error message with a way back; what error boundaries render instead of a stack trace. */
export function ErrorPanel({ title, message, status }: { title: string; message: string; status: number }) {
  const tr = useT();
  return (
    <section className="error-panel" role="alert" data-testid="error" data-status={status}>
      <p className="error-panel__status">{status}</p>
      <h1 className="error-panel__title">{title}</h1>
      <p className="error-panel__message">{message}</p>
      <Link className="button button--secondary" to="/inbox">
        {tr('dash.backToInbox')}
      </Link>
    </section>
  );
}
