/**
 * GET /inbox/stream: the workspace's realtime events as Server-Sent Events, for the inbox's live
 * updates. Resumes after `Last-Event-ID` (EventSource's own reconnects) or `?lastEventId=` (the
 * page's snapshot), so nothing between a page load or a dropped connection and the stream is missed.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { parseLastEventId } from '@sapa/shared';
import { workspaceEventStream } from '../lib/realtime.server';
import { getSessionUser } from '../lib/session.server';
import { withHttpErrors } from '../lib/http-errors.server';

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const signedIn = await getSessionUser(request);
  // Not a redirect: EventSource cannot follow one to a login page.
  if (!signedIn) return new Response('Unauthorized', { status: 401 });
  const after = parseLastEventId(request.headers.get('Last-Event-ID'), new URL(request.url).searchParams.get('lastEventId'));
  return workspaceEventStream(String(signedIn.workspace._id), after, request.signal);
});
