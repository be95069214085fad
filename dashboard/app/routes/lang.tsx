import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { UserModel, badRequest, isLocale } from '@sapa/shared';
import { verifyCsrf } from '../lib/csrf.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { localeCookie, resolveLocale } from '../lib/i18n.server';
import { safeRedirectTarget } from '../lib/redirect-target.server';
import { getSession, getSessionUser } from '../lib/session.server';

export const loader = () => redirect('/');

/** The language switch: remembers the choice in this browser and on the account, then goes back. */
export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const signedIn = await getSessionUser(request);
  const requested = form.get('locale');
  // The header form names the language it switches to (so a double submit is harmless); without it, toggle.
  const locale = requested === null ? (resolveLocale(request, signedIn?.user) === 'id' ? 'en' : 'id') : requested;
  if (!isLocale(locale)) throw badRequest('error.validation');
  if (signedIn) await UserModel.updateOne({ _id: signedIn.user._id }, { $set: { locale } });
  return redirect(safeRedirectTarget(form.get('redirectTo')), { headers: { 'Set-Cookie': localeCookie(locale) } });
});

// A rejected post (an expired form) gets a proper error page; see routes/logout.tsx.
export { ErrorPage as ErrorBoundary } from '../components/error-page';
