/**
 * False in the server's HTML (and while hydrating it), true once React runs in the browser: for
 * controls that only work with JavaScript, which a page without it should not show at all.
 */
import { useSyncExternalStore } from 'react';

const noSubscription = () => () => {};

export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}
