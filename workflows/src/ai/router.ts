/**
 * Sends a chat request to the chatbot's provider, and to its fallback when that one keeps failing.
 * Rate limits (429, honouring retry-after), server errors and timeouts are retried with
 * exponential backoff; an answer the provider refuses outright (bad key, bad request) goes to the
 * fallback at once. When every provider has failed the caller hands the conversation to a person.
 */
import type { ChatProviderId, Config } from '@sapa/shared';
import { ProviderError, type ChatProvider, type ChatRequest, type ChatResult, type ProviderCredentials } from './types';

export interface RouteTarget {
  provider: ChatProviderId;
  model: string;
  baseUrl?: string;
  /** Who pays and with which key (billing/funding.ts); without it, the platform's key. */
  creds?: ProviderCredentials;
}

export interface RoutedResult extends ChatResult {
  provider: ChatProviderId;
  latencyMs: number;
  /** Calls made in all (1 when the first one answered). */
  attempts: number;
  /** The answer came from the fallback provider. */
  fallback: boolean;
  /** The target that answered. */
  target: RouteTarget;
}

export class AllProvidersFailedError extends Error {
  override name = 'AllProvidersFailedError';
  constructor(
    message: string,
    readonly attempts: number,
    readonly lastError: ProviderError,
  ) {
    super(message);
  }
}

export interface RouterDeps {
  config: Pick<Config, 'AI_MAX_ATTEMPTS' | 'AI_REQUEST_TIMEOUT_MS'>;
  providerFor(target: RouteTarget): ChatProvider;
  /** Called while waiting between attempts (the activity heartbeats). */
  onWait?: () => void;
  sleep?: (ms: number) => Promise<void>;
}

const BASE_BACKOFF_MS = 500;
/** A provider asking to wait longer than this is treated as down for now: better the fallback. */
const MAX_WAIT_MS = 15_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function asProviderError(err: unknown, provider: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError('server', message, { provider });
}

export async function routeChat(deps: RouterDeps, targets: readonly RouteTarget[], request: Omit<ChatRequest, 'model' | 'signal'>): Promise<RoutedResult> {
  const sleep = deps.sleep ?? defaultSleep;
  let attempts = 0;
  let lastError = new ProviderError('not_configured', 'no AI provider is configured');
  for (const [position, target] of targets.entries()) {
    let provider: ChatProvider;
    try {
      provider = deps.providerFor(target);
    } catch (err) {
      lastError = asProviderError(err, target.provider);
      continue;
    }
    for (let attempt = 1; attempt <= deps.config.AI_MAX_ATTEMPTS; attempt++) {
      attempts++;
      const started = Date.now();
      try {
        const result = await provider.chat({ ...request, model: target.model, signal: AbortSignal.timeout(deps.config.AI_REQUEST_TIMEOUT_MS) });
        return { ...result, provider: target.provider, latencyMs: Date.now() - started, attempts, fallback: position > 0, target };
      } catch (err) {
        lastError = asProviderError(err, target.provider);
        if (!lastError.retryable || attempt === deps.config.AI_MAX_ATTEMPTS) break;
        const backoff = lastError.details.retryAfterMs ?? BASE_BACKOFF_MS * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
        if (backoff > MAX_WAIT_MS) break;
        deps.onWait?.();
        await sleep(backoff);
      }
    }
  }
  throw new AllProvidersFailedError(`every AI provider failed: ${lastError.message}`, attempts, lastError);
}
