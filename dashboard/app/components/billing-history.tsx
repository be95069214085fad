/**
 * The credit transactions, newest first, a page at a time (plain links: they work without
 * JavaScript), with the whole ledger as a CSV download; and the latest QRIS payments, so a QR
 * left open can be found again.
 */
import { Link } from '@remix-run/react';
import type { PaymentRow } from '../lib/billing.server';
import type { HistoryView } from '../lib/billing-history.server';
import { ledgerKindKey } from '../lib/billing-labels';
import { useT } from '../lib/root-data';
import { PaymentStatusBadge } from './payment-status';

export function TransactionHistory({ history }: { history: HistoryView }) {
  const tr = useT();
  return (
    <section className="billing-section" id="history" aria-labelledby="history-title">
      <header className="billing-section__header">
        <h2 className="billing-section__title" id="history-title">
          {tr('billing.history.title')}
        </h2>
        {/* A plain link: the browser downloads the file (a client-side navigation would not). */}
        <a href="/billing/transactions.csv" download className="button button--secondary button--small" data-testid="csv-export">
          {tr('billing.history.csv')}
        </a>
      </header>
      {history.rows.length === 0 ? (
        <p className="billing-section__hint" data-testid="history-empty">
          {tr('billing.history.empty')}
        </p>
      ) : (
        <div className="card table-scroll">
          <table className="history-table" data-testid="history">
            <thead>
              <tr>
                <th scope="col">{tr('billing.history.at')}</th>
                <th scope="col">{tr('billing.history.kind')}</th>
                <th scope="col">{tr('billing.history.detail')}</th>
                <th scope="col" className="num">
                  {tr('billing.history.amount')}
                </th>
                <th scope="col" className="num">
                  {tr('billing.history.balance')}
                </th>
              </tr>
            </thead>
            <tbody>
              {history.rows.map((row) => (
                <tr key={row.seq} data-testid="history-row" data-kind={row.kind} data-seq={row.seq}>
                  <td className="history-table__at">{row.at}</td>
                  <td>{tr(ledgerKindKey(row.kind))}</td>
                  <td>
                    {row.paymentId ? <Link to={`/billing/payments/${row.paymentId}`}>{row.detail || row.paymentId}</Link> : row.detail}
                  </td>
                  <td className={row.amount < 0 ? 'num num--debit' : 'num num--credit'} data-testid="history-amount">
                    {row.amountText}
                  </td>
                  <td className="num">{row.balanceText}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {history.paged || history.olderBefore ? (
        <nav className="pager" aria-label={tr('billing.history.pages')}>
          {history.paged ? (
            <Link to="/billing#history" className="button button--ghost button--small">
              {tr('billing.history.newest')}
            </Link>
          ) : null}
          {history.olderBefore ? (
            <Link to={`/billing?before=${history.olderBefore}#history`} className="button button--ghost button--small" data-testid="history-older">
              {tr('billing.history.older')}
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}

export function LatestPayments({ payments }: { payments: PaymentRow[] }) {
  const tr = useT();
  if (payments.length === 0) return null;
  return (
    <section className="billing-section" id="payments" aria-labelledby="payments-title">
      <h2 className="billing-section__title" id="payments-title">
        {tr('billing.payments.title')}
      </h2>
      <ul className="card payment-list">
        {payments.map((p) => (
          <li key={p.orderId} className="payment-row" data-testid="payment-row" data-order-id={p.orderId} data-status={p.status}>
            <Link to={`/billing/payments/${p.orderId}`} className="payment-row__what">
              {p.what}
            </Link>
            <span className="payment-row__amount">{p.amount}</span>
            <span className="payment-row__at">{p.at}</span>
            <PaymentStatusBadge status={p.status} />
          </li>
        ))}
      </ul>
    </section>
  );
}
