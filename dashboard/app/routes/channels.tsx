/**
 * The frame of every Channels page (/channels, /channels/:id, /channels/new/…): the app header
 * and a centred column. Each page loads its own data and, where health can change while it is
 * open, follows the live stream itself.
 */
import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { PageFrame, PageFrameError } from '../components/page-frame';
import channelsStyles from '../styles/channels.css?url';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: channelsStyles }];

export const meta: MetaFunction = () => [{ title: 'Sapa' }];

export default function ChannelsLayout() {
  return <PageFrame />;
}

export function ErrorBoundary() {
  return <PageFrameError />;
}
