import { Form } from '@remix-run/react';
import type { ChannelStatus } from '@sapa/shared/models/channel';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';

/** Disconnect (keeps the channel and its conversations) and delete (asks once more, without JavaScript too). */
export function ChannelDangerZone({ status, busy }: { status: ChannelStatus; busy: boolean }) {
  const tr = useT();
  return (
    <section className="channel-section channel-section--danger" aria-labelledby="danger-zone">
      <h2 className="channel-section__title" id="danger-zone">
        {tr('dash.dangerZone')}
      </h2>
      {status !== 'disabled' ? (
        <Form method="post" className="danger-row">
          <CsrfInput />
          <input type="hidden" name="intent" value="disconnect" />
          <p className="danger-row__hint">{tr('dash.disconnectHint')}</p>
          <button type="submit" className="button button--danger-outline" disabled={busy}>
            {tr('dash.disconnect')}
          </button>
        </Form>
      ) : null}
      <details className="danger-row">
        <summary className="button button--danger-outline danger-row__summary">{tr('dash.deleteChannel')}</summary>
        <Form method="post" className="danger-row__confirm">
          <CsrfInput />
          <input type="hidden" name="intent" value="delete" />
          <p className="danger-row__hint">{tr('dash.deleteChannelHint')}</p>
          <button type="submit" className="button button--danger-outline" disabled={busy}>
            {tr('dash.deleteChannelConfirm')}
          </button>
        </Form>
      </details>
    </section>
  );
}
