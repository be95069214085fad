/**
 * A small stand-in for the gateway's widget API (docs/widget-api.md), faithful where the widget
 * depends on it: HMAC visitor tokens, origin checks with CORS echo and preflight, `{error, message}`
 * bodies in the visitor's language, clientMessageId dedupe, and an SSE stream with numeric ids that
 * resumes from Last-Event-ID (header first) or `lastEventId` (query). Tests steer it through the
 * hooks at the bottom: failing sends, dropping and refusing streams, publishing events.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localeFromAcceptLanguage, t, type Locale, type MessageKey } from '@sapa/shared/i18n';
import type { Citation, StreamEventType, WidgetMessage } from '../../src/web/widget/types';

export interface FakeGatewayOptions {
  publicId: string;
  widgetScript: string;
  /** Origins allowed to use the chatbot; empty allows any. */
  allowedOrigins: string[];
  maxMessageChars: number;
  /** The bot's answer to a customer text. */
  reply: (text: string) => { text: string; citations: Citation[] };
  /** startTyping comes this long after the customer message, botResponse as long again after it. */
  replyDelayMs: number;
  /** The SSE `retry:` the stream announces (kept short so tests reconnect quickly). */
  sseRetryMs: number;
}

interface Visitor {
  visitorId: string;
  conversationId: string | null;
  messages: WidgetMessage[];
  byClientMessageId: Map<string, WidgetMessage>;
}

interface StoredEvent {
  seq: number;
  visitorId: string;
  type: StreamEventType;
  data: Record<string, unknown>;
}

interface Subscriber {
  visitorId: string;
  res: ServerResponse;
  /** Ids written to this connection, in order. */
  delivered: number[];
}

export interface StreamRequest {
  visitorId: string;
  queryLastEventId: string | null;
  headerLastEventId: string | null;
  status: number;
}

export interface MessageRequest {
  visitorId: string;
  clientMessageId: string;
  text: string;
  status: number;
}

const SECRET = randomBytes(32);
const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{8,64}$/;
const ALLOWED_HEADERS = 'content-type, x-visitor-id, x-visitor-token, last-event-id, accept-language';

