/**
 * GET /media/:messageId: an attachment of a message in the signed-in workspace (images, voice
 * notes, documents customers sent), streamed from Sapa's media store. See lib/media.server.ts.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { withHttpErrors } from '../lib/http-errors.server';
import { mediaResponse } from '../lib/media.server';
import { requireUser } from '../lib/session.server';

export const loader = withHttpErrors(async ({ request, params }: LoaderFunctionArgs) => {
  const { workspace } = await requireUser(request);
  return mediaResponse(String(workspace._id), params.messageId);
});
