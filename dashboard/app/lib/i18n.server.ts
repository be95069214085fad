/**
 * Which language a request is answered in: the `sapa_lang` cookie (the header toggle), else the
 * signed-in user's saved locale, else the browser's Accept-Language, else Bahasa Indonesia.
 * The cookie holds the bare locale (`id` or `en`) so tests and other tools can set it directly.
 */
import { isLocale, localeFromAcceptLanguage, type Locale } from '@sapa/shared';
import { config } from './env.server';

const COOKIE_NAME = 'sapa_lang';
const ONE_YEAR_S = 365 * 24 * 60 * 60;

/** The language chosen in this browser with the header toggle, if any. */
export function cookieLocale(request: Request): Locale | null {
  for (const part of (request.headers.get('Cookie') ?? '').split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === COOKIE_NAME && isLocale(value)) return value;
  }
  return null;
}

export function resolveLocale(request: Request, user?: { locale?: string | null } | null): Locale {
  const saved = user?.locale;
  return cookieLocale(request) ?? (isLocale(saved) ? saved : localeFromAcceptLanguage(request.headers.get('Accept-Language')));
}

/** The Set-Cookie value that makes `locale` the language of this browser. */
export function localeCookie(locale: Locale): string {
  const secure = config.isProduction ? '; Secure' : '';
  return `${COOKIE_NAME}=${locale}; Path=/; Max-Age=${ONE_YEAR_S}; SameSite=Lax; HttpOnly${secure}`;
}
