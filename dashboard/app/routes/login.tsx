import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node';
import { t } from '@sapa/shared/i18n';
import { loginSchema, logIn, startSession } from '../lib/auth.server';
import { verifyCsrf } from '../lib/csrf.server';
import { parseForm } from '../lib/forms.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { safeRedirectTarget } from '../lib/redirect-target.server';
import { getSession, getSessionUser } from '../lib/session.server';
import { useT } from '../lib/root-data';
import { AuthLayout } from '../components/auth-layout';
import { CsrfInput } from '../components/csrf-input';
import { FormField } from '../components/form-field';
import authStyles from '../styles/auth.css?url';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: authStyles }];

const DEFAULT_TARGET = '/inbox';

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const redirectTo = safeRedirectTarget(new URL(request.url).searchParams.get('redirectTo'), DEFAULT_TARGET);
  if (await getSessionUser(request)) throw redirect(redirectTo);
  return { redirectTo };
});

export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request);
  const email = String(form.get('email') ?? '');
  const parsed = parseForm(loginSchema, form, locale);
  const account = parsed.ok ? await logIn(parsed.value) : null;
  if (!account) return data({ error: t(locale, 'error.invalidCredentials'), email }, { status: 401 });
  return startSession(request, account, safeRedirectTarget(form.get('redirectTo'), DEFAULT_TARGET));
});

export default function LoginPage() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formAction === '/login';
  return (
    <AuthLayout
      title={tr('dash.loginTitle')}
      footer={
        <>
          {tr('dash.noAccount')}{' '}
          <Link to={redirectTo === DEFAULT_TARGET ? '/signup' : `/signup?${new URLSearchParams({ redirectTo })}`}>
            {tr('dash.signup')}
          </Link>
        </>
      }
    >
      <Form method="post" className="stack">
        <CsrfInput />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        {result?.error ? (
          <p className="alert alert--error" role="alert">
            {result.error}
          </p>
        ) : null}
        <FormField
          label={tr('dash.email')}
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={result?.email}
          autoFocus
        />
        <FormField label={tr('dash.password')} name="password" type="password" autoComplete="current-password" required />
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {tr('dash.login')}
        </button>
      </Form>
    </AuthLayout>
  );
}
