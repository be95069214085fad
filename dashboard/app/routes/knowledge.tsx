/**
 * The frame of the Knowledge pages (/knowledge, /knowledge/:id): the app header and a centred
 * column. Each page loads its own data and follows the live stream for the worker's progress.
 */
import { Outlet, useRouteError } from '@remix-run/react';
import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { describeRouteError } from '../lib/route-error';
import { useT } from '../lib/root-data';
import { AppHeader } from '../components/app-header';
import { ErrorPanel } from '../components/error-panel';
import channelsStyles from '../styles/channels.css?url';
import knowledgeStyles from '../styles/knowledge.css?url';

// The Channels styles carry the page frame, value rows and alerts these pages share.
export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: channelsStyles },
  { rel: 'stylesheet', href: knowledgeStyles },
];

export const meta: MetaFunction = () => [{ title: 'Sapa' }];

export default function KnowledgeLayout() {
  return (
    <div className="channels-app">
      <AppHeader />
      <main className="channels-main knowledge-main">
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
