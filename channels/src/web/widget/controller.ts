/**
 * Wires the widget together: config and session from the API, the stream, the outbox and the
 * thread, and the view. A visitor with a stored identity is reconnected at page load (their replies
 * and unread count keep arriving while the panel is closed); a first-time visitor gets a session
 * only when they open the panel, so page views that never chat create no visitor records.
 */
import { DEFAULT_LOCALE, isLocale, type Locale } from '@sapa/shared/i18n';
import { ApiError, isTransient, WidgetApi } from './api';
import { backoffDelay } from './backoff';
import type { EmbedOptions } from './embed';
import { newClientMessageId } from './ids';
import { Outbox, type SendOutcome } from './outbox';
import { loadIdentity, loadLocale, saveIdentity, saveLocale } from './storage';
import { ResumableStream } from './stream';
import { Thread } from './thread';
import type { ConversationMode, StreamEventData, StreamEventType, VisitorIdentity, WidgetMessage } from './types';
import { WidgetView } from './ui';

export class ChatController {
  private locale: Locale;
  /** Whether the visitor or the site picked the language; if not, the chatbot's language applies. */
  private readonly localeChosen: boolean;
  private readonly api: WidgetApi;
  private readonly view: WidgetView;
  private readonly thread = new Thread();
  private readonly outbox: Outbox;
  private session: Promise<VisitorIdentity> | null = null;
  private chatbotName = '';
  private agentName: string | null = null;
  private unread = 0;

  constructor(
    private readonly embed: EmbedOptions,
    host: HTMLElement,
  ) {
    const preferred = loadLocale(embed.publicId) ?? embed.locale;
    this.locale = preferred ?? DEFAULT_LOCALE;
    this.localeChosen = preferred !== null;
    this.api = new WidgetApi(embed.gatewayBase, embed.publicId, () => this.locale);
    this.outbox = new Outbox(
      async (clientMessageId, text) => this.api.sendMessage(await this.connect(), clientMessageId, text),
      (clientMessageId, outcome) => this.onSendOutcome(clientMessageId, outcome),
    );
    this.view = new WidgetView(host, embed.position, this.locale, {
      onOpen: () => {
        this.unread = 0;
        void this.connect().catch(() => undefined);
      },
      onSend: (text) => this.send(text),
      onRetry: (key) => this.retry(key),
      onToggleLocale: () => this.setLocale(this.locale === 'id' ? 'en' : 'id', true),
    });
  }

  start(): void {
    void this.loadConfig();
    if (loadIdentity(this.embed.publicId)) void this.connect().catch(() => undefined);
  }

  open(): void {
    this.view.open();
  }

  close(): void {
    this.view.close();
  }

  toggle(): void {
    this.view.toggle();
  }

  private async loadConfig(): Promise<void> {
    const config = await this.untilAnswered(() => this.api.config());
    if (!config) return;
    this.chatbotName = config.chatbot.name;
    this.updateSubtitle();
    this.view.setGreeting(config.chatbot.greeting);
    if (config.limits.maxMessageChars > 0) this.view.setMaxChars(config.limits.maxMessageChars);
    if (!this.localeChosen && isLocale(config.chatbot.language)) this.setLocale(config.chatbot.language, false);
  }

  /** The visitor's identity once the session is established; started at most once. */
  private connect(): Promise<VisitorIdentity> {
    this.session ??= this.startSession();
    return this.session;
  }

