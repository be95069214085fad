/**
 * Builds the provider adapter a chatbot's settings name. The router asks here and sees only the
 * ports in ../types. Missing credentials are a `ProviderError('not_configured')`, thrown when the
 * provider is created, so the router can go straight to the fallback.
 */
import type { ChatProviderId } from '@sapa/shared';
import { ProviderError, type ChatProvider, type EmbeddingProvider, type ProviderCredentials } from '../types';
import { createAnthropicChat } from './anthropic';
import { createGeminiChat, createGeminiEmbeddings } from './gemini';
import { createOpenAiChat, createOpenAiEmbeddings } from './openai';
import { createReplicateChat } from './replicate';

export { createAnthropicChat, toAnthropicTurns } from './anthropic';
export { createGeminiChat, createGeminiEmbeddings } from './gemini';
export { createOpenAiChat, createOpenAiEmbeddings, type OpenAiFlavour, type OpenAiProviderOptions } from './openai';
export { createReplicateChat, buildReplicatePrompt, type ReplicateProviderOptions } from './replicate';

/** Remote embedding providers (the `local` one is the engine's own, not an adapter). */
export type RemoteEmbeddingProviderId = 'openai' | 'gemini' | 'openai_compatible';

export interface ChatProviderOptions {
  /** Replicate: how often to poll a prediction that outlived `Prefer: wait` (default 1 s). */
  pollIntervalMs?: number;
}

export function createChatProvider(id: ChatProviderId, creds: ProviderCredentials, opts: ChatProviderOptions = {}): ChatProvider {
  switch (id) {
    case 'openai':
    case 'openai_compatible':
      return createOpenAiChat(creds, { id });
    case 'anthropic':
      return createAnthropicChat(creds);
    case 'gemini':
      return createGeminiChat(creds);
    case 'replicate':
      return createReplicateChat(creds, opts.pollIntervalMs !== undefined ? { pollIntervalMs: opts.pollIntervalMs } : {});
    case 'offline':
      // The offline answerer needs no adapter; the router builds it itself.
      throw new ProviderError('not_configured', 'offline: not a remote provider; the router answers offline itself', { provider: id });
  }
}

export function createEmbeddingProvider(id: RemoteEmbeddingProviderId, model: string, creds: ProviderCredentials): EmbeddingProvider {
  switch (id) {
    case 'openai':
    case 'openai_compatible':
      return createOpenAiEmbeddings(creds, model, { id });
    case 'gemini':
      return createGeminiEmbeddings(creds, model);
  }
}
