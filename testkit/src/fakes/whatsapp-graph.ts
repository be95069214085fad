/**
 * A wire-faithful fake of Meta's Graph API for WhatsApp Cloud (shared/specs/whatsapp-cloud-api.md
 * §4–§6, checklist §8), plus a webhook emitter that signs and serialises exactly like Meta.
 *
 * The server checks what Meta checks: the bearer token of the number, `messaging_product`, `to`,
 * exactly one body for the declared type, the limits of §4.1, templates that exist and are
 * approved. Refusals use Meta's error envelope, codes and HTTP statuses (§5). Tests script failures
 * with `failNext` and read what was accepted in `state`.
 *
 * Written from the spec only; it shares no code with the adapter it tests.
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// ── Registry and state ─────────────────────────────────────────────────────────────────────────────

export interface FakeGraphNumber {
  phoneNumberId: string;
  accessToken: string;
  wabaId?: string;
  displayPhoneNumber?: string;
  verifiedName?: string;
}

export interface FakeGraphTemplate {
  name: string;
  language: string;
  status: 'APPROVED' | 'REJECTED' | 'PENDING' | 'PAUSED' | 'DISABLED';
  category?: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  /** Graph's component list, e.g. `[{ type: 'BODY', text: 'Halo {{1}}' }]`; `{{n}}` count is enforced on send. */
  components?: Array<Record<string, unknown>>;
}

/** Statuses emitted to a webhook after each accepted send (`sent` → `delivered` → `read`, or `failed`). */
export interface FakeGraphAutoStatuses {
  webhookUrl: string;
  appSecret: string;
  /** The last status to emit (default `read`). */
  upTo?: 'sent' | 'delivered' | 'read';
}

export interface FakeGraphOptions {
  numbers?: FakeGraphNumber[];
  /** Templates by WABA id. */
  templates?: Record<string, FakeGraphTemplate[]>;
  autoStatuses?: FakeGraphAutoStatuses;
  /** How long a media download URL works (Meta: 5 minutes). */
  mediaUrlTtlMs?: number;
  /** Largest page of templates the fake returns, whatever `limit` asks (to exercise paging). */
  templatePageSize?: number;
  /** The fake's clock (media URL expiry); tests move it instead of waiting. */
  now?: () => number;
}

/** A scripted refusal of the next send(s) of a number. */
export interface FakeGraphFailure {
  code: number;
  /** HTTP status; default: the one Meta uses for that code (§5). */
  http?: number;
  /** Accept the send (200 + wamid) and report the failure later as a `failed` status webhook (131047, 131026). */
  async?: boolean;
  /** How many sends it applies to (default 1; `Infinity` for every send until cleared). */
  times?: number;
  /** Adds a `Retry-After` header. */
  retryAfterSeconds?: number;
  details?: string;
}

export interface FakeGraphSentMessage {
  phoneNumberId: string;
  wamid: string;
  to: string;
  type: string;
  body: Record<string, unknown>;
  /** Set when the send was accepted but fails asynchronously. */
  asyncFailureCode?: number;
}

export interface FakeGraphState {
  /** Every request received, in order (method and path, no bodies). */
  requests: Array<{ method: string; path: string }>;
  /** Every accepted message send, in order. */
  sent: FakeGraphSentMessage[];
  /** Every accepted mark-as-read. */
  reads: Array<{ phoneNumberId: string; messageId: string; typing: boolean }>;
  uploads: Array<{ id: string; phoneNumberId: string; mimeType: string; fileName?: string; size: number }>;
  /** Every refused request, with the Graph error code answered (debugging aid for tests). */
  rejected: Array<{ method: string; path: string; status: number; code: number; message: string }>;
  /** Every webhook delivery attempt made by `autoStatuses` (status 0: no answer). */
  webhooks: Array<{ url: string; status: number; body: string }>;
}

interface StoredMedia {
  bytes: Buffer;
  mimeType: string;
  fileName?: string;
  /** Uploaded media belongs to its number; seeded inbound media is readable by any registered token. */
  owner?: string;
}

// ── Meta's error codes (§5) ────────────────────────────────────────────────────────────────────────

