/**
 * A small typed client for the parts of Meta's Graph API that Sapa uses (spec §4–§6): sending,
 * read receipts, media, templates and the phone number lookup that validates credentials.
 * Written over `fetch` rather than an SDK because the base URL must be configurable (tests point it
 * at testkit's fake Graph server; the npm SDKs hard-code graph.facebook.com).
 */
import { z } from 'zod';
import { readLimited, type Config } from '@sapa/shared';

export interface GraphClientOptions {
  /** `https://graph.facebook.com` in production. */
  baseUrl: string;
  /** `v21.0`-style API version. */
  version: string;
  accessToken: string;
  fetch?: typeof fetch;
  /** Per request, including reading the body (default 30 s). */
  timeoutMs?: number;
}

/**
 * Graph answered with an error (§5). Decide by `code` (+ `details`), never by the title text.
 * `code` is -1 when the body held no Graph error at all (an HTML page from a proxy or the CDN).
 */
export class GraphApiError extends Error {
  override name = 'GraphApiError';
  readonly subcode?: number;
  readonly details?: string;
  readonly fbtraceId?: string;
  /** From a `Retry-After` header, when the server sent one. */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    readonly status: number,
    readonly code: number,
    extra: { subcode?: number; details?: string; fbtraceId?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.subcode = extra.subcode;
    this.details = extra.details;
    this.fbtraceId = extra.fbtraceId;
    this.retryAfterMs = extra.retryAfterMs;
  }
}

/** The request never got an answer: connection refused or reset, DNS failure, timeout. */
export class GraphNetworkError extends Error {
  override name = 'GraphNetworkError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const errorEnvelopeSchema = z.object({
  error: z.object({
    message: z.string().default(''),
    type: z.string().optional(),
    code: z.coerce.number().int(),
    error_subcode: z.coerce.number().int().optional(),
    error_data: z.object({ details: z.string().optional() }).optional().catch(undefined),
    fbtrace_id: z.string().optional(),
  }),
});

const sendResponseSchema = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });
const mediaInfoSchema = z.object({
  url: z.string().url(),
  mime_type: z.string(),
  sha256: z.string().optional(),
  // Numeric in current responses; some clients and older versions give a string.
  file_size: z.coerce.number().int().nonnegative().optional(),
});
const uploadResponseSchema = z.object({ id: z.string().min(1) });
const templatePageSchema = z.object({
  data: z.array(
    z.object({
      name: z.string(),
      language: z.string(),
      status: z.string(),
      category: z.string().optional(),
      components: z.array(z.unknown()).default([]),
    }),
  ),
  paging: z.object({ next: z.string().optional() }).optional(),
});
const phoneNumberSchema = z.object({
  id: z.string(),
  display_phone_number: z.string(),
  verified_name: z.string().optional(),
});

export type GraphTemplate = z.infer<typeof templatePageSchema>['data'][number];

/** A runaway `paging.next` chain stops here (a WABA holds at most a few hundred templates). */
const MAX_TEMPLATE_PAGES = 50;

