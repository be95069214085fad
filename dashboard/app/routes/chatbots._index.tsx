/** /chatbots: the workspace's chatbots, the AI each answers with and how much knowledge it uses. */
import { Link, useLoaderData } from '@remix-run/react';
import type { LoaderFunctionArgs } from '@remix-run/node';
import { listChatbots } from '../lib/chatbots.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { canManageKnowledge } from '../lib/knowledge.server';
import { useT } from '../lib/root-data';
import { requireUser } from '../lib/session.server';

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const { workspace, membership } = await requireUser(request);
  return { chatbots: await listChatbots(String(workspace._id)), canManage: canManageKnowledge(membership) };
});

export default function ChatbotsPage() {
  const { chatbots, canManage } = useLoaderData<typeof loader>();
  const tr = useT();
  return (
    <div className="channels">
      <header className="channels__header">
        <h1 className="channels__title">{tr('chatbots.title')}</h1>
      </header>
      <p className="channels__intro">{tr('chatbots.intro')}</p>
      {!canManage ? (
        <p className="channels__note" data-testid="admin-only-note">
          {tr('chatbots.adminOnlyNote')}
        </p>
      ) : null}
      <ul className="channel-list" data-testid="chatbot-list">
        {chatbots.map((c) => (
          <li key={c.id} className="chatbot-row" data-testid="chatbot-item" data-chatbot-id={c.id}>
            <span className="channel-row__main">
              <span className="channel-row__name">{c.name}</span>
              <span className="channel-row__meta">
                {c.provider === 'offline' ? tr('chatbots.offline') : `${tr(`chatbot.providerName.${c.provider}`)} · ${c.model}`}
                {' · '}
                {tr('chatbots.sourceCount', { count: c.sourceCount })}
              </span>
            </span>
            {canManage ? (
              <span className="chatbot-row__links">
                <Link to={`/chatbots/${c.id}/settings`} className="button button--secondary button--small" data-testid="chatbot-settings-link">
                  {tr('chatbot.settings')}
                </Link>
                <Link to={`/chatbots/${c.id}/playground`} className="button button--secondary button--small" data-testid="chatbot-playground-link">
                  {tr('playground.title')}
                </Link>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
