import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node';
import { t } from '@sapa/shared/i18n';
import { signUp, signupSchema, startSession } from '../lib/auth.server';
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
  // Echoed back so a rejected form keeps what was typed (never the password).
  const values = {
    name: String(form.get('name') ?? ''),
    workspaceName: String(form.get('workspaceName') ?? ''),
    email: String(form.get('email') ?? ''),
  };
  const parsed = parseForm(signupSchema, form, locale);
  if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors, values }, { status: 400 });
  const result = await signUp(parsed.value, locale);
  if (result.status === 'emailTaken') {
    return data({ fieldErrors: { email: t(locale, 'error.emailTaken') }, values }, { status: 409 });
  }
  return startSession(request, result.account, safeRedirectTarget(form.get('redirectTo'), DEFAULT_TARGET));
});

export default function SignupPage() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formAction === '/signup';
  const errors = result?.fieldErrors;
  return (
    <AuthLayout
      title={tr('dash.signupTitle')}
      footer={
        <>
          {tr('dash.haveAccount')}{' '}
          <Link to={redirectTo === DEFAULT_TARGET ? '/login' : `/login?${new URLSearchParams({ redirectTo })}`}>
            {tr('dash.login')}
          </Link>
        </>
      }
    >
      <Form method="post" className="stack">
        <CsrfInput />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        {errors?.form ? (
          <p className="alert alert--error" role="alert">
            {errors.form}
          </p>
        ) : null}
        <FormField
          label={tr('dash.name')}
          name="name"
          autoComplete="name"
          required
          maxLength={120}
          defaultValue={result?.values.name}
          error={errors?.name}
          autoFocus
        />
        <FormField
          label={tr('dash.workspaceName')}
          name="workspaceName"
          autoComplete="organization"
          required
          maxLength={120}
          defaultValue={result?.values.workspaceName}
          error={errors?.workspaceName}
        />
        <FormField
          label={tr('dash.email')}
          name="email"
          type="email"
          autoComplete="email"
          required
          defaultValue={result?.values.email}
          error={errors?.email}
        />
        <FormField
          label={tr('dash.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint={tr('dash.passwordRule')}
          error={errors?.password}
        />
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {tr('dash.signup')}
        </button>
      </Form>
    </AuthLayout>
  );
}
