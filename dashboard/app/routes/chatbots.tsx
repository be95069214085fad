/**
 * The frame of the Chatbots pages (/chatbots, a chatbot's settings and playground): the app
 * header and a centred column.
 */
import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { PageFrame, PageFrameError } from '../components/page-frame';
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
  return <PageFrame />;
}

export function ErrorBoundary() {
  return <PageFrameError />;
}
