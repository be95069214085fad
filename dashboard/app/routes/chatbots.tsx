/**
 * The frame of the Chatbots pages (/chatbots, a chatbot's settings and playground): the app
 * header and a centred column.
 */
import { Outlet, useRouteError } from '@remix-run/react';
import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { describeRouteError } from '../lib/route-error';
import { useT } from '../lib/root-data';
import { AppHeader } from '../components/app-header';
import { ErrorPanel } from '../components/error-panel';
import channelsStyles from '../styles/channels.css?url';
import knowledgeStyles from '../styles/knowledge.css?url';
import chatbotsStyles from '../styles/chatbots.css?url';

// The Channels styles carry the page frame, value rows and alerts; the Knowledge styles the chunk
// and status pieces the playground shows too.
export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: channelsStyles },
  { rel: 'stylesheet', href: knowledgeStyles },
  { rel: 'stylesheet', href: chatbotsStyles },
];

export const meta: MetaFunction = () => [{ title: 'Sapa' }];

export default function ChatbotsLayout() {
  return (
    <div className="channels-app">
      <AppHeader />
      <main className="channels-main">
        <Outlet />
      </main>
    </div>
  );
}

export function ErrorBoundary() {
  const tr = useT();
  const { status, message } = describeRouteError(useRouteError(), tr);
  return (
    <div className="channels-app">
      <AppHeader />
      <main className="channels-main channels-main--error">
        <ErrorPanel title={tr('dash.errorTitle')} message={message} status={status} />
      </main>
    </div>
  );
}
