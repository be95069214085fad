/**
 * A chatbot's AI settings: which provider answers, how retrieval works, and how its knowledge is
 * chunked. Shared by the dashboard (forms validate with these schemas) and the worker (reads them
 * through `readAiSettings`, which fills defaults for chatbots saved before a field existed).
 */
import { z } from 'zod';

export const CHAT_PROVIDERS = ['offline', 'openai', 'anthropic', 'gemini', 'replicate', 'openai_compatible'] as const;
export type ChatProviderId = (typeof CHAT_PROVIDERS)[number];

export const EMBEDDING_PROVIDERS = ['local', 'openai', 'gemini', 'openai_compatible'] as const;
export type EmbeddingProviderId = (typeof EMBEDDING_PROVIDERS)[number];

/** The model a provider uses when the owner has not picked one. */
export const DEFAULT_CHAT_MODELS: Record<ChatProviderId, string> = {
  offline: 'sapa-offline',
  openai: 'gpt-4o-mini',
  anthropic: 'claude-3-5-haiku-latest',
  gemini: 'gemini-2.0-flash',
  replicate: 'meta/meta-llama-3-8b-instruct',
  openai_compatible: 'llama3.1',
};

export const DEFAULT_EMBEDDING_MODELS: Record<EmbeddingProviderId, string> = {
  /** Bumped whenever the local embedding's features change (workflows/src/rag/embed/local.ts). */
  local: 'sapa-local-v2',
  openai: 'text-embedding-3-small',
  gemini: 'text-embedding-004',
  openai_compatible: 'nomic-embed-text',
};

export const PROMPT_TEMPLATES = ['toko_online', 'restoran', 'klinik', 'properti', 'jasa', 'custom'] as const;
export type PromptTemplateId = (typeof PROMPT_TEMPLATES)[number];

const providerRef = z.object({
  provider: z.enum(CHAT_PROVIDERS),
  model: z.string().trim().max(200).default(''),
  /** OpenAI-compatible endpoints only (Ollama, vLLM, LM Studio, Groq…). */
  baseUrl: z.string().url().optional(),
});

export const aiSettingsSchema = providerRef.extend({
  temperature: z.number().min(0).max(2).default(0.2),
  maxTokens: z.number().int().min(16).max(8192).default(512),
  promptTemplate: z.enum(PROMPT_TEMPLATES).default('toko_online'),
  /** Extra instructions from the owner; the grounding rules always come first and cannot be overridden. */
  systemPrompt: z.string().max(4000).default(''),
  /** Used when the main provider keeps failing; none means a polite handoff instead. */
  fallback: providerRef.nullable().default(null),
});
export type AiSettings = z.infer<typeof aiSettingsSchema>;

export const retrievalSettingsSchema = z.object({
  topK: z.number().int().min(1).max(20).default(5),
  /** Lowest combined (dense + BM25) score a passage needs, 0–1. */
  minScore: z.number().min(0).max(1).default(0.3),
  /** Chunk size and overlap in tokens, used when a source is (re)processed. */
  chunkTokens: z.number().int().min(64).max(2000).default(350),
  chunkOverlap: z.number().int().min(0).max(500).default(50),
  embeddingProvider: z.enum(EMBEDDING_PROVIDERS).default('local'),
  embeddingModel: z.string().trim().max(200).default(''),
  embeddingBaseUrl: z.string().url().optional(),
});
export type RetrievalSettings = z.infer<typeof retrievalSettingsSchema>;

export const DEFAULT_AI_SETTINGS: AiSettings = aiSettingsSchema.parse({ provider: 'offline' });
export const DEFAULT_RETRIEVAL_SETTINGS: RetrievalSettings = retrievalSettingsSchema.parse({});

/** A chatbot's stored settings with defaults filled in (older chatbots have none). */
export function readAiSettings(chatbot: { ai?: unknown; retrieval?: unknown }): { ai: AiSettings; retrieval: RetrievalSettings } {
  const ai = aiSettingsSchema.safeParse(chatbot.ai ?? { provider: 'offline' });
  const retrieval = retrievalSettingsSchema.safeParse(chatbot.retrieval ?? {});
  return {
    ai: ai.success ? withDefaultModel(ai.data) : DEFAULT_AI_SETTINGS,
    retrieval: retrieval.success ? retrieval.data : DEFAULT_RETRIEVAL_SETTINGS,
  };
}

function withDefaultModel(ai: AiSettings): AiSettings {
  const fallback = ai.fallback ? { ...ai.fallback, model: ai.fallback.model || DEFAULT_CHAT_MODELS[ai.fallback.provider] } : null;
  return { ...ai, model: ai.model || DEFAULT_CHAT_MODELS[ai.provider], fallback };
}

export function embeddingModelOf(retrieval: RetrievalSettings): string {
  return retrieval.embeddingModel || DEFAULT_EMBEDDING_MODELS[retrieval.embeddingProvider];
}