const ERRORS: Record<number, { http: number; title: string; details?: string }> = {
  0: { http: 401, title: 'AuthException' },
  1: { http: 400, title: 'API Unknown' },
  2: { http: 503, title: 'API Service', details: 'Service temporarily unavailable' },
  3: { http: 500, title: 'API Method', details: 'Capability or permissions issue.' },
  4: { http: 429, title: 'Application request limit reached' },
  10: { http: 403, title: 'Permission denied' },
  100: { http: 400, title: 'Invalid parameter' },
  190: { http: 401, title: 'Error validating access token: Session has expired' },
  200: { http: 403, title: 'Permissions error' },
  368: { http: 403, title: 'Temporarily blocked for policies violations' },
  80007: { http: 429, title: 'Rate limit issues', details: 'The WhatsApp Business Account has reached its rate limit.' },
  130429: { http: 400, title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.' },
  130497: { http: 403, title: 'Business account is restricted from messaging users in this country' },
  131000: { http: 500, title: 'Something went wrong' },
  131008: { http: 400, title: 'Required parameter is missing' },
  131009: { http: 400, title: 'Parameter value is not valid' },
  131016: { http: 503, title: 'Service unavailable' },
  131021: { http: 400, title: 'Recipient cannot be sender' },
  131026: { http: 400, title: 'Message undeliverable', details: 'Message Undeliverable.' },
  131030: { http: 400, title: 'Recipient phone number not in allowed list' },
  131031: { http: 403, title: 'Business Account locked' },
  131047: {
    http: 400,
    title: 'Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131048: { http: 400, title: 'Spam rate limit hit' },
  131051: { http: 400, title: 'Unsupported message type' },
  131052: { http: 400, title: 'Media download error' },
  131053: { http: 400, title: 'Media upload error' },
  131056: {
    http: 400,
    title: '(Business Account, Consumer Account) pair rate limit hit',
    details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
  },
  132000: { http: 400, title: 'Number of parameters does not match the expected number of params' },
  132001: { http: 404, title: 'Template name does not exist in the translation' },
  132005: { http: 400, title: 'Translated text too long' },
  132012: { http: 400, title: 'Parameter format does not match format in the created template' },
  133010: { http: 400, title: 'Account not registered' },
};

function errorInfo(code: number) {
  return ERRORS[code] ?? { http: code >= 200 && code <= 299 ? 403 : 400, title: 'Error' };
}

/** A refusal, answered with Meta's envelope. */
class Rejection extends Error {
  constructor(
    readonly code: number,
    readonly details?: string,
    readonly http = errorInfo(code).http,
    readonly subcode?: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(errorInfo(code).title);
  }
}

const reject = (code: number, details?: string): never => {
  throw new Rejection(code, details);
};

function fbtraceId(): string {
  return randomBytes(16).toString('base64url').slice(0, 23);
}

function envelope(rejection: Rejection) {
  const title = errorInfo(rejection.code).title;
  // Token errors read like the fixture ("Error validating access token: …"); the rest "(#code) title".
  const message = rejection.code === 190 ? title : `(#${rejection.code}) ${title}`;
  return {
    error: {
      message,
      type: 'OAuthException',
      code: rejection.code,
      ...(rejection.details ? { error_data: { messaging_product: 'whatsapp', details: rejection.details } } : {}),
      ...(rejection.subcode !== undefined ? { error_subcode: rejection.subcode } : {}),
      fbtrace_id: fbtraceId(),
    },
  };
}

/** Meta's answer for an id the token cannot see. */
function unknownObject(method: string, id: string): Rejection {
  return new Rejection(
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    400,
    33,
  );
}

// ── Message validation (§4.1) ──────────────────────────────────────────────────────────────────────

const MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'interactive', 'reaction', 'template'] as const;
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);
const CAPTIONED = new Set(['image', 'video', 'document']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function requireObject(parent: Json, key: string, where: string): Json {
  const value = parent[key];
  if (value === undefined) reject(131008, `Parameter ${where} is required.`);
  if (!isObject(value)) reject(100, `Param ${where} must be an object.`);
  return value as Json;
}

function requireText(parent: Json, key: string, where: string, max: number): string {
  const value = parent[key];
  if (value === undefined || value === '') reject(131008, `Parameter ${where} is required.`);
  if (typeof value !== 'string') reject(100, `Param ${where} must be a string.`);
  if ((value as string).length > max) reject(100, `Param ${where} must be at most ${max} characters long.`);
  return value as string;
}

function optionalText(parent: Json, key: string, where: string, max: number): void {
  if (parent[key] !== undefined) requireText(parent, key, where, max);
}

// ── The server ─────────────────────────────────────────────────────────────────────────────────────

const DEFAULT_WABA = '102290129340398';
const MAX_JSON_BYTES = 1024 * 1024;
const MAX_UPLOAD_BYTES = 110 * 1024 * 1024;
const VERSIONED = /^\/(v\d+\.\d+)\/([^/]+)(?:\/([^/]+))?\/?$/;
const DOWNLOAD_PATH = '/whatsapp_business/attachments/';

/** §6.4: accepted upload types and size caps. */
const UPLOAD_RULES: Array<{ test: (mime: string) => boolean; max: number; label: string }> = [
  { test: (m) => m === 'image/webp', max: 500 * 1024, label: 'sticker' },
  { test: (m) => m === 'image/jpeg' || m === 'image/png', max: 5 * 1024 * 1024, label: 'image' },
  { test: (m) => m === 'video/mp4' || m === 'video/3gpp', max: 16 * 1024 * 1024, label: 'video' },
  { test: (m) => /^audio\/(aac|amr|mpeg|mp4|ogg)(;|$)/.test(m), max: 16 * 1024 * 1024, label: 'audio' },
  { test: (m) => /^(application\/|text\/)/.test(m), max: 100 * 1024 * 1024, label: 'document' },
];

export class FakeGraph {
  readonly state: FakeGraphState = { requests: [], sent: [], reads: [], uploads: [], rejected: [], webhooks: [] };
  url = '';
  private readonly server: Server;
  private readonly numbers = new Map<string, FakeGraphNumber>();
  private readonly templates = new Map<string, FakeGraphTemplate[]>();
  private readonly media = new Map<string, StoredMedia>();
  private readonly failures = new Map<string, FakeGraphFailure[]>();
  private readonly urlKey = randomBytes(32);
  private autoStatuses: FakeGraphAutoStatuses | undefined;
  /** Webhooks go out one after another, in the order of the sends. */
  private outbox: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: FakeGraphOptions = {}) {
    for (const number of opts.numbers ?? []) this.addNumber(number);
    for (const [waba, list] of Object.entries(opts.templates ?? {})) this.setTemplates(waba, list);
    this.autoStatuses = opts.autoStatuses;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.outbox;
  }

  addNumber(number: FakeGraphNumber): void {
    this.numbers.set(number.phoneNumberId, { wabaId: DEFAULT_WABA, displayPhoneNumber: '15550783881', verifiedName: 'Sapa Test', ...number });
  }

  setTemplates(wabaId: string, templates: FakeGraphTemplate[]): void {
    this.templates.set(wabaId, templates.map((t) => ({ ...t })));
  }

  setAutoStatuses(auto: FakeGraphAutoStatuses | undefined): void {
    this.autoStatuses = auto;
  }

  /** Refuse the next send(s) of this number the way Meta would. */
  failNext(phoneNumberId: string, failure: FakeGraphFailure): void {
    const queue = this.failures.get(phoneNumberId) ?? [];
    queue.push({ times: 1, ...failure });
    this.failures.set(phoneNumberId, queue);
  }

  clearFailures(phoneNumberId?: string): void {
    if (phoneNumberId) this.failures.delete(phoneNumberId);
    else this.failures.clear();
  }

  /** Seed media a customer "sent": returns the media id to put in an inbound webhook. */
  addMedia(bytes: Buffer, mimeType: string, opts: { fileName?: string; phoneNumberId?: string } = {}): string {
    const id = mediaId();
    this.media.set(id, { bytes, mimeType, fileName: opts.fileName, owner: opts.phoneNumberId });
    return id;
  }

  mediaBytes(id: string): Buffer | undefined {
    return this.media.get(id)?.bytes;
  }

  /** Resolves once every status webhook queued so far has been delivered (or given up on). */
  webhooksIdle(): Promise<void> {
    return this.outbox;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  // ── Routing ──

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    this.state.requests.push({ method, path: url.pathname });
    try {
      if (url.pathname === DOWNLOAD_PATH && method === 'GET') return this.download(req, res, url);
      const match = VERSIONED.exec(url.pathname);
      if (!match) throw new Rejection(2500, `Unknown path components: ${url.pathname}`, 400);
      const id = match[2]!;
      const edge = match[3];
      const token = this.bearer(req);

      // `return await`: a rejection must land in the catch below, not escape it.
      if (method === 'POST' && edge === 'messages') return await this.messages(req, res, this.numberFor(token, id, method));
      if (method === 'POST' && edge === 'media') return await this.upload(req, res, this.numberFor(token, id, method));
      if (method === 'GET' && edge === 'message_templates') return this.listTemplates(res, url, token, id);
      if (method === 'GET' && edge === undefined) {
        if (this.numbers.has(id)) return this.phoneNumber(res, url, this.numberFor(token, id, method));
        return this.mediaInfo(res, token, id);
      }
      if (method === 'DELETE' && edge === undefined) {
        this.readableMedia(token, id, method);
        this.media.delete(id);
        return json(res, 200, { success: true });
      }
      throw unknownObject(method, edge ? `${id}/${edge}` : id);
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      this.state.rejected.push({ method, path: url.pathname, status: err.http, code: err.code, message: err.details ?? err.message });
      json(res, err.http, envelope(err), err.headers);
    }
  }

  /** The token from `Authorization: Bearer …`; a missing or unknown one is Meta's 401 code 190. */
  private bearer(req: IncomingMessage): string {
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    const token = match?.[1];
    if (!token) throw new Rejection(190, 'An active access token must be used to query information.', 401);
    if (![...this.numbers.values()].some((n) => n.accessToken === token)) throw new Rejection(190, 'Invalid OAuth access token.', 401, 463);
    return token;
  }

  /** The number the path names, visible to this token. */
  private numberFor(token: string, phoneNumberId: string, method: string): FakeGraphNumber {
    const number = this.numbers.get(phoneNumberId);
    if (!number || number.accessToken !== token) throw unknownObject(method, phoneNumberId);
    return number;
  }

  // ── POST /<V>/<PNID>/messages ──

  private async messages(req: IncomingMessage, res: ServerResponse, number: FakeGraphNumber): Promise<void> {
    const body = await readJsonBody(req);
    if (body.messaging_product !== 'whatsapp') reject(100, 'The parameter messaging_product is required and must be "whatsapp".');

    if (body.status !== undefined) {
      // Mark as read (+ typing indicator), §4.3.
      if (body.status !== 'read') reject(100, 'Param status must be "read".');
      const messageId = requireText(body, 'message_id', 'message_id', 512);
      let typing = false;
      if (body.typing_indicator !== undefined) {
        const indicator = requireObject(body, 'typing_indicator', 'typing_indicator');
        if (indicator.type !== 'text') reject(100, 'Param typing_indicator.type must be "text".');
        typing = true;
      }
      this.state.reads.push({ phoneNumberId: number.phoneNumberId, messageId, typing });
      return json(res, 200, { success: true });
    }

    const { to, type } = this.validateSend(body, number);
    const failure = this.takeFailure(number.phoneNumberId);
    if (failure && !failure.async) {
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      const info = errorInfo(failure.code);
      throw new Rejection(failure.code, failure.details ?? info.details, failure.http ?? info.http, failure.code === 190 ? 463 : undefined, headers);
    }

    const wamid = `wamid.${randomBytes(33).toString('base64')}`;
    const sent: FakeGraphSentMessage = { phoneNumberId: number.phoneNumberId, wamid, to, type, body };
    if (failure?.async) sent.asyncFailureCode = failure.code;
    this.state.sent.push(sent);
    json(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to.replace(/^\+/, '') }],
      messages: [{ id: wamid, ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
    });
    this.emitStatuses(number, sent, failure);
  }

  private takeFailure(phoneNumberId: string): FakeGraphFailure | undefined {
    const queue = this.failures.get(phoneNumberId);
    const next = queue?.[0];
    if (!next) return undefined;
    next.times = (next.times ?? 1) - 1;
    if (next.times <= 0) queue.shift();
    return next;
  }

  /** Everything §4.1 says about a message body; throws the Rejection Meta would answer. */
  private validateSend(body: Json, number: FakeGraphNumber): { to: string; type: string } {
    if (body.recipient_type !== undefined && body.recipient_type !== 'individual' && body.recipient_type !== 'group') {
      reject(100, 'Param recipient_type must be "individual" or "group".');
    }
    if (body.to === undefined || body.to === '') reject(131008, 'The parameter to is required.');
    if (typeof body.to !== 'string' || !/^\+?\d{5,20}$/.test(body.to)) reject(131009, `Invalid to parameter: ${JSON.stringify(body.to)}`);
    const to = body.to as string;
    if (to.replace(/^\+/, '') === number.displayPhoneNumber) reject(131021, 'Recipient cannot be sender.');

    const type = body.type ?? 'text';
    if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
      reject(100, `Param type must be one of {${MESSAGE_TYPES.join(', ')}}.`);
    }
    const present = MESSAGE_TYPES.filter((t) => body[t] !== undefined);
    if (!present.includes(type as (typeof MESSAGE_TYPES)[number])) reject(131008, `Parameter ${String(type)} is required for type ${String(type)}.`);
    if (present.length > 1) reject(100, `Exactly one message body is allowed; got ${present.join(', ')}.`);
    if (body.context !== undefined) requireText(requireObject(body, 'context', 'context'), 'message_id', 'context.message_id', 512);
    optionalText(body, 'biz_opaque_callback_data', 'biz_opaque_callback_data', 512);

    const payload = requireObject(body, type as string, type as string);
    if (type === 'text') {
      requireText(payload, 'body', 'text.body', 4096);
      if (payload.preview_url !== undefined && typeof payload.preview_url !== 'boolean') reject(100, 'Param text.preview_url must be a boolean.');
    } else if (MEDIA_TYPES.has(type as string)) {
      this.validateMedia(type as string, payload, number);
    } else if (type === 'location') {
      const { latitude, longitude } = payload;
      if (typeof latitude !== 'number' || Math.abs(latitude) > 90) reject(100, 'Param location.latitude must be a number in [-90, 90].');
      if (typeof longitude !== 'number' || Math.abs(longitude as number) > 180) reject(100, 'Param location.longitude must be a number in [-180, 180].');
    } else if (type === 'reaction') {
      requireText(payload, 'message_id', 'reaction.message_id', 512);
      if (typeof payload.emoji !== 'string' || [...payload.emoji].length > 10) reject(100, 'Param reaction.emoji must be one emoji or "".');
    } else if (type === 'interactive') {
      validateInteractive(payload);
    } else if (type === 'template') {
      this.validateTemplate(payload, number);
    }
    return { to, type: type as string };
  }

  private validateMedia(type: string, payload: Json, number: FakeGraphNumber): void {
    const hasId = payload.id !== undefined;
    const hasLink = payload.link !== undefined;
    if (hasId === hasLink) reject(100, `Param ${type} must have exactly one of id or link.`);
    if (hasId) {
      const id = requireText(payload, 'id', `${type}.id`, 64);
      const stored = this.media.get(id);
      if (!stored || (stored.owner !== undefined && stored.owner !== number.phoneNumberId)) reject(131009, `Invalid media id ${id}.`);
    } else {
      const link = requireText(payload, 'link', `${type}.link`, 2048);
      if (!/^https?:\/\//.test(link)) reject(100, `Param ${type}.link must be an http(s) URL.`);
    }
    if (payload.caption !== undefined) {
      if (!CAPTIONED.has(type)) reject(100, `Param ${type}.caption is not allowed for ${type}.`);
      requireText(payload, 'caption', `${type}.caption`, 1024);
    }
    if (payload.filename !== undefined && type !== 'document') reject(100, `Param ${type}.filename is only allowed for documents.`);
  }

  private validateTemplate(payload: Json, number: FakeGraphNumber): void {
    const name = requireText(payload, 'name', 'template.name', 512);
    const code = requireText(requireObject(payload, 'language', 'template.language'), 'code', 'template.language.code', 16);
    const template = (this.templates.get(number.wabaId!) ?? []).find((t) => t.name === name && t.language === code);
    if (!template || template.status !== 'APPROVED') reject(132001, `template name (${name}) does not exist in ${code}`);

    const bodyComponent = template!.components?.find((c) => String(c.type).toUpperCase() === 'BODY');
    const expected = new Set(String(bodyComponent?.text ?? '').match(/\{\{\d+\}\}/g) ?? []).size;
    const components = payload.components === undefined ? [] : payload.components;
    if (!Array.isArray(components)) return reject(100, 'Param template.components must be an array.');
    const bodyParams = components.filter(isObject).find((c) => c.type === 'body')?.parameters ?? [];
    if (!Array.isArray(bodyParams)) return reject(100, 'Param template.components[body].parameters must be an array.');
    for (const param of bodyParams) {
      if (!isObject(param) || param.type !== 'text' || !isText(param.text)) reject(132012, 'Body parameters must be { type: "text", text }.');
    }
    if (bodyParams.length !== expected) reject(132000, `body: number of localizable_params (${bodyParams.length}) does not match the expected number of params (${expected})`);
  }

  // ── Media (§6) ──

  private async upload(req: IncomingMessage, res: ServerResponse, number: FakeGraphNumber): Promise<void> {
    const contentType = req.headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) reject(100, 'Upload must be multipart/form-data.');
    const raw = await readBody(req, MAX_UPLOAD_BYTES);
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
    } catch {
      return reject(100, 'Malformed multipart body.');
    }
    if (form.get('messaging_product') !== 'whatsapp') reject(100, 'The parameter messaging_product is required and must be "whatsapp".');
    const file = form.get('file');
    const type = form.get('type');
    if (!(file instanceof Blob)) return reject(131008, 'Parameter file is required.');
    if (typeof type !== 'string' || !type) return reject(131008, 'Parameter type is required.');
    const rule = UPLOAD_RULES.find((r) => r.test(type));
    if (!rule) return reject(131053, `Param file must be a file with one of the supported types; got ${type}.`);
    if (file.size > rule.max) reject(131053, `The ${rule.label} is ${file.size} bytes; the limit is ${rule.max}.`);
    const bytes = Buffer.from(await file.arrayBuffer());
    const id = mediaId();
    const fileName = file instanceof File && file.name ? file.name : undefined;
    this.media.set(id, { bytes, mimeType: type, fileName, owner: number.phoneNumberId });
    this.state.uploads.push({ id, phoneNumberId: number.phoneNumberId, mimeType: type, fileName, size: bytes.length });
    json(res, 200, { id });
  }

  private readableMedia(token: string, id: string, method: string): StoredMedia {
    const stored = this.media.get(id);
    const owner = stored?.owner ? this.numbers.get(stored.owner) : undefined;
    if (!stored || (owner && owner.accessToken !== token)) throw unknownObject(method, id);
    return stored;
  }

  private mediaInfo(res: ServerResponse, token: string, id: string): void {
    const stored = this.readableMedia(token, id, 'GET');
    const expires = this.now() + (this.opts.mediaUrlTtlMs ?? 5 * 60_000);
    const download = new URL(DOWNLOAD_PATH, this.url);
    download.searchParams.set('mid', id);
    download.searchParams.set('ext', String(expires));
    download.searchParams.set('hash', this.urlHash(id, expires));
    json(res, 200, {
      messaging_product: 'whatsapp',
      url: download.toString(),
      mime_type: stored.mimeType,
      sha256: createHash('sha256').update(stored.bytes).digest('hex'),
      file_size: stored.bytes.length,
      id,
    });
  }

  private urlHash(id: string, expires: number): string {
    return createHmac('sha256', this.urlKey).update(`${id}:${expires}`).digest('base64url');
  }

  /** The CDN: needs the bearer token and an unexpired, untampered URL; errors are HTML, not JSON. */
  private download(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const html = (status: number, text: string) => {
      this.state.rejected.push({ method: 'GET', path: url.pathname, status, code: -1, message: text });
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!DOCTYPE html><html><body><h1>${text}</h1></body></html>`);
    };
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || ![...this.numbers.values()].some((n) => n.accessToken === token)) return html(401, 'Unauthorized');
    const id = url.searchParams.get('mid') ?? '';
    const expires = Number(url.searchParams.get('ext'));
    const hash = url.searchParams.get('hash') ?? '';
    const stored = this.media.get(id);
    if (!stored || hash !== this.urlHash(id, expires)) return html(404, 'Not Found');
    if (this.now() > expires) return html(404, 'URL signature expired');
    res.writeHead(200, { 'content-type': stored.mimeType, 'content-length': String(stored.bytes.length) });
    res.end(stored.bytes);
  }

  // ── Templates and the phone number ──

  private listTemplates(res: ServerResponse, url: URL, token: string, wabaId: string): void {
    const visible = [...this.numbers.values()].some((n) => n.wabaId === wabaId && n.accessToken === token);
    if (!visible) throw unknownObject('GET', wabaId);
    const all = this.templates.get(wabaId) ?? [];
    const pageSize = Math.max(1, Math.min(Number(url.searchParams.get('limit')) || 25, this.opts.templatePageSize ?? 25));
    const offset = Number(Buffer.from(url.searchParams.get('after') ?? '', 'base64url').toString() || 0);
    const page = all.slice(offset, offset + pageSize);
    const nextOffset = offset + page.length;
    const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
    let next: string | undefined;
    if (nextOffset < all.length) {
      const nextUrl = new URL(url.pathname + url.search, this.url);
      nextUrl.searchParams.set('after', cursor(nextOffset));
      next = nextUrl.toString();
    }
    json(res, 200, {
      data: page.map((t, i) => ({
        name: t.name,
        language: t.language,
        status: t.status,
        category: t.category ?? 'UTILITY',
        components: t.components ?? [],
        id: String(1_000_000_000_000 + offset + i),
      })),
      paging: { cursors: { before: cursor(offset), after: cursor(nextOffset) }, ...(next ? { next } : {}) },
    });
  }

  private phoneNumber(res: ServerResponse, url: URL, number: FakeGraphNumber): void {
    const all = {
      verified_name: number.verifiedName,
      display_phone_number: number.displayPhoneNumber,
      quality_rating: 'GREEN',
      code_verification_status: 'VERIFIED',
    };
    const fields = url.searchParams.get('fields')?.split(',').map((f) => f.trim());
    const picked = fields ? Object.fromEntries(Object.entries(all).filter(([k]) => fields.includes(k))) : all;
    json(res, 200, { ...picked, id: number.phoneNumberId });
  }

  // ── Status webhooks after a send ──

  private emitStatuses(number: FakeGraphNumber, sent: FakeGraphSentMessage, failure: FakeGraphFailure | undefined): void {
    const auto = this.autoStatuses;
    if (!auto) return;
    const common = { phoneNumberId: number.phoneNumberId, displayPhoneNumber: number.displayPhoneNumber, wabaId: number.wabaId, wamid: sent.wamid, recipientId: sent.to.replace(/^\+/, '') };
    const payloads: MetaWebhookPayload[] = [];
    if (failure?.async) {
      const info = errorInfo(failure.code);
      payloads.push(statusWebhook({ ...common, status: 'failed', errors: [{ code: failure.code, title: info.title, details: failure.details ?? info.details }] }));
    } else {
      const order = ['sent', 'delivered', 'read'] as const;
      for (const status of order.slice(0, order.indexOf(auto.upTo ?? 'read') + 1)) payloads.push(statusWebhook({ ...common, status }));
    }
    for (const payload of payloads) {
      this.outbox = this.outbox.then(() => this.deliverWithRetry(auto, payload));
    }
  }

  /** §8.2: Meta retries failed deliveries with back-off; here on a compressed timescale. */
  private async deliverWithRetry(auto: FakeGraphAutoStatuses, payload: MetaWebhookPayload): Promise<void> {
    const body = metaJson(payload);
    for (let attempt = 0; attempt < 5 && !this.closed; attempt += 1) {
      let status = 0;
      try {
        status = await deliverWebhook(auto.webhookUrl, body, auto.appSecret);
      } catch {
        status = 0;
      }
      this.state.webhooks.push({ url: auto.webhookUrl, status, body });
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    }
  }
}

export async function startFakeGraph(opts: FakeGraphOptions = {}): Promise<FakeGraph> {
  return new FakeGraph(opts).listen();
}

/** Graph media ids are 15–16 digit numbers. */
function mediaId(): string {
  return `${randomInt(1, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Rejection(100, `Request body larger than ${limit} bytes.`, 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readJsonBody(req: IncomingMessage): Promise<Json> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) reject(100, 'Expected a JSON body (Content-Type: application/json).');
  const raw = await readBody(req, MAX_JSON_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return reject(100, 'The request body is not valid JSON.');
  }
  if (!isObject(body)) return reject(100, 'The request body must be a JSON object.');
  return body;
}

function validateInteractive(payload: Json): void {
  const kind = payload.type;
  if (kind !== 'button' && kind !== 'list') reject(100, 'Param interactive.type must be "button" or "list".');
  requireText(requireObject(payload, 'body', 'interactive.body'), 'text', 'interactive.body.text', kind === 'button' ? 1024 : 4096);
  if (payload.header !== undefined) {
    const header = requireObject(payload, 'header', 'interactive.header');
    if (header.type === 'text') requireText(header, 'text', 'interactive.header.text', 60);
    else if (!['image', 'video', 'document'].includes(String(header.type))) reject(100, 'Param interactive.header.type is invalid.');
  }
  if (payload.footer !== undefined) requireText(requireObject(payload, 'footer', 'interactive.footer'), 'text', 'interactive.footer.text', 60);
  const action = requireObject(payload, 'action', 'interactive.action');

  if (kind === 'button') {
    const buttons = action.buttons;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return reject(131009, 'Buttons count must be between 1 and 3.');
    const ids = new Set<string>();
    const titles = new Set<string>();
    for (const [i, button] of buttons.entries()) {
      if (!isObject(button) || button.type !== 'reply') return reject(100, `Param interactive.action.buttons[${i}].type must be "reply".`);
      const reply = requireObject(button, 'reply', `interactive.action.buttons[${i}].reply`);
      const id = requireText(reply, 'id', `interactive.action.buttons[${i}].reply.id`, 256);
      const title = requireText(reply, 'title', `interactive.action.buttons[${i}].reply.title`, 20);
      if (ids.has(id)) reject(131009, `Duplicate button id: ${id}`);
      if (titles.has(title)) reject(131009, `Duplicate button title: ${title}`);
      ids.add(id);
      titles.add(title);
    }
    return;
  }

  requireText(action, 'button', 'interactive.action.button', 20);
  const sections = action.sections;
  if (!Array.isArray(sections) || sections.length < 1 || sections.length > 10) return reject(131009, 'Sections count must be between 1 and 10.');
  const rowIds = new Set<string>();
  for (const [s, section] of sections.entries()) {
    if (!isObject(section)) return reject(100, `Param interactive.action.sections[${s}] must be an object.`);
    if (sections.length > 1) requireText(section, 'title', `interactive.action.sections[${s}].title`, 24);
    else optionalText(section, 'title', `interactive.action.sections[${s}].title`, 24);
    const rows = section.rows;
    if (!Array.isArray(rows) || rows.length < 1) return reject(131009, `Section ${s} must have at least one row.`);
    for (const [r, row] of rows.entries()) {
      if (!isObject(row)) return reject(100, `Param interactive.action.sections[${s}].rows[${r}] must be an object.`);
      const id = requireText(row, 'id', `sections[${s}].rows[${r}].id`, 200);
      requireText(row, 'title', `sections[${s}].rows[${r}].title`, 24);
      optionalText(row, 'description', `sections[${s}].rows[${r}].description`, 72);
      if (rowIds.has(id)) reject(131009, `Duplicate row id: ${id}`);
      rowIds.add(id);
    }
  }
  if (rowIds.size > 10) reject(131009, `Total row count exceeded: ${rowIds.size} rows, at most 10.`);
}

// ── Webhooks as Meta sends them (§1.2) ─────────────────────────────────────────────────────────────

export interface MetaWebhookPayload {
  object: 'whatsapp_business_account';
  entry: Array<{ id: string; changes: Array<{ field: string; value: Record<string, unknown> }> }>;
}

/**
 * Compact JSON with every non-ASCII character as a `\uXXXX` escape (emoji as surrogate pairs, e.g.
 * `\ud83d\ude2e`): Meta's serialisation, and the bytes its signature covers.
 */
export function metaJson(payload: unknown): string {
  return JSON.stringify(payload).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The `X-Hub-Signature-256` value for these exact bytes. */
export function signMetaBody(rawBody: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export interface MetaDeliverOptions {
  /** Replace the signature header (a forged one), or `null` to send none. */
  signature?: string | null;
  headers?: Record<string, string>;
}

/**
 * POST a webhook the way Meta does: compact `\u`-escaped JSON (a string is sent verbatim), signed
 * over exactly the bytes sent. Returns the HTTP status the receiver answered.
 */
export async function deliverWebhook(url: string, payload: unknown, appSecret: string, opts: MetaDeliverOptions = {}): Promise<number> {
  const raw = Buffer.from(typeof payload === 'string' ? payload : metaJson(payload), 'utf8');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'facebookexternalua',
    // Legacy header Meta still sends; receivers must ignore it.
    'x-hub-signature': `sha1=${createHmac('sha1', appSecret).update(raw).digest('hex')}`,
    ...opts.headers,
  };
  const signature = opts.signature === undefined ? signMetaBody(raw, appSecret) : opts.signature;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const res = await fetch(url, { method: 'POST', headers, body: new Uint8Array(raw) });
  await res.arrayBuffer();
  return res.status;
}

/** Meta's GET handshake (§1.1): returns the status and the body the receiver answered. */
export async function verifyWebhookSubscription(callbackUrl: string, verifyToken: string, challenge = String(randomInt(1e9, 2e9))) {
  const url = new URL(callbackUrl);
  url.searchParams.set('hub.mode', 'subscribe');
  url.searchParams.set('hub.challenge', challenge);
  url.searchParams.set('hub.verify_token', verifyToken);
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), challenge };
}

interface WebhookTarget {
  phoneNumberId: string;
  displayPhoneNumber?: string;
  wabaId?: string;
}

function wrap(target: WebhookTarget, value: Record<string, unknown>): MetaWebhookPayload {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: target.wabaId ?? DEFAULT_WABA,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: target.displayPhoneNumber ?? '15550783881', phone_number_id: target.phoneNumberId },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

const unixNow = () => String(Math.floor(Date.now() / 1000));
export const fakeWamid = () => `wamid.${randomBytes(33).toString('base64')}`;

/** An inbound message of any type: `message` holds `type` and its body (and `context`…). */
export function messageWebhook(
  opts: WebhookTarget & { from: string; name?: string; id?: string; timestamp?: string; message: Record<string, unknown> },
): MetaWebhookPayload {
  return wrap(opts, {
    contacts: [{ profile: { name: opts.name ?? '' }, wa_id: opts.from }],
    messages: [{ from: opts.from, id: opts.id ?? fakeWamid(), timestamp: opts.timestamp ?? unixNow(), ...opts.message }],
  });
}

export function textWebhook(opts: WebhookTarget & { from: string; name?: string; text: string; id?: string; timestamp?: string }): MetaWebhookPayload {
  return messageWebhook({ ...opts, message: { type: 'text', text: { body: opts.text } } });
}

export function statusWebhook(
  opts: WebhookTarget & {
    wamid: string;
    status: 'sent' | 'delivered' | 'read' | 'played' | 'failed' | 'deleted';
    recipientId?: string;
    timestamp?: string;
    errors?: Array<{ code: number; title?: string; details?: string }>;
  },
): MetaWebhookPayload {
  const billed = opts.status !== 'failed';
  return wrap(opts, {
    statuses: [
      {
        id: opts.wamid,
        status: opts.status,
        timestamp: opts.timestamp ?? unixNow(),
        recipient_id: opts.recipientId ?? '6281234567890',
        ...(billed
          ? {
              conversation: {
                id: randomBytes(16).toString('hex'),
                ...(opts.status === 'sent' ? { expiration_timestamp: String(Math.floor(Date.now() / 1000) + 86_400) } : {}),
                origin: { type: 'service' },
              },
              pricing: { billable: true, pricing_model: 'CBP', category: 'service' },
            }
          : {}),
        ...(opts.errors
          ? {
              errors: opts.errors.map((e) => {
                const info = errorInfo(e.code);
                const title = e.title ?? info.title;
                return {
                  code: e.code,
                  title,
                  message: title,
                  error_data: { details: e.details ?? info.details ?? title },
                  href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
                };
              }),
            }
          : {}),
      },
    ],
  });
}
