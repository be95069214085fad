/**
 * OpenAI adapters: chat through the Chat Completions API and embeddings through the Embeddings
 * API, with the official `openai` SDK. The same code serves OpenAI-compatible endpoints (Ollama,
 * vLLM, LM Studio, Groq…), which differ only in base URL and an optional key.
 */
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { ProviderError, type ChatProvider, type ChatRequest, type ChatResult, type EmbeddingProvider, type EmbeddingResult, type ProviderCredentials } from '../types';
import { fromOpenAiError } from './errors';

export type OpenAiFlavour = 'openai' | 'openai_compatible';

export interface OpenAiProviderOptions {
  id?: OpenAiFlavour;
}

/** Sent when an OpenAI-compatible server needs no key (Ollama): the SDK insists on one. */
const PLACEHOLDER_KEY = 'no-key';

/**
 * A backstop only: the router aborts each attempt through `signal` well before this. The SDK's
 * own default is 10 minutes.
 */
const REQUEST_TIMEOUT_MS = 120_000;

/** Reasoning models (o1, o3, o4-mini, gpt-5…) refuse `max_tokens` and any temperature but the default. */
const isReasoningModel = (model: string) => /^(o\d|gpt-5)/.test(model);

/** Inputs per embeddings request: well under OpenAI's 2048 inputs and 300k tokens per request. */
const EMBEDDING_BATCH = 256;

export function createOpenAiChat(creds: ProviderCredentials, opts: OpenAiProviderOptions = {}): ChatProvider {
  const id = opts.id ?? 'openai';
  const { client, apiKey } = openAiClient(creds, id);

  return {
    id,
    async chat(request: ChatRequest): Promise<ChatResult> {
      const messages: ChatCompletionMessageParam[] = [
        ...(request.system ? [{ role: 'system' as const, content: request.system }] : []),
        ...request.messages.map((turn) => ({ role: turn.role, content: turn.content })),
      ];
      const reasoning = id === 'openai' && isReasoningModel(request.model);
      try {
        const completion = await client.chat.completions.create(
          {
            model: request.model,
            messages,
            // OpenAI itself takes `max_completion_tokens` (required by reasoning models);
            // compatible servers (Ollama, older vLLM) only know `max_tokens`.
            ...(id === 'openai' ? { max_completion_tokens: request.maxTokens } : { max_tokens: request.maxTokens }),
            ...(reasoning ? {} : { temperature: request.temperature }),
          },
          { signal: request.signal },
        );
        const choice = completion.choices[0];
        if (!choice) throw new ProviderError('server', `${id}: the response had no choices`, { provider: id });
        return {
          text: choice.message.content ?? '',
          inputTokens: completion.usage?.prompt_tokens ?? 0,
          outputTokens: completion.usage?.completion_tokens ?? 0,
          model: completion.model || request.model,
        };
      } catch (error) {
        throw fromOpenAiError(error, { provider: id, apiKey });
      }
    },
  };
}

export function createOpenAiEmbeddings(creds: ProviderCredentials, model: string, opts: OpenAiProviderOptions = {}): EmbeddingProvider {
  const id = opts.id ?? 'openai';
  const { client, apiKey } = openAiClient(creds, id);

  return {
    id,
    model,
    async embed(texts: string[]): Promise<EmbeddingResult> {
      const vectors: number[][] = [];
      let tokens = 0;
      for (let start = 0; start < texts.length; start += EMBEDDING_BATCH) {
        const batch = texts.slice(start, start + EMBEDDING_BATCH);
        const result = await embedBatch(batch);
        vectors.push(...result.vectors);
        tokens += result.tokens;
      }
      return { vectors, tokens };
    },
  };

  async function embedBatch(texts: string[]): Promise<EmbeddingResult> {
    try {
      const response = await client.embeddings.create({
        model,
        input: texts,
        // OpenAI answers base64 (the SDK's default, smaller on the wire); compatible servers
        // do not all support it, so they are asked for plain floats.
        ...(id === 'openai_compatible' ? { encoding_format: 'float' as const } : {}),
      });
      // `index` says whose vector each item is; do not rely on the order.
      const vectors = new Array<number[] | undefined>(texts.length).fill(undefined);
      for (const item of response.data) vectors[item.index] = item.embedding;
      if (!vectors.every((v): v is number[] => Array.isArray(v))) {
        throw new ProviderError('server', `${id}: expected ${texts.length} embeddings, got ${response.data.length}`, { provider: id });
      }
      return { vectors, tokens: response.usage?.prompt_tokens ?? 0 };
    } catch (error) {
      throw fromOpenAiError(error, { provider: id, apiKey });
    }
  }
}

function openAiClient(creds: ProviderCredentials, id: OpenAiFlavour): { client: OpenAI; apiKey: string | undefined } {
  if (id === 'openai' && !creds.apiKey) throw new ProviderError('not_configured', 'openai: no API key is set', { provider: id });
  if (id === 'openai_compatible' && !creds.baseUrl) {
    throw new ProviderError('not_configured', 'openai_compatible: no base URL is set', { provider: id });
  }
  const client = new OpenAI({
    apiKey: creds.apiKey || PLACEHOLDER_KEY,
    ...(creds.baseUrl ? { baseURL: creds.baseUrl } : {}),
    // Not read from the environment: the workspace's credentials are the only ones that apply.
    organization: null,
    project: null,
    // The router retries (with its own backoff and fallback); the SDK must not retry too.
    maxRetries: 0,
    timeout: REQUEST_TIMEOUT_MS,
  });
  return { client, apiKey: creds.apiKey };
}
