import { useT } from '../lib/root-data';
import { LanguageSwitch } from './language-switch';

/** The frame of the log-in and sign-up pages. */
export function AuthLayout({ title, children, footer }: { title: string; children: React.ReactNode; footer: React.ReactNode }) {
  const tr = useT();
  return (
    <div className="auth">
      <div className="auth__top">
        <LanguageSwitch />
      </div>
      <main className="auth__main">
        <div className="auth__brand">
          <span className="brand__mark brand__mark--large" aria-hidden="true">
            S
          </span>
          <span className="auth__brand-name">{tr('dash.appName')}</span>
        </div>
        <p className="auth__tagline">{tr('dash.tagline')}</p>
        <section className="card auth__card">
          <h1 className="auth__title">{title}</h1>
          {children}
        </section>
        <p className="auth__footer">{footer}</p>
      </main>
    </div>
  );
}
