/**
 * The widget's DOM, inside an open shadow root on `#sapa-widget-host` (open so browser tests and
 * host-page scripts can inspect it). Everything that comes from the server or the visitor is set
 * with textContent or as a validated href property: no HTML string is ever parsed.
 */
import { t, type Locale, type MessageKey } from '@sapa/shared/i18n';
import type { Position } from './embed';
import { WIDGET_CSS } from './styles';
import type { ThreadEntry } from './thread';

/** A typing event with no follow-up (a dropped "stop") must not leave the indicator up forever. */
const TYPING_TIMEOUT_MS = 15_000;
/** Closer than this to the bottom counts as "reading the latest", so new messages scroll into view. */
const STICKY_SCROLL_PX = 80;

export interface ViewHandlers {
  onOpen(): void;
  onSend(text: string): void;
  onRetry(key: string): void;
  onToggleLocale(): void;
}

type Typist = { kind: 'bot' | 'agent'; name: string | null };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, attrs: Record<string, string> = {}) {
  const node = document.createElement(tag);
  node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

/** Only http(s) links become anchors; anything else (javascript:, data:, relative) stays text. */
function safeHttpUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function chatIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute(
    'd',
    'M12 3C6.5 3 2 6.6 2 11c0 2.4 1.3 4.6 3.4 6.1L4.5 21l4.3-2.2c1 .3 2.1.4 3.2.4 5.5 0 10-3.6 10-8s-4.5-8-10-8z',
  );
  svg.appendChild(path);
  return svg;
}

export class WidgetView {
  private readonly shadow: ShadowRoot;
  private readonly launcher = el('button', 'sapa-launcher', { type: 'button', 'aria-expanded': 'false' });
  private readonly badge = el('span', 'sapa-badge', { 'aria-hidden': 'true' });
  private readonly panel = el('div', 'sapa-panel', { role: 'dialog', id: 'sapa-panel' });
  private readonly title = el('div', 'sapa-title');
  private readonly subtitle = el('div', 'sapa-subtitle');
  private readonly langButton = el('button', 'sapa-lang', { type: 'button' });
  private readonly closeButton = el('button', 'sapa-close', { type: 'button' });
  private readonly banner = el('div', 'sapa-banner', { role: 'status' });
  private readonly notice = el('div', 'sapa-notice', { role: 'alert' });
  private readonly messages = el('div', 'sapa-messages', { role: 'log', 'aria-live': 'polite' });
  private readonly greeting = el('div', 'sapa-greeting');
  private readonly typing = el('div', 'sapa-typing');
  private readonly input = el('textarea', 'sapa-input', { rows: '1' });
  private readonly counter = el('span', 'sapa-counter', { 'aria-live': 'polite' });
  private readonly send = el('button', 'sapa-send', { type: 'button' });
  private readonly bubbles = new Map<string, { node: HTMLElement; entry: ThreadEntry }>();
  private typist: Typist | null = null;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private maxChars = Number.POSITIVE_INFINITY;
  private disabled = false;

  constructor(
    host: HTMLElement,
    position: Position,
    private locale: Locale,
    private readonly handlers: ViewHandlers,
  ) {
    this.shadow = host.attachShadow({ mode: 'open' });

    const root = el('div', 'sapa-root', { 'data-position': position });
    this.launcher.setAttribute('aria-controls', 'sapa-panel');
    this.launcher.append(chatIcon(), this.badge);
    this.closeButton.textContent = '\u00d7';

    const heading = el('div', 'sapa-heading');
    heading.append(this.title, this.subtitle);
    const header = el('div', 'sapa-header');
    header.append(heading, this.langButton, this.closeButton);
    const composer = el('div', 'sapa-composer');
    composer.append(this.input, this.counter, this.send);
    this.messages.append(this.greeting);
    this.panel.append(header, this.banner, this.notice, this.messages, this.typing, composer);
    root.append(this.launcher, this.panel);
    this.adoptStyles();
    this.shadow.append(root);

    for (const node of [this.badge, this.panel, this.subtitle, this.banner, this.notice, this.greeting, this.typing, this.counter]) {
      node.hidden = true;
    }
    this.send.disabled = true;
    this.bindEvents();
    this.applyLocale();
  }

