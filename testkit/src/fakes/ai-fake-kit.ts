/**
 * What the LLM provider fakes (openai.ts, anthropic.ts, gemini.ts, replicate.ts) have in common:
 * a loopback HTTP server that records every request, injects scripted failures and hangs, and
 * produces answers and embeddings deterministically. Each fake only adds its provider's routes,
 * validation and envelopes on top.
 *
 * The default answer is a "grounded echo" so tests can tell a grounded answer from a refusal
 * without a model: it quotes the first passage of the system prompt's knowledge block.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A scripted failure of the next request(s), in the provider's own envelope. */
export interface FakeAiFailure {
  /** 429 (rate limited), 500, 502, 503, or 529 (Anthropic's "overloaded"). */
  status: number;
  /** Sent where the provider sends it: the `retry-after` header, or Gemini's RetryInfo in the body. */
  retryAfterSeconds?: number;
  /** Waits this long before answering (to test slow failures). */
  delayMs?: number;
}

/** A request the fake received, accepted or not. Credentials are removed from the headers. */
export interface FakeAiRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (the raw text when it was not JSON; undefined when empty). */
  body: unknown;
  /** The HTTP status the fake answered (0: hung until the client gave up). */
  status: number;
  /** The last four characters of the credential sent (which key paid for the call), if any. */
  keyLast4?: string;
}

/** A chat request as every provider fake sees it, whatever its wire shape. */
export interface FakeChatPrompt {
  model: string;
  /** The system prompt (all system parts joined with a blank line). */
  system: string;
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
  /** The provider's raw request body, for assertions on provider-specific fields. */
  body: Record<string, unknown>;
}

/** Produces the text of a chat answer. */
export type FakeChatResponder = (prompt: FakeChatPrompt) => string;

/** The control surface every AI fake offers to tests. */
export interface FakeAiControls {
  /** The server's origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** What to pass as `ProviderCredentials.baseUrl` (the SDK's base URL for this provider). */
  baseUrl: string;
  /** Every request, oldest first. */
  requests: FakeAiRequest[];
  /** Sets how chat answers are produced (default: {@link groundedEcho}). */
  respond(handler: FakeChatResponder): void;
  /** The next `count` requests fail with `failure` instead of running. */
  failNext(count: number, failure: FakeAiFailure): void;
  /** The next `count` requests never get an answer (until the client aborts or the fake closes). */
  hangNext(count: number): void;
  /** Forgets recorded requests and pending failures/hangs; restores the default responder. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeAiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeAiIncoming {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface AiFakeServerOptions {
  /** Headers that carry credentials: left out of `requests`. */
  credentialHeaders: string[];
  /** Query parameters that carry credentials (Gemini's `?key=`): left out of `requests`. */
  credentialQuery?: string[];
  /** The path prefix of the SDK's base URL (`/v1` for OpenAI and Replicate, '' otherwise). */
  basePath: string;
  /** Routes, validates and answers one request. */
  handle(request: FakeAiIncoming, answer: FakeChatResponder): FakeAiReply | Promise<FakeAiReply>;
  /** The provider's envelope (and headers, such as `retry-after`) for a scripted failure. */
  failureReply(failure: FakeAiFailure): FakeAiReply;
}

const REQUEST_BODY_LIMIT = 32 * 1024 * 1024;

