/**
 * The frame of every Channels page (/channels, /channels/:id, /channels/new/…): the app header
 * and a centred column. Each page loads its own data and, where health can change while it is
 * open, follows the live stream itself.
 */
import { Outlet, useRouteError } from '@remix-run/react';
import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { describeRouteError } from '../lib/route-error';
import { useT } from '../lib/root-data';
import { AppHeader } from '../components/app-header';
import { ErrorPanel } from '../components/error-panel';
import channelsStyles from '../styles/channels.css?url';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: channelsStyles }];

export const meta: MetaFunction = () => [{ title: 'Sapa' }];

export default function ChannelsLayout() {
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
