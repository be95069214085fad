import type { LiveStatus } from '../hooks/use-live-revalidation';
import { useT } from '../lib/root-data';

/** Whether the inbox is receiving live updates. Absent without JavaScript, where nothing is live. */
export function LiveIndicator({ status }: { status: LiveStatus }) {
  const tr = useT();
  if (status === 'off') return null;
  return (
    <span className={`live-indicator live-indicator--${status}`} data-testid="live-indicator" data-status={status} role="status">
      <span className="live-indicator__dot" aria-hidden="true" />
      {status === 'live' ? tr('dash.live') : tr('dash.reconnecting')}
    </span>
  );
}
