import { isRouteErrorResponse } from '@remix-run/react';
import type { MessageKey } from '@sapa/shared/i18n';

/**
 * What an error boundary shows: the localized message the server put in a thrown response, or a
 * generic one. Anything else (a render error, a network failure) never shows its details.
 */
export function describeRouteError(error: unknown, tr: (key: MessageKey) => string): { status: number; message: string } {
  if (!isRouteErrorResponse(error)) return { status: 500, message: tr('error.internal') };
  const body: unknown = error.data;
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
    return { status: error.status, message: body.message };
  }
  return { status: error.status, message: tr(error.status === 404 ? 'error.notFound' : 'error.internal') };
}