export class GraphClient {
  private readonly base: URL;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly opts: GraphClientOptions) {
    this.base = new URL(opts.baseUrl.replace(/\/+$/, '') + '/');
    this.fetchImpl = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** `<base>/<version>/<id>/<edge>` with every segment escaped. */
  private url(...segments: string[]): URL {
    return new URL([this.opts.version, ...segments].map(encodeURIComponent).join('/'), this.base);
  }

  /** Send a message body (§4); returns the wamid of the accepted message. */
  async sendMessage(phoneNumberId: string, body: Record<string, unknown>): Promise<{ messageId: string }> {
    const res = await this.request(this.url(phoneNumberId, 'messages'), { method: 'POST', json: body });
    const parsed = await readJson(res, sendResponseSchema);
    return { messageId: parsed.messages[0]!.id };
  }

  /** Blue ticks on the customer's message, and "typing…" until our reply (or ~25 s) when asked (§4.3). */
  async markRead(phoneNumberId: string, messageId: string, typing = false): Promise<void> {
    const body = {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: messageId,
      ...(typing ? { typing_indicator: { type: 'text' } } : {}),
    };
    const res = await this.request(this.url(phoneNumberId, 'messages'), { method: 'POST', json: body });
    await res.text(); // `{ "success": true }`; read so the connection can be reused
  }

  /** Resolve a media id to a short-lived download URL (§6.1; the URL expires after 5 minutes). */
  async getMedia(mediaId: string): Promise<{ url: string; mimeType: string; sha256?: string; fileSize?: number }> {
    const res = await this.request(this.url(mediaId), { method: 'GET' });
    const info = await readJson(res, mediaInfoSchema);
    return {
      url: info.url,
      mimeType: info.mime_type,
      ...(info.sha256 ? { sha256: info.sha256 } : {}),
      ...(info.file_size !== undefined ? { fileSize: info.file_size } : {}),
    };
  }

  /**
   * Download from a URL `getMedia` returned (§6.2). It needs the same bearer token, so the token is
   * only sent over HTTPS or to the configured Graph host itself. Refuses to hold more than `maxBytes`.
   */
  async downloadMedia(url: string, maxBytes: number): Promise<{ bytes: Buffer; mimeType: string }> {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.origin !== this.base.origin) {
      throw new GraphApiError(`refusing to send the access token to ${target.origin}`, 0, -1);
    }
    const res = await this.request(target, { method: 'GET' });
    const declared = Number(res.headers.get('content-length') ?? NaN);
    try {
      const bytes = await readLimited(res.body ? chunksOf(res.body) : null, maxBytes, Number.isFinite(declared) ? declared : undefined);
      return { bytes, mimeType: res.headers.get('content-type') ?? 'application/octet-stream' };
    } catch (err) {
      // Too large: stop the transfer instead of letting it run to the end unread.
      await res.body?.cancel().catch(() => undefined);
      throw err;
    }
  }

  /** Upload bytes as media for this number (§6.3); the id can be sent for 30 days. */
  async uploadMedia(phoneNumberId: string, bytes: Buffer, mimeType: string, fileName = 'file'): Promise<{ id: string }> {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', mimeType);
    form.set('file', new Blob([new Uint8Array(bytes)], { type: mimeType }), fileName);
    const res = await this.request(this.url(phoneNumberId, 'media'), { method: 'POST', form });
    return { id: (await readJson(res, uploadResponseSchema)).id };
  }

  /** Every template of the WhatsApp Business Account, following `paging.next`. */
  async listTemplates(wabaId: string): Promise<GraphTemplate[]> {
    const first = this.url(wabaId, 'message_templates');
    first.searchParams.set('fields', 'name,language,status,category,components');
    first.searchParams.set('limit', '100');
    const templates: GraphTemplate[] = [];
    let next: URL | undefined = first;
    for (let page = 0; next && page < MAX_TEMPLATE_PAGES; page += 1) {
      const res = await this.request(next, { method: 'GET' });
      const body = await readJson(res, templatePageSchema);
      templates.push(...body.data);
      next = body.paging?.next ? new URL(body.paging.next) : undefined;
      // The bearer token goes to the Graph host only, whatever a response says.
      if (next && next.origin !== this.base.origin) throw new GraphApiError(`unexpected paging URL host ${next.origin}`, 0, -1);
    }
    return templates;
  }

  /** The number's display form and verified business name; fails when the token cannot see it. */
  async getPhoneNumber(phoneNumberId: string): Promise<{ id: string; displayPhoneNumber: string; verifiedName?: string }> {
    const url = this.url(phoneNumberId);
    url.searchParams.set('fields', 'display_phone_number,verified_name');
    const body = await readJson(await this.request(url, { method: 'GET' }), phoneNumberSchema);
    return {
      id: body.id,
      displayPhoneNumber: body.display_phone_number,
      ...(body.verified_name ? { verifiedName: body.verified_name } : {}),
    };
  }

  /** One authenticated request; a non-2xx answer becomes a `GraphApiError`, no answer a `GraphNetworkError`. */
  private async request(url: URL, init: { method: string; json?: unknown; form?: FormData }): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.opts.accessToken}` };
    let body: string | FormData | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) {
      body = init.form; // fetch writes the multipart boundary header itself
    }
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method: init.method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new GraphNetworkError(`${init.method} ${url.pathname} got no answer: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }
}

/** Parse a §5 error body; tolerate bodies that are not JSON (proxies, the media CDN). */
async function errorFrom(res: Response): Promise<GraphApiError> {
  const text = await res.text().catch(() => '');
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const envelope = errorEnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    return new GraphApiError(`HTTP ${res.status} ${text.slice(0, 200).trim() || res.statusText}`, res.status, -1, { retryAfterMs });
  }
  const e = envelope.data.error;
  return new GraphApiError(e.message || `(#${e.code})`, res.status, e.code, {
    subcode: e.error_subcode,
    details: e.error_data?.details,
    fbtraceId: e.fbtrace_id,
    retryAfterMs,
  });
}

/** `Retry-After` is either seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function readJson<T>(res: Response, schema: z.ZodType<T>): Promise<T> {
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GraphApiError(`unexpected non-JSON answer from ${res.url}`, res.status, -1);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new GraphApiError(`unexpected answer from ${res.url}: ${parsed.error.message}`, res.status, -1);
  return parsed.data;
}

/** A fetch body as an async iterable; stopping early cancels the download. */
async function* chunksOf(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  let done = false;
  try {
    while (!done) {
      const chunk = await reader.read();
      done = chunk.done;
      if (chunk.value) yield chunk.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
}

export function graphClientFor(config: Pick<Config, 'WHATSAPP_GRAPH_URL' | 'WHATSAPP_GRAPH_VERSION'>, accessToken: string): GraphClient {
  return new GraphClient({ baseUrl: config.WHATSAPP_GRAPH_URL, version: config.WHATSAPP_GRAPH_VERSION, accessToken });
}
