/**
 * Turns each SDK family's errors into one `ProviderError`, so the router decides on retries and
 * fallbacks by kind (rate_limited, server, timeout, auth, bad_request) without knowing any SDK.
 *
 * Messages never carry the API key: the SDKs' messages quote the provider's response body, and
 * some providers echo (part of) the key, so every message is scrubbed of the key.
 */
import { APIError as OpenAiApiError, APIConnectionError as OpenAiConnectionError, APIConnectionTimeoutError as OpenAiTimeoutError, APIUserAbortError as OpenAiAbortError } from 'openai';
import {
  APIError as AnthropicApiError,
  APIConnectionError as AnthropicConnectionError,
  APIConnectionTimeoutError as AnthropicTimeoutError,
  APIUserAbortError as AnthropicAbortError,
} from '@anthropic-ai/sdk';
import { ApiError as GeminiApiError } from '@google/genai';
import { ProviderError, type ProviderErrorKind } from '../types';

/** Which provider failed and with which key (to scrub it from messages). */
export interface ErrorContext {
  provider: string;
  apiKey?: string;
}

/** The kind of failure an HTTP status means. */
export function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'timeout';
  if (status === 401 || status === 403) return 'auth';
  // 402: the account cannot pay. Like a bad key, only the owner can fix it in the provider's console.
  if (status === 402) return 'auth';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** How long the provider asks us to wait, from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMsFromHeaders(headers: Headers | undefined | null): number | undefined {
  if (!headers) return undefined;
  const millis = headers.get('retry-after-ms');
  if (millis !== null && Number.isFinite(Number.parseFloat(millis))) return Math.max(0, Number.parseFloat(millis));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Maps errors from the `openai` SDK (also used for OpenAI-compatible endpoints). */
export function fromOpenAiError(error: unknown, context: ErrorContext): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof OpenAiAbortError || error instanceof OpenAiTimeoutError) return make('timeout', error.message, context);
  if (error instanceof OpenAiConnectionError) return make('server', connectionMessage(error), context);
  if (error instanceof OpenAiApiError && typeof error.status === 'number') {
    return fromStatus(error.status, error.message, retryAfterMsFromHeaders(error.headers), context);
  }
  return fromUnknown(error, context);
}

/** Maps errors from `@anthropic-ai/sdk` (529 "overloaded" is a server error). */
export function fromAnthropicError(error: unknown, context: ErrorContext): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof AnthropicAbortError || error instanceof AnthropicTimeoutError) return make('timeout', error.message, context);
  if (error instanceof AnthropicConnectionError) return make('server', connectionMessage(error), context);
  if (error instanceof AnthropicApiError && typeof error.status === 'number') {
    return fromStatus(error.status, error.message, retryAfterMsFromHeaders(error.headers), context);
  }
  return fromUnknown(error, context);
}

/**
 * Maps errors from `@google/genai`. Its `ApiError` keeps only the status and the response body
 * (as the message), so the wait of a 429 is read from the body's `google.rpc.RetryInfo`, and a
 * wrong key, which Google answers with 400 `API_KEY_INVALID`, is recognised by that reason.
 */
export function fromGeminiError(error: unknown, context: ErrorContext): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof GeminiApiError) {
    const body = parseGoogleErrorBody(error.message);
    const message = body?.message ?? error.message;
    if (body?.reasons.includes('API_KEY_INVALID')) return make('auth', message, context, error.status);
    return fromStatus(error.status, message, body?.retryDelayMs, context);
  }
  return fromUnknown(error, context);
}

/**
 * Maps errors from the `replicate` package: its `ApiError` carries the raw `response`; the
 * problem-JSON `detail` is the readable part of the message.
 */
export function fromReplicateError(error: unknown, context: ErrorContext): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof Error && error.name === 'ApiError' && 'response' in error && error.response instanceof Response) {
    return fromStatus(error.response.status, replicateDetail(error.message), retryAfterMsFromHeaders(error.response.headers), context);
  }
  return fromUnknown(error, context);
}

