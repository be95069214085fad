import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { endSession } from '../lib/auth.server';
import { verifyCsrf } from '../lib/csrf.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { getSession } from '../lib/session.server';

// Logging out changes state, so it is a POST (a link or an <img> elsewhere cannot do it).
export const loader = () => redirect('/');

export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  verifyCsrf(await getSession(request), await request.formData());
  return endSession(request);
});

// Without JavaScript a rejected post (an expired form) lands here, so it gets a proper error page
// instead of a bare resource-route answer; that also makes this a page route, not a resource route.
export { ErrorPage as ErrorBoundary } from '../components/error-page';
