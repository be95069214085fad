/**
 * What every page knows from the root loader: the language, the CSRF token for forms and who is
 * signed in. Error boundaries may render when the root loader itself failed, hence the optional form.
 */
import { useRouteLoaderData } from '@remix-run/react';
import { DEFAULT_LOCALE, t, type Locale, type MessageKey } from '@sapa/shared/i18n';
import type { loader } from '../root';

export function useOptionalRootData() {
  return useRouteLoaderData<typeof loader>('root');
}

export function useLocale(): Locale {
  return useOptionalRootData()?.locale ?? DEFAULT_LOCALE;
}

/** `t` bound to the page's language. */
export function useT(): (key: MessageKey, vars?: Record<string, string | number>) => string {
  const locale = useLocale();
  return (key, vars) => t(locale, key, vars);
}

export function useCsrfToken(): string {
  return useOptionalRootData()?.csrf ?? '';
}