  private async startSession(): Promise<VisitorIdentity> {
    const stored = loadIdentity(this.embed.publicId);
    const session = await this.untilAnswered(() => this.api.session(stored));
    if (!session) throw new Error('widget session refused');
    const identity = { visitorId: session.visitorId, token: session.token };
    // The gateway issues a new visitor when the stored pair is missing or no longer valid.
    if (identity.visitorId !== stored?.visitorId || identity.token !== stored?.token) {
      saveIdentity(this.embed.publicId, identity);
    }
    for (const message of session.messages) this.receive(message, false);
    this.applyMode(session.mode, this.lastAgentName(session.messages));
    // Stream from the id read before the snapshot: whatever happened since is replayed, not lost.
    new ResumableStream(
      (lastEventId) => this.api.streamUrl(identity, lastEventId),
      {
        onEvent: (type, data) => this.onStreamEvent(type, data),
        onConnectionChange: (connected) => this.view.setConnectionLost(!connected),
      },
      session.lastEventId,
    ).start();
    return identity;
  }

  /**
   * Retries a request until the gateway answers. Transient failures show the reconnecting banner;
   * a refusal (unknown chatbot, origin not allowed) is final and shown in the panel. null = refused.
   */
  private async untilAnswered<T>(request: () => Promise<T>): Promise<T | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await request();
        if (attempt > 0) this.view.setConnectionLost(false);
        return answer;
      } catch (err) {
        if (!isTransient(err)) {
          this.view.showFatal((err as ApiError).message);
          console.warn('[sapa] widget disabled:', (err as ApiError).code, (err as ApiError).message);
          return null;
        }
        this.view.setConnectionLost(true);
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt)));
      }
    }
  }

  private send(text: string): void {
    const clientMessageId = newClientMessageId();
    this.view.render(this.thread.addOwn(clientMessageId, text));
    this.outbox.send(clientMessageId, text);
  }

  private retry(key: string): void {
    const entry = this.thread.retry(key);
    if (!entry?.clientMessageId) return;
    this.view.render(entry);
    this.outbox.send(entry.clientMessageId, entry.text);
  }

  private onSendOutcome(clientMessageId: string, outcome: SendOutcome): void {
    const entry =
      outcome.kind === 'sent'
        ? this.thread.acknowledge(clientMessageId, outcome.messageId)
        : outcome.kind === 'failed'
          ? this.thread.fail(clientMessageId, null, true)
          : this.thread.fail(clientMessageId, outcome.message, outcome.retryable);
    if (entry) this.view.render(entry);
  }

  private onStreamEvent(type: StreamEventType, data: StreamEventData): void {
    switch (type) {
      case 'userMessage':
        if (data.message) this.receive(data.message, true);
        break;
      case 'botResponse':
        this.view.hideTyping();
        if (data.message) this.receive(data.message, true);
        break;
      case 'startTyping':
        this.view.showTyping('bot', this.chatbotName || null);
        break;
      case 'agentTyping':
        this.view.showTyping('agent', data.agentName ?? this.agentName);
        break;
      case 'stopTyping':
        this.view.hideTyping();
        break;
      case 'agentJoined':
        this.applyMode('agent', data.agentName ?? null);
        break;
      case 'conversationUpdated':
        if (data.mode) this.applyMode(data.mode, this.agentName);
        break;
    }
  }

  private receive(message: WidgetMessage, live: boolean): void {
    const entry = this.thread.receive(message);
    if (!entry) return;
    this.view.render(entry);
    if (entry.clientMessageId) this.outbox.settle(entry.clientMessageId);
    if (live && entry.author !== 'customer' && !this.view.isOpen) this.view.setUnread(++this.unread);
  }

  /** The header names the agent while one handles the conversation, the chatbot otherwise. */
  private applyMode(mode: ConversationMode | null, agentName: string | null): void {
    this.agentName = mode === 'agent' ? agentName : null;
    this.updateSubtitle();
  }

  private lastAgentName(messages: WidgetMessage[]): string | null {
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i]!.author === 'agent') return messages[i]!.authorName || null;
    }
    return null;
  }

  private updateSubtitle(): void {
    this.view.setSubtitle(this.agentName ?? this.chatbotName);
  }

  private setLocale(locale: Locale, byVisitor: boolean): void {
    this.locale = locale;
    if (byVisitor) saveLocale(this.embed.publicId, locale);
    this.view.setLocale(locale);
  }
}
