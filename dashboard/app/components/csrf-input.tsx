import { useCsrfToken } from '../lib/root-data';

/** The hidden field every post form carries; the action compares it with the session's token. */
export function CsrfInput() {
  return <input type="hidden" name="csrf" value={useCsrfToken()} />;
}
