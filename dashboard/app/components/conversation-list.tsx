import { Link } from '@remix-run/react';
import type { ConversationSummary } from '../lib/inbox.server';
import { useT } from '../lib/root-data';
import { ChannelIcon } from './channel-icon';
import { ModeBadge } from './mode-badge';

/** The inbox's left column: newest activity first. */
export function ConversationList({
  conversations,
  activeId,
}: {
  conversations: ConversationSummary[];
  activeId: string | undefined;
}) {
  const tr = useT();
  return (
    <>
      {conversations.length === 0 ? <p className="conversation-list__empty">{tr('dash.noConversations')}</p> : null}
      <ul className="conversation-list" data-testid="conversation-list">
        {conversations.map((c) => {
          const active = c.id === activeId;
          // The open conversation is being read: its count is already cleared, whatever this list loaded.
          const unread = active ? 0 : c.unreadCount;
          return (
            <li key={c.id} data-testid="conversation-item" data-conversation-id={c.id} data-mode={c.mode}>
              <Link
                to={`/inbox/${c.id}`}
                className={`conversation-item${active ? ' conversation-item--active' : ''}${
                  unread > 0 ? ' conversation-item--unread' : ''
                }`}
                aria-current={active ? 'page' : undefined}
              >
                <span className="conversation-item__top">
                  <span className="conversation-item__name">{c.contactName || tr('dash.visitor')}</span>
                  <time className="conversation-item__time" dateTime={c.lastMessageAt}>
                    {c.lastMessageLabel}
                  </time>
                </span>
                <span className="conversation-item__preview">{c.preview || '\u00a0'}</span>
                <span className="conversation-item__meta">
                  <ModeBadge mode={c.mode} />
                  <span className="conversation-item__channel" data-testid="conversation-channel" data-channel={c.channelType}>
                    <ChannelIcon type={c.channelType} size={14} />
                    {tr(`dash.channel.${c.channelType}`)}
                  </span>
                  {unread > 0 ? (
                    <span className="unread-count" data-testid="unread-count" aria-label={`${unread} ${tr('dash.unread')}`}>
                      {unread}
                    </span>
                  ) : null}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </>
  );
}
