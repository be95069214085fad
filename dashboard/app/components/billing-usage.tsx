/** Credits spent in the last 30 days, by day, by chatbot and by model, as server-drawn bar charts. */
import type { UsageBar, UsageView } from '../lib/billing-usage.server';
import { useT } from '../lib/root-data';
import { BarChart, type BarDatum } from './bar-chart';

const toData = (bars: UsageBar[]): BarDatum[] => bars.map((b) => ({ key: b.key, label: b.label, title: b.title, value: b.credits, valueText: b.creditsText }));

export function UsagePanel({ usage }: { usage: UsageView }) {
  const tr = useT();
  const unit = tr('billing.credits');
  return (
    <section className="billing-section" id="usage" aria-labelledby="usage-title" data-testid="usage" data-total={usage.total}>
      <h2 className="billing-section__title" id="usage-title">
        {tr('billing.usage.title', { days: usage.days })}
      </h2>
      {usage.total === 0 ? (
        <p className="billing-section__hint" data-testid="usage-empty">
          {tr('billing.usage.empty', { days: usage.days })}
        </p>
      ) : (
        <>
          <p className="billing-section__hint">{tr('billing.usage.total', { total: usage.totalText })}</p>
          <div className="card billing-card usage-charts">
            <BarChart title={tr('billing.usage.byDay')} data={toData(usage.byDay)} unit={unit} testId="usage-by-day" />
            <BarChart title={tr('billing.usage.byChatbot')} data={toData(usage.byChatbot)} unit={unit} testId="usage-by-chatbot" />
            <BarChart title={tr('billing.usage.byModel')} data={toData(usage.byModel)} unit={unit} testId="usage-by-model" />
          </div>
        </>
      )}
    </section>
  );
}
