/**
 * Where each provider is reached and with which key. For now the operator's platform keys and
 * base URLs from config; a chatbot's OpenAI-compatible endpoint brings its own URL. (Workspaces'
 * own keys, bring-your-own-key, slot in here.)
 */
import type { ChatProviderId, Config, EmbeddingProviderId } from '@sapa/shared';
import type { ProviderCredentials } from './types';


/** `offline` and `local` run in process: they need nothing. */
export function platformCredentials(config: Config, provider: ChatProviderId | EmbeddingProviderId, baseUrl?: string): ProviderCredentials {
  const withKey = (apiKey: string | undefined, url: string): ProviderCredentials => ({ ...(apiKey ? { apiKey } : {}), baseUrl: url });
  switch (provider) {
    case 'openai':
      return withKey(config.OPENAI_API_KEY, config.OPENAI_BASE_URL);
    case 'anthropic':
      return withKey(config.ANTHROPIC_API_KEY, config.ANTHROPIC_BASE_URL);
    case 'gemini':
      return withKey(config.GEMINI_API_KEY, config.GEMINI_BASE_URL);
    case 'replicate':
      return withKey(config.REPLICATE_API_TOKEN, config.REPLICATE_BASE_URL);
    case 'offline':
    case 'local':
      return {};
    case 'openai_compatible':
      // Ollama and LM Studio need no key; Groq or a secured vLLM use OPENAI_COMPATIBLE_API_KEY.
      return { ...(config.OPENAI_COMPATIBLE_API_KEY ? { apiKey: config.OPENAI_COMPATIBLE_API_KEY } : {}), ...(baseUrl ? { baseUrl } : {}) };
  }
}
