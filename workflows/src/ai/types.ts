/**
 * The ports every AI provider adapter implements. The router (router.ts) only sees these, so a
 * provider is one file under providers/ and the rest of the engine does not change.
 */
import type { ChatProviderId, EmbeddingProviderId } from '@sapa/shared';

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  /** The system prompt: rules, the chatbot's instructions and the retrieved knowledge. */
  system: string;
  /** The conversation so far (and the running summary, as the first user turn), oldest first. */
  messages: ChatTurn[];
  temperature: number;
  maxTokens: number;
  /** Aborts the call (the router's per-attempt timeout). */
  signal?: AbortSignal;
}

export interface ChatResult {
  text: string;
  /** Tokens as the provider counted them (0 when the provider does not report them). */
  inputTokens: number;
  outputTokens: number;
  /** The model the provider says answered (it may resolve an alias). */
  model: string;
}

export interface ChatProvider {
  readonly id: ChatProviderId;
  chat(request: ChatRequest): Promise<ChatResult>;
}

export interface EmbeddingResult {
  vectors: number[][];
  tokens: number;
}

export interface EmbeddingProvider {
  readonly id: EmbeddingProviderId;
  readonly model: string;
  /**
   * `query` and `document` differ for providers that embed them differently (Gemini task types);
   * the others ignore it.
   */
  embed(texts: string[], purpose: 'document' | 'query'): Promise<EmbeddingResult>;
}

/** Where a provider is reached and with which key. */
export interface ProviderCredentials {
  apiKey?: string;
  baseUrl?: string;
}

export type ProviderErrorKind = 'rate_limited' | 'server' | 'timeout' | 'auth' | 'bad_request' | 'not_configured';

/**
 * A provider call failed. `retryable` kinds (429, 5xx, timeouts, connection errors) are retried
 * with backoff; the others go straight to the fallback provider.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; provider?: string } = {},
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'timeout';
  }
}
