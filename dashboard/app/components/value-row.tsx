import { CopyButton } from './copy-button';

/** One labelled read-only value of a channel (an id, a URL, a masked secret), optionally copyable. */
export function ValueRow({ label, value, copy, testId }: { label: string; value: string; copy?: boolean; testId?: string }) {
  return (
    <div className="value-row">
      <dt className="value-row__label">{label}</dt>
      <dd className="value-row__value">
        <code data-testid={testId}>{value}</code>
        {copy && value ? <CopyButton text={value} /> : null}
      </dd>
    </div>
  );
}