export class FakeWidgetGateway {
  url = '';
  readonly visitors = new Map<string, Visitor>();
  readonly sessionRequests: Array<{ visitorId?: string; token?: string; locale?: string }> = [];
  readonly messageRequests: MessageRequest[] = [];
  readonly streamRequests: StreamRequest[] = [];
  /** Set to a status to make new stream requests fail with it (EventSource then gives up: CLOSED). */
  refuseStreamsWith: number | null = null;
  /**
   * How many events before the current one /session reports as its lastEventId: the real gateway
   * can publish events between reading the position and the snapshot, so a message may come both
   * in the snapshot and on the stream.
   */
  sessionLag = 0;
  private readonly events: StoredEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly forcedMessageFailures: Array<{ status: number; error: string; message: string }> = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private seq = 0;
  private nextId = 1;
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) this.json(res, 500, { error: 'internal', message: String(err) });
    });
  });

  constructor(private readonly opts: FakeGatewayOptions) {}

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const sub of this.subscribers) sub.res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- hooks for tests -------------------------------------------------------------------------

  /** The next `count` sends are answered with `status` and nothing is stored. */
  failNextMessages(count: number, status: number, error: string, message: string): void {
    for (let i = 0; i < count; i++) this.forcedMessageFailures.push({ status, error, message });
  }

  /** Cuts every open stream of the visitor abruptly, as a proxy or a lost network would. */
  dropStreams(visitorId: string): void {
    for (const sub of this.subscribers) {
      if (sub.visitorId !== visitorId) continue;
      this.subscribers.delete(sub);
      sub.res.destroy();
    }
  }

  openStreams(visitorId: string): Subscriber[] {
    return [...this.subscribers].filter((s) => s.visitorId === visitorId);
  }

  /** The id of the last event the visitor's streams have been sent. */
  lastDeliveredId(visitorId: string): number | null {
    const ids = this.openStreams(visitorId).flatMap((s) => s.delivered);
    return ids.length ? Math.max(...ids) : null;
  }

  /** A reply from the bot (or an agent) outside the normal turn, as the workflow would publish it. */
  pushReply(visitorId: string, text: string, author: WidgetMessage['author'] = 'bot'): WidgetMessage {
    const visitor = this.visitors.get(visitorId)!;
    const message = this.store(visitor, { author, authorName: author === 'agent' ? 'Rina' : 'Asisten Toko', text, citations: [] });
    this.publish(visitorId, 'botResponse', { conversationId: visitor.conversationId, message });
    return message;
  }

  /** Any event, e.g. typing or mode changes. Returns its id. */
  publish(visitorId: string, type: StreamEventType, data: Record<string, unknown>): number {
    const event = { seq: ++this.seq, visitorId, type, data };
    this.events.push(event);
    for (const sub of this.subscribers) if (sub.visitorId === visitorId) this.write(sub, event);
    return event.seq;
  }

  /** Events of other visitors share the sequence, as they do per workspace in the real gateway. */
  publishForSomeoneElse(): void {
    this.seq += 1;
  }

  tokenFor(visitorId: string): string {
    return createHmac('sha256', SECRET).update(visitorId).digest('base64url');
  }

  // ---- the API ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/widget.js') {
      res.writeHead(200, { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(this.opts.widgetScript);
      return;
    }
    const match = /^\/v1\/widget\/([^/]+)\/(config|session|messages|stream)$/.exec(url.pathname);
    const locale = localeFromAcceptLanguage(req.headers['accept-language']);
    if (!match) return this.error(res, 404, 'notFound', 'error.notFound', locale);

    const origin = req.headers.origin;
    const allowed = this.opts.allowedOrigins.length === 0 || (origin !== undefined && this.opts.allowedOrigins.includes(origin));
    if (allowed && origin) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      if (!allowed) return this.error(res, 403, 'originNotAllowed', 'error.originNotAllowed', locale);
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (match[1] !== this.opts.publicId) return this.error(res, 404, 'chatbotNotFound', 'error.chatbotNotFound', locale);
    if (!allowed) return this.error(res, 403, 'originNotAllowed', 'error.originNotAllowed', locale);

    const route = `${req.method} ${match[2]}`;
    if (route === 'GET config') return this.config(res);
    if (route === 'POST session') return this.session(req, res, locale);
    if (route === 'POST messages') return this.messages(req, res, locale);
    if (route === 'GET stream') return this.stream(req, res, url, locale);
    return this.error(res, 404, 'notFound', 'error.notFound', locale);
  }

  private config(res: ServerResponse): void {
    this.json(res, 200, {
      chatbot: { name: 'Asisten Toko Sari', language: 'id', greeting: 'Halo! Ada yang bisa kami bantu hari ini?' },
      limits: { maxMessageChars: this.opts.maxMessageChars },
    });
  }

  private async session(req: IncomingMessage, res: ServerResponse, locale: Locale): Promise<void> {
    const body = await this.body(req, res, locale);
    if (!body) return;
    const { visitorId, token } = body as { visitorId?: unknown; token?: unknown };
    this.sessionRequests.push(body as { visitorId?: string; token?: string; locale?: string });
    // The stream position is read before the snapshot, so nothing falls between the two.
    const lastEventId = Math.max(0, this.seq - this.sessionLag);
    let visitor = typeof visitorId === 'string' && typeof token === 'string' && this.validToken(visitorId, token)
      ? this.visitors.get(visitorId)
      : undefined;
    if (!visitor) {
      const id = `v_${randomBytes(9).toString('base64url')}`;
      visitor = { visitorId: id, conversationId: null, messages: [], byClientMessageId: new Map() };
      this.visitors.set(id, visitor);
    }
    this.json(res, 200, {
      visitorId: visitor.visitorId,
      token: this.tokenFor(visitor.visitorId),
      conversationId: visitor.conversationId,
      mode: visitor.conversationId ? 'bot' : null,
      messages: visitor.messages,
      lastEventId,
    });
  }

  private async messages(req: IncomingMessage, res: ServerResponse, locale: Locale): Promise<void> {
    const visitorId = String(req.headers['x-visitor-id'] ?? '');
    const visitor = this.validToken(visitorId, String(req.headers['x-visitor-token'] ?? '')) ? this.visitors.get(visitorId) : undefined;
    if (!visitor) return this.error(res, 401, 'visitorTokenInvalid', 'error.visitorTokenInvalid', locale);
    const body = await this.body(req, res, locale);
    if (!body) return;
    const { clientMessageId, text } = body as { clientMessageId?: unknown; text?: unknown };
    if (typeof clientMessageId !== 'string' || !CLIENT_MESSAGE_ID.test(clientMessageId) || typeof text !== 'string') {
      return this.error(res, 400, 'validation', 'error.validation', locale);
    }
    const record = (status: number) => this.messageRequests.push({ visitorId, clientMessageId, text, status });
    const forced = this.forcedMessageFailures.shift();
    if (forced) {
      record(forced.status);
      return this.json(res, forced.status, { error: forced.error, message: forced.message });
    }
    const trimmed = text.trim();
    if (!trimmed || trimmed.length > this.opts.maxMessageChars) {
      record(400);
      return this.error(res, 400, trimmed ? 'messageTooLong' : 'messageEmpty', trimmed ? 'error.messageTooLong' : 'error.messageEmpty', locale);
    }
    record(202);
    const existing = visitor.byClientMessageId.get(clientMessageId);
    if (existing) {
      return this.json(res, 202, { messageId: existing.id, conversationId: visitor.conversationId, duplicate: true });
    }
    visitor.conversationId ??= `c_${this.nextId++}`;
    const message = this.store(visitor, { author: 'customer', authorName: 'Pengunjung', text: trimmed, citations: [], clientMessageId });
    visitor.byClientMessageId.set(clientMessageId, message);
    this.publish(visitorId, 'userMessage', { conversationId: visitor.conversationId, message });
    this.later(() => {
      this.publish(visitorId, 'startTyping', { conversationId: visitor.conversationId });
      this.later(() => {
        const answer = this.opts.reply(trimmed);
        const reply = this.store(visitor, { author: 'bot', authorName: 'Asisten Toko', ...answer });
        this.publish(visitorId, 'botResponse', { conversationId: visitor.conversationId, message: reply });
      });
    });
    this.json(res, 202, { messageId: message.id, conversationId: visitor.conversationId, duplicate: false });
  }

  private stream(req: IncomingMessage, res: ServerResponse, url: URL, locale: Locale): void {
    const visitorId = url.searchParams.get('visitorId') ?? '';
    const headerLastEventId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : null;
    const queryLastEventId = url.searchParams.get('lastEventId');
    const record = (status: number) => this.streamRequests.push({ visitorId, queryLastEventId, headerLastEventId, status });
    const valid = this.validToken(visitorId, url.searchParams.get('token') ?? '') && this.visitors.has(visitorId);
    const refusal = !valid ? 401 : this.refuseStreamsWith;
    if (refusal !== null) {
      record(refusal);
      return this.error(res, refusal, valid ? 'unavailable' : 'visitorTokenInvalid', valid ? 'error.unavailable' : 'error.visitorTokenInvalid', locale);
    }
    record(200);
    // EventSource's own reconnects carry the header and the original query, so the header wins.
    const resume = [headerLastEventId, queryLastEventId].find((v) => v !== null && /^\d{1,15}$/.test(v));
    const after = resume !== undefined ? Number(resume) : this.seq;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' });
    res.write(`retry: ${this.opts.sseRetryMs}\n\n`);
    const sub: Subscriber = { visitorId, res, delivered: [] };
    for (const event of this.events) if (event.visitorId === visitorId && event.seq > after) this.write(sub, event);
    this.subscribers.add(sub);
    req.on('close', () => this.subscribers.delete(sub));
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private store(visitor: Visitor, fields: Omit<WidgetMessage, 'id' | 'createdAt'>): WidgetMessage {
    const message: WidgetMessage = { id: `m_${this.nextId++}`, createdAt: new Date().toISOString(), ...fields };
    visitor.messages.push(message);
    return message;
  }

  private write(sub: Subscriber, event: StoredEvent): void {
    sub.delivered.push(event.seq);
    sub.res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
  }

  private later(fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.opts.replyDelayMs);
    this.timers.add(timer);
  }

  private validToken(visitorId: string, token: string): boolean {
    const expected = Buffer.from(this.tokenFor(visitorId));
    const given = Buffer.from(token);
    return visitorId.length > 0 && expected.length === given.length && timingSafeEqual(expected, given);
  }

  private async body(req: IncomingMessage, res: ServerResponse, locale: Locale): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
    } catch {
      // falls through to the 400 below
    }
    this.error(res, 400, 'malformedJson', 'error.malformedJson', locale);
    return null;
  }

  private error(res: ServerResponse, status: number, error: string, key: MessageKey, locale: Locale): void {
    this.json(res, status, { error, message: t(locale, key) });
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}
