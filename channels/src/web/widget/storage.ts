/**
 * What survives a reload: the visitor identity under `sapa:<PUBLIC_ID>` (the contract's key) and
 * the visitor's language choice next to it. localStorage can be missing or throw (privacy modes,
 * sandboxed frames, full quota); then the widget still works, it just forgets on reload.
 */
import { isLocale, type Locale } from '@sapa/shared/i18n';
import type { VisitorIdentity } from './types';

const identityKey = (publicId: string) => `sapa:${publicId}`;
const localeKey = (publicId: string) => `sapa:${publicId}:locale`;

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // Not persisted; the session simply starts fresh next time.
  }
}

export function loadIdentity(publicId: string): VisitorIdentity | null {
  const raw = read(identityKey(publicId));
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const { visitorId, token } = value as Record<string, unknown>;
    return typeof visitorId === 'string' && typeof token === 'string' ? { visitorId, token } : null;
  } catch {
    return null;
  }
}

export function saveIdentity(publicId: string, identity: VisitorIdentity): void {
  write(identityKey(publicId), JSON.stringify({ visitorId: identity.visitorId, token: identity.token }));
}

export function loadLocale(publicId: string): Locale | null {
  const value = read(localeKey(publicId));
  return isLocale(value) ? value : null;
}

export function saveLocale(publicId: string, locale: Locale): void {
  write(localeKey(publicId), locale);
}
