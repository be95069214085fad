import type { ChannelStatus } from '@sapa/shared/models/channel';
import { useT } from '../lib/root-data';

/** A channel's health: connected, connecting, waiting for a scan, needs re-connecting, error (with why), disabled. */
export function HealthBadge({ status, reason }: { status: ChannelStatus; reason: string }) {
  const tr = useT();
  const showReason = reason && (status === 'error' || status === 'needs_reconnect');
  return (
    <span className="health" data-testid="channel-health" data-status={status}>
      <span className={`health__badge health__badge--${status}`}>{tr(`dash.channelStatus.${status}`)}</span>
      {showReason ? <span className="health__reason">{reason}</span> : null}
    </span>
  );
}
