import { Links, Meta, Outlet, Scripts, ScrollRestoration, type ShouldRevalidateFunction } from '@remix-run/react';
import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { ensureCsrfToken } from './lib/csrf.server';
import { resolveLocale } from './lib/i18n.server';
import { commitSession, getSession, getSessionUser } from './lib/session.server';
import { withHttpErrors } from './lib/http-errors.server';
import { useOptionalRootData } from './lib/root-data';
import { isTypingSubmission } from './lib/revalidation';
import { ErrorPage } from './components/error-page';
import baseStyles from './styles/base.css?url';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: baseStyles },
  {
    rel: 'icon',
    href: 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="%230f766e"/><text x="16" y="22" font-size="18" text-anchor="middle" fill="white" font-family="sans-serif">S</text></svg>',
  },
];

export const meta: MetaFunction = () => [{ title: 'Sapa' }];

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const session = await getSession(request);
  const csrf = ensureCsrfToken(session);
  const signedIn = await getSessionUser(request);
  const headers = new Headers();
  if (csrf.created) headers.append('Set-Cookie', await commitSession(session));
  return data(
    {
      locale: resolveLocale(request, signedIn?.user),
      csrf: csrf.token,
      user: signedIn ? { name: signedIn.user.name, email: signedIn.user.email } : null,
      workspaceName: signedIn?.workspace.name ?? null,
    },
    { headers },
  );
});

// Typing notices change nothing on the page; every other form post refreshes what is shown.
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  isTypingSubmission(formData) ? false : defaultShouldRevalidate;

export function Layout({ children }: { children: React.ReactNode }) {
  const root = useOptionalRootData();
  return (
    <html lang={root?.locale ?? 'id'}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
