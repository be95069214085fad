/**
 * The frame of the workspace settings pages (/settings/api-keys): the app header and a centred
 * column, like the other sections.
 */
import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { PageFrame, PageFrameError } from '../components/page-frame';
import channelsStyles from '../styles/channels.css?url';
import apiKeysStyles from '../styles/api-keys.css?url';

// The Channels styles carry the page frame, section headers and alerts.
export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: channelsStyles },
  { rel: 'stylesheet', href: apiKeysStyles },
];

export const meta: MetaFunction = () => [{ title: 'Sapa' }];

export default function SettingsLayout() {
  return <PageFrame />;
}

export function ErrorBoundary() {
  return <PageFrameError />;
}
