import { Form, Link, NavLink } from '@remix-run/react';
import { useOptionalRootData, useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';
import { LanguageSwitch } from './language-switch';

/** The bar above every signed-in page: brand, workspace, the sections, language and the signed-in agent. */
export function AppHeader({ children }: { children?: React.ReactNode }) {
  const tr = useT();
  const root = useOptionalRootData();
  return (
    <header className="app-header">
      <Link to="/inbox" className="brand">
        <span className="brand__mark" aria-hidden="true">
          S
        </span>
        <span className="brand__name">{tr('dash.appName')}</span>
      </Link>
      {root?.workspaceName ? <span className="app-header__workspace">{root.workspaceName}</span> : null}
      {root?.user ? (
        <nav className="app-nav" aria-label={tr('dash.nav')}>
          <NavLink to="/inbox" className="app-nav__link">
            {tr('dash.inbox')}
          </NavLink>
          <NavLink to="/channels" className="app-nav__link">
            {tr('dash.channels')}
          </NavLink>
          <NavLink to="/knowledge" className="app-nav__link">
            {tr('knowledge.title')}
          </NavLink>
          <NavLink to="/chatbots" className="app-nav__link">
            {tr('chatbots.title')}
          </NavLink>
          <NavLink to="/settings/api-keys" className="app-nav__link">
            {tr('apiKeys.title')}
          </NavLink>
          <NavLink to="/billing" className="app-nav__link">{tr('billing.title')}</NavLink>
        </nav>
      ) : null}
      <div className="app-header__end">
        {children}
        <LanguageSwitch />
        {root?.user ? (
          <>
            <span className="app-header__user" title={root.user.email}>
              {tr('dash.signedInAs', { name: root.user.name })}
            </span>
            <Form method="post" action="/logout">
              <CsrfInput />
              <button type="submit" className="button button--secondary button--small">
                {tr('dash.logout')}
              </button>
            </Form>
          </>
        ) : null}
      </div>
    </header>
  );
}
