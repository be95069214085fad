import { redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { getSessionUser } from '../lib/session.server';
import { withHttpErrors } from '../lib/http-errors.server';

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  return redirect((await getSessionUser(request)) ? '/inbox' : '/login');
});
