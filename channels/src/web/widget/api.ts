/**
 * HTTP calls to the gateway's widget API (docs/widget-api.md). Cookies are never sent: the visitor
 * is identified by the id/token pair in headers or the query, so the gateway needs no credentialed
 * CORS and a host page's cookies never reach it.
 */
import { t, type Locale } from '@sapa/shared/i18n';
import type { SendResult, VisitorIdentity, WidgetConfig, WidgetSession } from './types';

/** A hung request counts as a network failure, so the caller's retry logic takes over. */
const REQUEST_TIMEOUT_MS = 15_000;

/** The gateway answered with an error status; `message` is its text in the visitor's language. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Worth retrying with the same request: the network failed or the gateway is temporarily down. */
export function isTransient(err: unknown): boolean {
  return !(err instanceof ApiError) || err.status >= 500;
}

export class WidgetApi {
  private readonly base: URL;

  constructor(
    gatewayBase: URL,
    publicId: string,
    /** Read per request so a language switch applies to the server's error messages at once. */
    private readonly locale: () => Locale,
  ) {
    this.base = new URL(`v1/widget/${encodeURIComponent(publicId)}/`, gatewayBase);
  }

  config(): Promise<WidgetConfig> {
    return this.request<WidgetConfig>('GET', 'config');
  }

  session(identity: VisitorIdentity | null): Promise<WidgetSession> {
    return this.request<WidgetSession>('POST', 'session', { ...(identity ?? {}), locale: this.locale() });
  }

  sendMessage(identity: VisitorIdentity, clientMessageId: string, text: string): Promise<SendResult> {
    return this.request<SendResult>(
      'POST',
      'messages',
      { clientMessageId, text },
      { 'X-Visitor-Id': identity.visitorId, 'X-Visitor-Token': identity.token },
    );
  }

  streamUrl(identity: VisitorIdentity, lastEventId: number): string {
    const url = new URL('stream', this.base);
    url.searchParams.set('visitorId', identity.visitorId);
    url.searchParams.set('token', identity.token);
    url.searchParams.set('lastEventId', String(lastEventId));
    return url.toString();
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: object,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': this.locale(), ...extraHeaders };
    if (body) headers['Content-Type'] = 'application/json';
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS) : undefined;
    try {
      const res = await fetch(new URL(path, this.base).toString(), {
        method,
        headers,
        body: body ? JSON.stringify(body) : undefined,
        mode: 'cors',
        credentials: 'omit',
        signal: controller?.signal,
      });
      const answer: unknown = await res.json().catch(() => null);
      // A 2xx without a JSON body means something between us and the gateway broke: retry it.
      if (!res.ok || answer === null) throw this.errorFrom(res.ok ? 502 : res.status, answer);
      return answer as T;
    } finally {
      clearTimeout(timer);
    }
  }

  private errorFrom(status: number, body: unknown): ApiError {
    const { error, message } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const fallback = t(this.locale(), status >= 500 ? 'error.unavailable' : 'error.validation');
    return new ApiError(
      status,
      typeof error === 'string' ? error : 'http_' + status,
      typeof message === 'string' && message ? message : fallback,
    );
  }
}
