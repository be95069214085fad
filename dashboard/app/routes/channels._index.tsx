import { Link, useLoaderData } from '@remix-run/react';
import type { LoaderFunctionArgs } from '@remix-run/node';
import type { ChannelType } from '@sapa/shared/models/channel';
import { listChannels } from '../lib/channels.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { canManageChannels } from '../lib/roles.server';
import { useT } from '../lib/root-data';
import { requireUser } from '../lib/session.server';
import { useLiveRevalidation } from '../hooks/use-live-revalidation';
import { ChannelIcon } from '../components/channel-icon';
import { HealthBadge } from '../components/health-badge';
import { LiveIndicator } from '../components/live-indicator';

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const { workspace, membership } = await requireUser(request);
  const { channels, lastEventId } = await listChannels(String(workspace._id));
  return { channels, lastEventId, canManage: canManageChannels(membership) };
});

/** The channel types an owner can add here, and the page that connects each. The web widget comes with every chatbot. */
const ADDABLE: Array<{ type: ChannelType; path: string }> = [
  { type: 'whatsapp_cloud', path: '/channels/new/whatsapp-cloud' },
  { type: 'whatsapp_baileys', path: '/channels/new/whatsapp-web' },
  { type: 'telegram', path: '/channels/new/telegram' },
];

export default function ChannelsPage() {
  const { channels, lastEventId, canManage } = useLoaderData<typeof loader>();
  const live = useLiveRevalidation(lastEventId);
  const tr = useT();
  return (
    <div className="channels">
      <header className="channels__header">
        <h1 className="channels__title">{tr('dash.channels')}</h1>
        <LiveIndicator status={live} />
      </header>
      <p className="channels__intro">{tr('dash.channelsIntro')}</p>
      {!canManage ? (
        <p className="channels__note" data-testid="admin-only-note">
          {tr('dash.adminOnlyNote')}
        </p>
      ) : null}
      {channels.length === 0 ? <p className="channels__empty">{tr('dash.noChannels')}</p> : null}
      <ul className="channel-list" data-testid="channel-list">
        {channels.map((c) => {
          const body = (
            <>
              <span className="channel-row__icon">
                <ChannelIcon type={c.type} size={22} />
              </span>
              <span className="channel-row__main">
                <span className="channel-row__name">{c.name}</span>
                <span className="channel-row__meta">
                  {tr(`dash.channelType.${c.type}`)}
                  {c.detail ? ` · ${c.detail}` : ''}
                </span>
              </span>
              <HealthBadge status={c.health.status} reason={c.health.reason} />
            </>
          );
          return (
            <li key={c.id} data-testid="channel-item" data-channel-id={c.id} data-type={c.type} data-status={c.health.status}>
              {canManage ? (
                <Link to={`/channels/${c.id}`} className="channel-row channel-row--link">
                  {body}
                </Link>
              ) : (
                <div className="channel-row">{body}</div>
              )}
            </li>
          );
        })}
      </ul>
      {canManage ? (
        <section className="channel-add" aria-labelledby="add-channel">
          <h2 className="channel-add__title" id="add-channel">
            {tr('dash.addChannel')}
          </h2>
          <div className="channel-add__options">
            {ADDABLE.map((option) => (
              <Link key={option.type} to={option.path} className="channel-option" data-testid={`add-${option.type}`}>
                <ChannelIcon type={option.type} size={22} />
                <span className="channel-option__name">{tr(`dash.channelType.${option.type}`)}</span>
                <span className="channel-option__hint">{tr(`dash.channelTypeHint.${option.type as 'whatsapp_cloud' | 'whatsapp_baileys' | 'telegram'}`)}</span>
              </Link>
            ))}
          </div>
        </section>
      ) : null}
    </div>
  );
}
