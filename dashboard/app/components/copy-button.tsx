import { useEffect, useState } from 'react';
import { useHydrated } from '../hooks/use-hydrated';
import { useT } from '../lib/root-data';

/**
 * Copies `text` to the clipboard. Rendered only once the page is interactive: without JavaScript
 * the value next to it is selectable text, and a button that does nothing would only mislead.
 */

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const tr = useT();
  const hydrated = useHydrated();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  if (!hydrated) return null;
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <button type="button" className="button button--secondary button--small copy-button" onClick={copy} aria-live="polite">
      {copied ? tr('dash.copied') : (label ?? tr('dash.copy'))}
    </button>
  );
}
