/**
 * Where to send the browser after a form (log in, language switch). Only paths on this site are
 * accepted: an absolute or protocol-relative URL in `redirectTo` would make the login page an
 * open redirect for phishing.
 */
export function safeRedirectTarget(target: FormDataEntryValue | string | null | undefined, fallback = '/'): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) {
    return fallback;
  }
  const base = 'http://sapa.invalid';
  const url = new URL(target, base);
  return url.origin === base ? url.pathname + url.search + url.hash : fallback;
}
