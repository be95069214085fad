/**
 * "Test key": one real, cheap call through the provider's adapter with a workspace's own key — a
 * one-token chat with the provider's default small model — and what its failure means for the
 * key. The call goes where the platform reaches that provider (config base URL), or to the key's
 * own endpoint for OpenAI-compatible keys.
 */
import { DEFAULT_CHAT_MODELS, type ApiKeyProvider, type Config } from '@sapa/shared';
import type { KeyCheckResult, KeyTestReason } from '@sapa/shared/ai/key-test';
import { platformCredentials } from './credentials';
import { scrub } from './providers/errors';
import { createChatProvider } from './providers';
import { ProviderError, type ProviderCredentials, type ProviderErrorKind } from './types';

const DEFAULT_TIMEOUT_MS = 30_000;
/** The longest failure message kept (it is stored on the key and shown in the dashboard). */
const MESSAGE_MAX = 500;

/** The credentials a workspace key is used with: its own key, the platform's endpoint (or its own). */
export function apiKeyCredentials(config: Config, key: { provider: ApiKeyProvider; baseUrl?: string | null }, apiKey: string): ProviderCredentials {
  const baseUrl = key.provider === 'openai_compatible' ? key.baseUrl || undefined : platformCredentials(config, key.provider).baseUrl;
  return { apiKey, ...(baseUrl ? { baseUrl } : {}) };
}

export interface TestApiKeyOptions {
  /** The model to call (default: the provider's default small model). */
  model?: string;
  /** How long the call may take before it counts as unreachable. */
  timeoutMs?: number;
}

/** Makes the validation call. Never throws; the result never contains the key. */
export async function testApiKey(provider: ApiKeyProvider, creds: ProviderCredentials, opts: TestApiKeyOptions = {}): Promise<KeyCheckResult> {
  try {
    const chat = createChatProvider(provider, creds);
    await chat.chat({
      model: opts.model ?? DEFAULT_CHAT_MODELS[provider],
      system: '',
      messages: [{ role: 'user', content: 'ping' }],
      temperature: 0,
      // The smallest answer every provider accepts: the test pays for a handful of tokens.
      maxTokens: 1,
      signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    return { ok: true };
  } catch (error) {
    const reason = error instanceof ProviderError ? reasonOf(error.kind) : 'other';
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason, message: scrub(message, creds.apiKey).slice(0, MESSAGE_MAX) };
  }
}

function reasonOf(kind: ProviderErrorKind): KeyTestReason {
  switch (kind) {
    case 'auth':
      return 'invalid_key';
    case 'rate_limited':
      return 'rate_limited';
    case 'server':
    case 'timeout':
      // Connection failures and 5xx both surface as `server`: either way the provider did not answer.
      return 'unreachable';
    case 'bad_request':
    case 'not_configured':
      return 'other';
  }
}

/**
 * The adapters already remove the key itself from messages; providers also echo it masked
 * (OpenAI: `sk-pr***…abcd`), which still shows its first characters. Those words go too, as does
 * any word sharing eight characters in a row with the key.
 */
