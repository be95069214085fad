/**
 * Reads how the site embedded the widget: the `<script data-chatbot=... src=.../widget.js>` tag
 * tells us the chatbot, the gateway (the script's own location) and the optional language and side.
 */
import { isLocale, type Locale } from '@sapa/shared/i18n';

export type Position = 'left' | 'right';

export interface EmbedOptions {
  publicId: string;
  /** The folder widget.js was served from; API paths resolve against it, so a path prefix works. */
  gatewayBase: URL;
  /** The site's choice via data-lang, if it made a valid one. */
  locale: Locale | null;
  position: Position;
}

/**
 * Must run synchronously while the script executes: `document.currentScript` is only set then.
 * The selector fallback covers browsers and loaders where it is null.
 */
export function readEmbedOptions(): EmbedOptions | null {
  const script = currentScriptTag();
  const publicId = script?.dataset.chatbot?.trim();
  if (!script || !publicId || !script.src) return null;
  const lang = script.dataset.lang?.trim().toLowerCase();
  const position = script.dataset.position?.trim().toLowerCase() ?? '';
  return {
    publicId,
    gatewayBase: new URL('.', script.src),
    locale: isLocale(lang) ? lang : null,
    position: position.endsWith('left') ? 'left' : 'right',
  };
}

function currentScriptTag(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.chatbot) return current;
  const candidates = Array.from(document.querySelectorAll<HTMLScriptElement>('script[data-chatbot][src]'));
  return candidates.find((s) => /\/widget\.js(?:[?#]|$)/.test(s.src)) ?? candidates[0] ?? null;
}
