/**
 * The frame the Channels, Knowledge and Chatbots sections share: the app header and a centred
 * column holding the section's page, and the same frame around an error. (The CSS classes come
 * from channels.css, which each of those sections links.)
 */
import { Outlet, useRouteError } from '@remix-run/react';
import { describeRouteError } from '../lib/route-error';
import { useT } from '../lib/root-data';
import { AppHeader } from './app-header';
import { ErrorPanel } from './error-panel';

export function PageFrame({ mainClassName }: { mainClassName?: string }) {
  return (
    <div className="channels-app">
      <AppHeader />
      <main className={mainClassName ? `channels-main ${mainClassName}` : 'channels-main'}>
        <Outlet />
      </main>
    </div>
  );
}

export function PageFrameError() {
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
