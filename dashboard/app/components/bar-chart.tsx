/**
 * A horizontal bar chart drawn as plain SVG by React, so it is in the server's HTML: it shows
 * without JavaScript, ships no chart library to the browser and cannot disagree with hydration.
 * (Recharts 3 renders an empty wrapper on the server, recharts#5997, and the other React chart
 * libraries are far bigger than two bar lists need.) It scales with its box through the viewBox;
 * screen readers get one sentence with every value instead of the drawing.
 */
import { useId } from 'react';

export interface BarDatum {
  key: string;
  label: string;
  /** The bar's tooltip: a longer name than fits beside it. */
  title: string;
  value: number;
  valueText: string;
}

const WIDTH = 640;
const LABEL_WIDTH = 200;
const VALUE_ROOM = 90;
const ROW = 30;
const BAR = 18;
const LABEL_MAX_CHARS = 26;

const shorten = (text: string) => (text.length > LABEL_MAX_CHARS ? `${text.slice(0, LABEL_MAX_CHARS - 1)}…` : text);

export function BarChart({ title, data, unit, testId }: { title: string; data: BarDatum[]; unit: string; testId?: string }) {
  const titleId = useId();
  const max = Math.max(1, ...data.map((d) => d.value));
  const barSpace = WIDTH - LABEL_WIDTH - VALUE_ROOM;
  const height = data.length * ROW + 8;
  const summary = `${title}: ${data.map((d) => `${d.label} ${d.valueText} ${unit}`).join('; ')}`;
  return (
    <figure className="bar-chart" data-testid={testId}>
      <figcaption className="bar-chart__title" id={titleId}>
        {title}
      </figcaption>
      <svg className="bar-chart__svg" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={summary} preserveAspectRatio="xMinYMin meet">
        {data.map((d, i) => {
          const y = 4 + i * ROW;
          // Every bar with a value is at least a sliver, so a small cost is still seen.
          const length = d.value > 0 ? Math.max(2, Math.round((d.value / max) * barSpace)) : 0;
          return (
            <g key={d.key} className="bar-chart__row" data-testid="chart-bar" data-label={d.label} data-value={d.value}>
              <title>{`${d.title}: ${d.valueText} ${unit}`}</title>
              <text className="bar-chart__label" x={LABEL_WIDTH - 10} y={y + BAR / 2} dominantBaseline="central" textAnchor="end">
                {shorten(d.label)}
              </text>
              <rect className="bar-chart__bar" x={LABEL_WIDTH} y={y} width={length} height={BAR} rx={3} />
              <text className="bar-chart__value" x={LABEL_WIDTH + length + 8} y={y + BAR / 2} dominantBaseline="central">
                {d.valueText}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
