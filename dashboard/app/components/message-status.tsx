import type { MessageStatus } from '@sapa/shared/models/message';
import { useT } from '../lib/root-data';

/** Failure codes with an explanation of their own; any other failure shows the provider's words. */
const EXPLAINED = new Set(['window_closed', 'channel_auth', 'blocked']);

/**
 * Where an outbound message is: ✓ queued or sent, ✓✓ delivered, blue ✓✓ read (or played), ⚠ failed
 * with the reason. Customers' own messages have no ticks.
 */
export function MessageStatusLine({ status, errorCode, error }: { status: MessageStatus; errorCode: string; error: string }) {
  const tr = useT();
  if (status === 'received') return null;
  if (status === 'failed') {
    const reason = EXPLAINED.has(errorCode)
      ? tr(`dash.failure.${errorCode as 'window_closed' | 'channel_auth' | 'blocked'}`)
      : error;
    return (
      <p className="message__failed" data-testid="message-status" data-status="failed" data-error-code={errorCode || undefined}>
        <span aria-hidden="true">⚠ </span>
        {tr('dash.status.failed')}
        {reason ? <span className="message__failed-reason">: {reason}</span> : null}
      </p>
    );
  }
  const ticks = status === 'pending' ? '🕓' : status === 'queued' || status === 'sent' ? '✓' : '✓✓';
  const read = status === 'read' || status === 'played';
  return (
    <span
      className={`message__ticks${read ? ' message__ticks--read' : ''}`}
      data-testid="message-status"
      data-status={status}
      title={tr(`dash.status.${status}`)}
    >
      <span aria-hidden="true">{ticks}</span>
      <span className="visually-hidden">{tr(`dash.status.${status}`)}</span>
    </span>
  );
}