  /**
   * A constructed stylesheet is not inline style to the host page's Content-Security-Policy, so the
   * widget stays styled on shops whose CSP forbids inline styles; older browsers get a <style>.
   */
  private adoptStyles(): void {
    if ('adoptedStyleSheets' in this.shadow && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(WIDGET_CSS);
      this.shadow.adoptedStyleSheets = [sheet];
      return;
    }
    const style = document.createElement('style');
    style.textContent = WIDGET_CSS;
    this.shadow.append(style);
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  open(): void {
    if (this.isOpen) return;
    this.panel.hidden = false;
    this.syncLauncher();
    this.setUnread(0);
    this.messages.scrollTop = this.messages.scrollHeight;
    if (!this.disabled) this.input.focus();
    this.handlers.onOpen();
  }

  close(): void {
    if (!this.isOpen) return;
    // Hand focus back only if it was inside the widget; a programmatic close must not steal it.
    const hadFocus = this.shadow.activeElement !== null;
    this.panel.hidden = true;
    this.syncLauncher();
    if (hadFocus) this.launcher.focus();
  }

  toggle(): void {
    if (this.isOpen) this.close();
    else this.open();
  }

  setLocale(locale: Locale): void {
    this.locale = locale;
    this.applyLocale();
  }

  setSubtitle(text: string): void {
    this.subtitle.textContent = text;
    this.subtitle.hidden = !text;
  }

  setGreeting(text: string): void {
    this.greeting.textContent = text;
    this.greeting.hidden = !text;
  }

  setMaxChars(max: number): void {
    this.maxChars = max;
    this.input.maxLength = max;
    this.updateComposer();
  }

  setConnectionLost(lost: boolean): void {
    this.banner.hidden = !lost;
  }

  /** The widget cannot work on this page (unknown chatbot, origin not allowed): say why, stop input. */
  showFatal(message: string): void {
    this.notice.textContent = message;
    this.notice.hidden = false;
    this.disabled = true;
    this.input.disabled = true;
    this.updateComposer();
  }

  setUnread(count: number): void {
    this.badge.textContent = String(count);
    this.badge.hidden = count === 0;
  }

  showTyping(kind: Typist['kind'], name: string | null): void {
    this.typist = { kind, name };
    this.renderTyping();
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_TIMEOUT_MS);
  }

  hideTyping(): void {
    this.typist = null;
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = null;
    this.renderTyping();
  }

  /** Adds the entry's bubble, or redraws it in place when the entry changed. */
  render(entry: ThreadEntry): void {
    const existing = this.bubbles.get(entry.key);
    if (existing) {
      this.fillBubble(existing.node, entry);
      return;
    }
    const list = this.messages;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < STICKY_SCROLL_PX;
    const node = el('div', 'sapa-msg');
    this.bubbles.set(entry.key, { node, entry });
    this.fillBubble(node, entry);
    list.appendChild(node);
    if (atBottom || entry.author === 'customer') list.scrollTop = list.scrollHeight;
  }

  private fillBubble(node: HTMLElement, entry: ThreadEntry): void {
    node.setAttribute('data-author', entry.author);
    node.setAttribute('data-delivery', entry.delivery);
    if (entry.id) node.setAttribute('data-id', entry.id);
    else node.removeAttribute('data-id');
    if (entry.clientMessageId) node.setAttribute('data-client-id', entry.clientMessageId);
    node.textContent = '';

    if (entry.author === 'bot' || entry.author === 'agent') {
      const author = el('div', 'sapa-author');
      author.textContent = entry.authorName || this.tr(entry.author === 'bot' ? 'widget.bot' : 'widget.agent');
      node.appendChild(author);
    }
    const text = el('div', 'sapa-text');
    text.textContent = entry.text;
    node.appendChild(text);
    if (entry.citations.length > 0) node.appendChild(this.citations(entry));

    if (entry.delivery === 'failed' || entry.delivery === 'rejected') {
      const reason = entry.error ?? this.tr('widget.failed');
      const status = entry.retryable ? el('button', 'sapa-status sapa-retry', { type: 'button' }) : el('div', 'sapa-status');
      status.textContent = reason;
      if (entry.retryable) status.addEventListener('click', () => this.handlers.onRetry(entry.key));
      node.appendChild(status);
    }
  }

