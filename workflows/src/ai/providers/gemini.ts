/**
 * Google Gemini adapters (Gemini Developer API) with the official `@google/genai` SDK: chat via
 * generateContent (the system prompt as `systemInstruction`, the assistant's turns as role
 * `model`) and embeddings via `models.embedContent`, which the SDK sends as
 * `:batchEmbedContents` with a task type that tells documents from queries.
 */
import { GoogleGenAI, type Content, type GenerateContentResponse } from '@google/genai';
import { ProviderError, type ChatProvider, type ChatRequest, type ChatResult, type EmbeddingProvider, type EmbeddingResult, type ProviderCredentials } from '../types';
import { fromGeminiError } from './errors';

/** A backstop only: the router aborts each attempt through `signal` well before this. */
const REQUEST_TIMEOUT_MS = 120_000;

/**
 * Gemini 2.5 Flash models think by default, and thinking tokens count against `maxOutputTokens`:
 * a short customer answer could be cut off by the thinking. These models allow turning it off.
 */
const canSkipThinking = (model: string) => /^gemini-2\.5-flash/.test(model);

/** The API's limit of requests in one batchEmbedContents call. */
const EMBEDDING_BATCH = 100;

export function createGeminiChat(creds: ProviderCredentials): ChatProvider {
  const { client, apiKey } = geminiClient(creds);

  return {
    id: 'gemini',
    async chat(request: ChatRequest): Promise<ChatResult> {
      const contents: Content[] = request.messages
        .filter((turn) => turn.content.trim() !== '')
        .map((turn) => ({ role: turn.role === 'assistant' ? 'model' : 'user', parts: [{ text: turn.content }] }));
      if (contents.length === 0) throw new ProviderError('bad_request', 'gemini: the conversation has no messages', { provider: 'gemini' });
      let response: GenerateContentResponse;
      try {
        response = await client.models.generateContent({
          model: request.model,
          contents,
          config: {
            ...(request.system ? { systemInstruction: request.system } : {}),
            temperature: request.temperature,
            maxOutputTokens: request.maxTokens,
            ...(canSkipThinking(request.model) ? { thinkingConfig: { thinkingBudget: 0 } } : {}),
            ...(request.signal ? { abortSignal: request.signal } : {}),
          },
        });
      } catch (error) {
        throw fromGeminiError(error, { provider: 'gemini', apiKey });
      }
      const candidate = response.candidates?.[0];
      if (!candidate) {
        // No candidate at all: the prompt itself was blocked. Retrying the same prompt will not help.
        const reason = response.promptFeedback?.blockReason ?? 'no candidates';
        throw new ProviderError('bad_request', `gemini: no answer (${reason})`, { provider: 'gemini' });
      }
      // Read the parts directly: the SDK's `text` getter warns about non-text parts on the console.
      const text = (candidate.content?.parts ?? [])
        .filter((part) => typeof part.text === 'string' && !part.thought)
        .map((part) => part.text)
        .join('');
      return {
        text,
        inputTokens: response.usageMetadata?.promptTokenCount ?? 0,
        outputTokens: response.usageMetadata?.candidatesTokenCount ?? 0,
        model: response.modelVersion || request.model,
      };
    },
  };
}

export function createGeminiEmbeddings(creds: ProviderCredentials, model: string): EmbeddingProvider {
  const { client, apiKey } = geminiClient(creds);

  async function embedBatch(texts: string[], purpose: 'document' | 'query'): Promise<number[][]> {
    try {
      const response = await client.models.embedContent({
        model,
        contents: texts,
        config: { taskType: purpose === 'query' ? 'RETRIEVAL_QUERY' : 'RETRIEVAL_DOCUMENT' },
      });
      const vectors = (response.embeddings ?? []).map((embedding) => embedding.values ?? []);
      if (vectors.length !== texts.length || vectors.some((v) => v.length === 0)) {
        throw new ProviderError('server', `gemini: expected ${texts.length} embeddings, got ${vectors.length}`, { provider: 'gemini' });
      }
      return vectors;
    } catch (error) {
      throw fromGeminiError(error, { provider: 'gemini', apiKey });
    }
  }

  return {
    id: 'gemini',
    model,
    async embed(texts: string[], purpose: 'document' | 'query'): Promise<EmbeddingResult> {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += EMBEDDING_BATCH) {
        vectors.push(...(await embedBatch(texts.slice(start, start + EMBEDDING_BATCH), purpose)));
      }
      // batchEmbedContents reports no token usage; about four characters per token is Google's own rule of thumb.
      const tokens = texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
      return { vectors, tokens };
    },
  };
}

function geminiClient(creds: ProviderCredentials): { client: GoogleGenAI; apiKey: string } {
  const apiKey = creds.apiKey;
  if (!apiKey) throw new ProviderError('not_configured', 'gemini: no API key is set', { provider: 'gemini' });
  const client = new GoogleGenAI({
    apiKey,
    // The Developer API, whatever GOOGLE_GENAI_USE_VERTEXAI says.
    vertexai: false,
    // No `retryOptions`: the SDK then makes one attempt; the router retries.
    httpOptions: { ...(creds.baseUrl ? { baseUrl: creds.baseUrl } : {}), timeout: REQUEST_TIMEOUT_MS },
  });
  return { client, apiKey };
}
