/**
 * Any path no other route matches. Answering the 404 from a loader (instead of Remix's built-in
 * no-match) lets the root loader run first, so the error page is in the visitor's language.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { notFound } from '@sapa/shared';
import { withHttpErrors } from '../lib/http-errors.server';

export const loader = withHttpErrors(async (_args: LoaderFunctionArgs) => {
  throw notFound('error.notFound');
});

export { ErrorPage as ErrorBoundary } from '../components/error-page';
