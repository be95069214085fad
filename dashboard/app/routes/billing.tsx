/**
 * The frame of the Billing pages (/billing, /billing/payments/:orderId, /billing/outbox): the app
 * header and a centred column. Each page loads its own data (owners and admins only) and follows
 * the live stream for payments, the balance and alerts.
 */
import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { PageFrame, PageFrameError } from '../components/page-frame';
import billingStyles from '../styles/billing.css?url';
import channelsStyles from '../styles/channels.css?url';

// The Channels styles carry the page frame, value rows and alerts these pages share.
export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: channelsStyles },
  { rel: 'stylesheet', href: billingStyles },
];

export const meta: MetaFunction = () => [{ title: 'Sapa' }];

export default function BillingLayout() {
  return <PageFrame mainClassName="billing-main" />;
}

export function ErrorBoundary() {
  return <PageFrameError />;
}