/** A failed HTTP response read directly (the Replicate adapter sees retryable ones before the SDK). */
export function fromHttpFailure(status: number, bodyText: string, headers: Headers, context: ErrorContext): ProviderError {
  return fromStatus(status, replicateDetail(bodyText), retryAfterMsFromHeaders(headers), context);
}

function fromStatus(status: number, message: string, retryAfterMs: number | undefined, context: ErrorContext): ProviderError {
  const kind = kindOfStatus(status);
  return make(kind, message, context, status, kind === 'rate_limited' ? retryAfterMs : undefined);
}

/**
 * Errors without an HTTP status: an abort (the router's timeout), a connection failure, or
 * something unexpected. Unexpected failures count as `server` so the router's bounded retries
 * and fallback handle them rather than a crash.
 */
function fromUnknown(error: unknown, context: ErrorContext): ProviderError {
  if (isAbort(error)) return make('timeout', 'The request was aborted (timed out).', context);
  if (error instanceof Error) return make('server', connectionMessage(error), context);
  return make('server', String(error), context);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** The message with its causes (`Connection error: fetch failed: connect ECONNREFUSED …`). */
function connectionMessage(error: Error): string {
  const parts = [error.message.replace(/\.$/, '')];
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth += 1) {
    parts.push(cause.message);
    cause = cause.cause;
  }
  return parts.join(': ');
}

function make(kind: ProviderErrorKind, message: string, context: ErrorContext, status?: number, retryAfterMs?: number): ProviderError {
  return new ProviderError(kind, `${context.provider}: ${scrub(message, context.apiKey)}`, {
    provider: context.provider,
    ...(status !== undefined ? { status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/**
 * Removes the key from a message: the key itself, a masked echo of it (OpenAI answers a wrong key
 * with its first characters and last four around `***`), and any word sharing 8 characters in a row
 * with it.
 */
export function scrub(message: string, apiKey: string | undefined): string {
  const whole = apiKey && apiKey.length >= 8 ? message.split(apiKey).join('[redacted]') : message;
  return whole
    .split(/(\s+)/)
    .map((word) => (/\*{3,}/.test(word) || (apiKey && sharesRun(word, apiKey, 8)) ? '[redacted]' : word))
    .join('');
}

function sharesRun(word: string, secret: string, length: number): boolean {
  if (word.length < length || secret.length < length) return false;
  for (let start = 0; start + length <= secret.length; start += 1) {
    if (word.includes(secret.slice(start, start + length))) return true;
  }
  return false;
}

interface GoogleErrorBody {
  message: string;
  reasons: string[];
  retryDelayMs?: number;
}

/** Reads Google's `{ error: { message, details: [...] } }` from the SDK's error message. */
function parseGoogleErrorBody(text: string): GoogleErrorBody | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: { message?: unknown; details?: unknown } } | null)?.error;
  if (!error || typeof error.message !== 'string') return undefined;
  const details = Array.isArray(error.details) ? (error.details as Array<Record<string, unknown>>) : [];
  const reasons = details.map((d) => d.reason).filter((r): r is string => typeof r === 'string');
  const retryInfo = details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
  const delay = typeof retryInfo?.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(retryInfo.retryDelay) : null;
  return { message: error.message, reasons, ...(delay ? { retryDelayMs: Number(delay[1]) * 1000 } : {}) };
}

/** The `detail` of a problem-JSON body inside a message, or the message itself. */
function replicateDetail(text: string): string {
  const json = /\{.*\}/s.exec(text)?.[0];
  if (json) {
    try {
      const parsed = JSON.parse(json) as { detail?: unknown; title?: unknown; status?: unknown };
      if (typeof parsed.detail === 'string') return `${typeof parsed.status === 'number' ? `${parsed.status} ` : ''}${parsed.detail}`;
    } catch {
      // Not JSON after all: keep the whole message.
    }
  }
  return text;
}
