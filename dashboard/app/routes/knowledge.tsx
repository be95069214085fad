/**
 * The frame of the Knowledge pages (/knowledge, /knowledge/:id): the app header and a centred
 * column. Each page loads its own data and follows the live stream for the worker's progress.
 */
import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { PageFrame, PageFrameError } from '../components/page-frame';
import channelsStyles from '../styles/channels.css?url';
import knowledgeStyles from '../styles/knowledge.css?url';

// The Channels styles carry the page frame, value rows and alerts these pages share.
export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: channelsStyles },
  { rel: 'stylesheet', href: knowledgeStyles },
];

export const meta: MetaFunction = () => [{ title: 'Sapa' }];

export default function KnowledgeLayout() {
  return <PageFrame mainClassName="knowledge-main" />;
}

export function ErrorBoundary() {
  return <PageFrameError />;
}