  private citations(entry: ThreadEntry): HTMLElement {
    const box = el('div', 'sapa-citations');
    const label = el('div', 'sapa-citations-label');
    label.textContent = this.tr('widget.sources');
    const list = el('ol', '');
    for (const citation of entry.citations) {
      const item = el('li', '');
      const href = safeHttpUrl(citation.url);
      const title = citation.title || citation.url || '';
      if (href) {
        const link = el('a', 'sapa-cite', { target: '_blank', rel: 'noopener noreferrer nofollow' });
        link.href = href;
        link.textContent = title;
        item.appendChild(link);
      } else {
        item.textContent = title;
      }
      list.appendChild(item);
    }
    box.append(label, list);
    return box;
  }

  private renderTyping(): void {
    const who = this.typist;
    this.typing.hidden = who === null;
    if (!who) return;
    const name = who.name || this.tr(who.kind === 'agent' ? 'widget.agent' : 'widget.bot');
    this.typing.textContent = `${name} ${this.tr('widget.typing')}`;
  }

  /** The launcher toggles, so its label says what a click will do. */
  private syncLauncher(): void {
    this.launcher.setAttribute('aria-expanded', String(this.isOpen));
    this.launcher.setAttribute('aria-label', this.tr(this.isOpen ? 'widget.close' : 'widget.open'));
  }

  private applyLocale(): void {
    this.syncLauncher();
    this.panel.setAttribute('aria-label', this.tr('widget.title'));
    this.panel.setAttribute('lang', this.locale);
    this.title.textContent = this.tr('widget.title');
    this.langButton.textContent = this.tr('widget.language');
    this.langButton.setAttribute('lang', this.locale === 'id' ? 'en' : 'id');
    this.closeButton.setAttribute('aria-label', this.tr('widget.close'));
    this.banner.textContent = this.tr('widget.offline');
    this.input.placeholder = this.tr('widget.placeholder');
    this.input.setAttribute('aria-label', this.tr('widget.placeholder'));
    this.send.textContent = this.tr('widget.send');
    for (const { node, entry } of this.bubbles.values()) this.fillBubble(node, entry);
    this.renderTyping();
  }

  private bindEvents(): void {
    this.launcher.addEventListener('click', () => this.toggle());
    this.closeButton.addEventListener('click', () => this.close());
    this.langButton.addEventListener('click', () => this.handlers.onToggleLocale());
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        this.close();
      }
    });
    this.input.addEventListener('keydown', (event) => {
      // isComposing / 229: Enter that confirms an IME composition is not a send.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => this.updateComposer());
    this.send.addEventListener('click', () => this.submit());
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (this.disabled || !text || text.length > this.maxChars) return;
    this.input.value = '';
    this.updateComposer();
    this.handlers.onSend(text);
    this.input.focus();
  }

  private updateComposer(): void {
    const length = this.input.value.length;
    this.send.disabled = this.disabled || this.input.value.trim() === '' || length > this.maxChars;
    // Show the limit only when it is getting close; it is noise otherwise.
    const showCounter = Number.isFinite(this.maxChars) && length >= this.maxChars * 0.8;
    this.counter.hidden = !showCounter;
    this.counter.textContent = showCounter ? `${length}/${this.maxChars}` : '';
    // Grow with the text up to the CSS max-height, then scroll.
    this.input.style.height = 'auto';
    this.input.style.height = `${this.input.scrollHeight + 2}px`;
  }

  private tr(key: MessageKey): string {
    return t(this.locale, key);
  }
}
