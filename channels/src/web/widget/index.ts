/**
 * Entry point of widget.js. It runs on someone else's page, so it adds exactly one element
 * (`#sapa-widget-host`, everything else lives in its shadow root) and one global, `window.Sapa`.
 */
import { ChatController } from './controller';
import { readEmbedOptions, type EmbedOptions } from './embed';

const HOST_ID = 'sapa-widget-host';

declare global {
  interface Window {
    Sapa?: { open(): void; close(): void; toggle(): void };
  }
}

function mount(options: EmbedOptions): void {
  // The snippet pasted twice (or a theme that includes it again) must not give two launchers.
  if (document.getElementById(HOST_ID)) return;
  const host = document.createElement('div');
  host.id = HOST_ID;
  document.body.appendChild(host);
  const chat = new ChatController(options, host);
  window.Sapa = { open: () => chat.open(), close: () => chat.close(), toggle: () => chat.toggle() };
  chat.start();
}

// Read the script tag now: document.currentScript is only set while this script is executing.
const options = readEmbedOptions();
if (!options) {
  console.warn('[sapa] widget.js needs a data-chatbot attribute on its <script> tag');
} else if (document.body) {
  mount(options);
} else {
  document.addEventListener('DOMContentLoaded', () => mount(options), { once: true });
}
