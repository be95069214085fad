import { NavLink, Outlet, useLoaderData, useParams, type ShouldRevalidateFunction } from '@remix-run/react';
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { listConversations } from '../lib/inbox.server';
import { resolveLocale } from '../lib/i18n.server';
import { requireUser } from '../lib/session.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { isTypingSubmission } from '../lib/revalidation';
import { useT } from '../lib/root-data';
import { useLiveRevalidation } from '../hooks/use-live-revalidation';
import { AppHeader } from '../components/app-header';
import { ConversationList } from '../components/conversation-list';
import { LiveIndicator } from '../components/live-indicator';
import inboxStyles from '../styles/inbox.css?url';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: inboxStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const unread = data?.conversations.filter((c) => c.unreadCount > 0).length ?? 0;
  return [{ title: unread > 0 ? `(${unread}) Sapa` : 'Sapa' }];
};

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const { user, workspace } = await requireUser(request);
  return listConversations({
    workspaceId: String(workspace._id),
    locale: resolveLocale(request, user),
    timeZone: workspace.timezone,
  });
});

export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  isTypingSubmission(formData) ? false : defaultShouldRevalidate;

export default function InboxLayout() {
  const { conversations, lastEventId } = useLoaderData<typeof loader>();
  const { conversationId } = useParams();
  const live = useLiveRevalidation(lastEventId);
  const tr = useT();
  return (
    <div className="app">
      <AppHeader />
      <div className={`inbox${conversationId ? ' inbox--has-conversation' : ''}`}>
        <aside className="inbox__list" aria-label={tr('dash.conversations')}>
          <div className="inbox__list-header">
            <h1 className="inbox__title">
              <NavLink to="/inbox" end>
                {tr('dash.inbox')}
              </NavLink>
            </h1>
            <LiveIndicator status={live} />
          </div>
          <ConversationList conversations={conversations} activeId={conversationId} />
        </aside>
        <main className="inbox__thread">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
