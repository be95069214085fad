import { Form, useLocation } from '@remix-run/react';
import { useLocale, useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';

/** Switches between Bahasa Indonesia and English and comes back to the same page. */
export function LanguageSwitch() {
  const locale = useLocale();
  const tr = useT();
  const location = useLocation();
  const other = locale === 'id' ? 'en' : 'id';
  return (
    <Form method="post" action="/lang" className="language-switch">
      <CsrfInput />
      <input type="hidden" name="locale" value={other} />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <button type="submit" className="button button--ghost button--small" lang={other} title={tr('dash.language')}>
        <svg aria-hidden="true" className="language-switch__icon" viewBox="0 0 24 24" width="16" height="16">
          <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" strokeWidth="1.8" />
          <path
            d="M3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.8"
          />
        </svg>
        {tr('dash.switchLanguage')}
      </button>
    </Form>
  );
}