/** Starts the shared server on 127.0.0.1 with an ephemeral port. */
export async function startAiFakeServer(options: AiFakeServerOptions): Promise<FakeAiControls> {
  const requests: FakeAiRequest[] = [];
  let failures: FakeAiFailure[] = [];
  let hangs = 0;
  let responder: FakeChatResponder = groundedEcho;
  const credentialHeaders = new Set(options.credentialHeaders.map((h) => h.toLowerCase()));
  const credentialQuery = new Set(options.credentialQuery ?? []);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawBody = await readBody(req);
    const record: FakeAiRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries([...url.searchParams].filter(([k]) => !credentialQuery.has(k))),
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !credentialHeaders.has(k))),
      body: parseBodyForRecord(rawBody),
      status: 0,
    };
    const credential = [...credentialHeaders].map((h) => req.headers[h]).find((v): v is string => typeof v === 'string' && v.length > 0);
    if (credential) record.keyLast4 = credential.slice(-4);
    requests.push(record);

    if (hangs > 0) {
      hangs -= 1;
      // Never answered: the socket stays open until the client aborts or close() destroys it.
      return;
    }

    let reply: FakeAiReply;
    const failure = failures.shift();
    if (failure) {
      if (failure.delayMs) await sleep(failure.delayMs);
      reply = options.failureReply(failure);
    } else {
      reply = await options.handle(
        { method: record.method, path: url.pathname, query: url.searchParams, headers: req.headers, rawBody },
        responder,
      );
    }
    record.status = reply.status;
    if (res.destroyed) return;
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...reply.headers,
    });
    res.end(text);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      // A bug in the fake itself: answer 599 so the test fails loudly rather than hanging.
      if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`fake crashed: ${error instanceof Error ? error.stack : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    baseUrl: `${origin}${options.basePath}`,
    requests,
    respond(handler) {
      responder = handler;
    },
    failNext(count, failure) {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
    hangNext(count) {
      hangs += count;
    },
    reset() {
      requests.length = 0;
      failures = [];
      hangs = 0;
      responder = groundedEcho;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > REQUEST_BODY_LIMIT) {
        req.destroy(new Error('request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBodyForRecord(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Parses a JSON body; `undefined` when it is not JSON (each fake answers with its own 400). */
export function parseJsonBody(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ── Answers ───────────────────────────────────────────────────────────────────────────────────────

/** The marker the default responder answers with when the knowledge block is empty or missing. */
export const NO_ANSWER = 'NO_ANSWER';

/**
 * The default responder: quotes the first passage of the knowledge block (the lines between
 * `<knowledge>` and `</knowledge>`, passages starting with `[n]`) and cites it, e.g.
 * `Toko buka jam 08.00–21.00. [1]`; answers `NO_ANSWER` when there is no passage.
 */
export function groundedEcho(prompt: FakeChatPrompt): string {
  const passage = firstKnowledgePassage(prompt.system);
  return passage ? `${passage.text} [${passage.number}]` : NO_ANSWER;
}

/** The first `[n]` passage of the system prompt's knowledge block, if any. */
export function firstKnowledgePassage(system: string): { number: number; text: string } | undefined {
  const lines = system.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === '<knowledge>');
  if (start < 0) return undefined;
  const end = lines.findIndex((line, i) => i > start && line.trim() === '</knowledge>');
  const block = lines.slice(start + 1, end < 0 ? undefined : end);
  const first = block.findIndex((line) => /^\s*\[\d+\]/.test(line));
  if (first < 0) return undefined;
  const head = /^\s*\[(\d+)\]\s*(.*)$/.exec(block[first] ?? '');
  if (!head) return undefined;
  const rest: string[] = [];
  for (const line of block.slice(first + 1)) {
    if (/^\s*\[\d+\]/.test(line)) break;
    rest.push(line);
  }
  const text = [head[2] ?? '', ...rest].join('\n').trim();
  return text ? { number: Number(head[1]), text } : undefined;
}

/** Token counts the fakes report: roughly one token per four characters, at least one. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Cuts an answer to `maxTokens` (as counted by {@link estimateTokens}); `truncated` tells the stop reason. */
export function limitToTokens(text: string, maxTokens: number | undefined): { text: string; truncated: boolean } {
  if (maxTokens === undefined || estimateTokens(text) <= maxTokens) return { text, truncated: false };
  return { text: text.slice(0, maxTokens * 4), truncated: true };
}

// ── Embeddings ────────────────────────────────────────────────────────────────────────────────────

/**
 * A deterministic unit vector for a text: each lowercased word (and each word bigram) is hashed
 * into a signed dimension. Texts sharing words get a higher cosine similarity, so retrieval
 * tests against the fakes rank passages sensibly, and the same text always gets the same vector.
 */
export function deterministicEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const features = words.length > 0 ? [...words, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)] : [text];
  for (const feature of features) {
    const hash = fnv1a(feature);
    const index = hash % dimensions;
    const sign = (hash >>> 31) & 1 ? -1 : 1;
    vector[index] = (vector[index] ?? 0) + sign * (feature.includes(' ') ? 0.5 : 1);
  }
  // A little hash noise spread over every dimension keeps vectors of different texts distinct.
  let seed = fnv1a(`seed:${text}`);
  for (let i = 0; i < dimensions; i += 1) {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    vector[i] = (vector[i] ?? 0) + ((seed / 0xffffffff) * 2 - 1) * 0.01;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

/** The base64 form of a vector as OpenAI sends it for `encoding_format: 'base64'` (float32, little-endian). */
export function embeddingToBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A random id in the provider's style, e.g. `randomId('chatcmpl-', 29)`. */
export function randomId(prefix: string, length: number): string {
  return prefix + randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length);
}
