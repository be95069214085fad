/**
 * The chatbot pages' form validation, free of the database and Temporal so it can be tested on
 * its own: a new chatbot, the AI and retrieval settings (validated with the shared schemas the
 * worker reads them with) and the playground's question with the transcript the page carries
 * between posts.
 */
import { z } from 'zod';
import {
  aiSettingsSchema,
  retrievalSettingsSchema,
  t,
  type AiSettings,
  type Locale,
  type MessageKey,
  type RetrievalSettings,
} from '@sapa/shared';
import { newChatbotSchema } from '@sapa/shared/chatbots';
import { parseForm, type FieldErrors, type FormResult } from './forms.server';
import { formFields, isHttpUrl } from './knowledge-forms.server';
import { PLAYGROUND_LIMITS } from './knowledge-limits';

export interface NewChatbotFields {
  name: string;
  language: Locale;
}

/** The "New chatbot" form: a name and the bot's language (the shared schema `createChatbot` applies). */
export function parseNewChatbot(form: FormData, locale: Locale): FormResult<NewChatbotFields> {
  const parsed = parseForm(newChatbotSchema.pick({ name: true, language: true }), form, locale);
  return parsed.ok ? { ok: true, value: { name: parsed.value.name, language: parsed.value.language } } : parsed;
}

/** The settings form's fields, as the page names them. */
export const SETTINGS_FIELDS = [
  'provider',
  'model',
  'baseUrl',
  'temperature',
  'maxTokens',
  'promptTemplate',
  'systemPrompt',
  'fallbackProvider',
  'fallbackModel',
  'fallbackBaseUrl',
  'topK',
  'minScore',
  'chunkTokens',
  'chunkOverlap',
  'embeddingProvider',
  'embeddingModel',
  'embeddingBaseUrl',
] as const;
export type SettingsField = (typeof SETTINGS_FIELDS)[number];
export type SettingsValues = Partial<Record<SettingsField, string>>;

/** What each field's error says; the shared schemas' own messages are not in the catalog. */
const FIELD_MESSAGES: Record<SettingsField, MessageKey> = {
  provider: 'error.validation',
  model: 'chatbot.error.model',
  baseUrl: 'chatbot.error.baseUrl',
  temperature: 'chatbot.error.temperature',
  maxTokens: 'chatbot.error.maxTokens',
  promptTemplate: 'error.validation',
  systemPrompt: 'chatbot.error.systemPrompt',
  fallbackProvider: 'error.validation',
  fallbackModel: 'chatbot.error.model',
  fallbackBaseUrl: 'chatbot.error.baseUrl',
  topK: 'chatbot.error.topK',
  minScore: 'chatbot.error.minScore',
  chunkTokens: 'chatbot.error.chunkTokens',
  chunkOverlap: 'chatbot.error.chunkOverlap',
  embeddingProvider: 'error.validation',
  embeddingModel: 'chatbot.error.model',
  embeddingBaseUrl: 'chatbot.error.baseUrl',
};

export type SettingsFormResult =
  | { ok: true; ai: AiSettings; retrieval: RetrievalSettings }
  | { ok: false; fieldErrors: FieldErrors; values: SettingsValues };

/** An empty number field is "use the default"; anything else must read as a number. */
function numberOrDefault(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return Number(value.trim().replace(',', '.'));
}

const textOrUndefined = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** A schema path to the form field it came from (`fallback.model` is `fallbackModel`). */
function fieldOfAiPath(path: PropertyKey[]): SettingsField {
  const [first, second] = path.map(String);
  if (first === 'fallback') return second === 'model' ? 'fallbackModel' : second === 'baseUrl' ? 'fallbackBaseUrl' : 'fallbackProvider';
  return (SETTINGS_FIELDS as readonly string[]).includes(first ?? '') ? (first as SettingsField) : 'provider';
}

function fieldOfRetrievalPath(path: PropertyKey[]): SettingsField {
  const first = String(path[0] ?? '');
  return (SETTINGS_FIELDS as readonly string[]).includes(first) ? (first as SettingsField) : 'topK';
}

/**
 * The settings form into the stored shapes. An OpenAI-compatible endpoint needs its base URL
 * (there is no default host), and a base URL is kept only for that provider; base URLs must be
 * http(s). The chunk overlap must be smaller than the chunk.
 */
export function parseChatbotSettings(form: FormData, locale: Locale): SettingsFormResult {
  const fields = formFields(form) as Record<string, string>;
  const values: SettingsValues = {};
  for (const field of SETTINGS_FIELDS) if (typeof fields[field] === 'string') values[field] = fields[field];
  const fieldErrors: FieldErrors = {};
  const fail = (field: SettingsField, key: MessageKey = FIELD_MESSAGES[field]) => {
    fieldErrors[field] ??= t(locale, key);
  };

  const provider = fields.provider ?? '';
  const fallbackProvider = fields.fallbackProvider ?? 'none';
  const compatibleUrl = (providerId: string, field: 'baseUrl' | 'fallbackBaseUrl' | 'embeddingBaseUrl') => {
    if (providerId !== 'openai_compatible') return undefined;
    const url = textOrUndefined(fields[field]);
    if (!url) fail(field, 'chatbot.error.baseUrlRequired');
    else if (!isHttpUrl(url)) fail(field);
    return url;
  };

  const ai = aiSettingsSchema.safeParse({
    provider,
    model: fields.model ?? '',
    baseUrl: compatibleUrl(provider, 'baseUrl'),
    temperature: numberOrDefault(fields.temperature),
    maxTokens: numberOrDefault(fields.maxTokens),
    promptTemplate: fields.promptTemplate || undefined,
    systemPrompt: (fields.systemPrompt ?? '').trim(),
    fallback:
      fallbackProvider === 'none' || fallbackProvider === ''
        ? null
        : { provider: fallbackProvider, model: fields.fallbackModel ?? '', baseUrl: compatibleUrl(fallbackProvider, 'fallbackBaseUrl') },
  });
  if (!ai.success) for (const issue of ai.error.issues) fail(fieldOfAiPath(issue.path));

  const embeddingProvider = fields.embeddingProvider ?? 'local';
  const retrieval = retrievalSettingsSchema.safeParse({
    topK: numberOrDefault(fields.topK),
    minScore: numberOrDefault(fields.minScore),
    chunkTokens: numberOrDefault(fields.chunkTokens),
    chunkOverlap: numberOrDefault(fields.chunkOverlap),
    embeddingProvider,
    embeddingModel: fields.embeddingModel ?? '',
    embeddingBaseUrl: compatibleUrl(embeddingProvider, 'embeddingBaseUrl'),
  });
  if (!retrieval.success) for (const issue of retrieval.error.issues) fail(fieldOfRetrievalPath(issue.path));
  if (retrieval.success && retrieval.data.chunkOverlap >= retrieval.data.chunkTokens) fail('chunkOverlap');

  if (!ai.success || !retrieval.success || Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors, values };
  return { ok: true, ai: ai.data, retrieval: retrieval.data };
}

/** Whether new retrieval settings change how sources are chunked or embedded (they need a reprocess). */
export function needsReprocess(before: RetrievalSettings, after: RetrievalSettings): boolean {
  return (
    before.chunkTokens !== after.chunkTokens ||
    before.chunkOverlap !== after.chunkOverlap ||
    before.embeddingProvider !== after.embeddingProvider ||
    (before.embeddingModel ?? '') !== (after.embeddingModel ?? '') ||
    (before.embeddingBaseUrl ?? '') !== (after.embeddingBaseUrl ?? '')
  );
}

const turnSchema = z.object({ author: z.enum(['customer', 'bot']), text: z.string().max(PLAYGROUND_LIMITS.turnChars) });
export type PlaygroundTurn = z.infer<typeof turnSchema>;
const transcriptSchema = z.array(turnSchema).max(PLAYGROUND_LIMITS.turns);

export type PlaygroundFormResult =
  | { ok: true; question: string; transcript: PlaygroundTurn[] }
  | { ok: false; fieldErrors: FieldErrors; transcript: PlaygroundTurn[] };

/** The transcript from the hidden field; anything malformed reads as an empty one. */
export function parseTranscript(raw: FormDataEntryValue | null): PlaygroundTurn[] | null {
  if (raw === null || raw === '') return [];
  if (typeof raw !== 'string' || raw.length > PLAYGROUND_LIMITS.transcriptChars) return null;
  try {
    const parsed = transcriptSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function parsePlaygroundForm(form: FormData, locale: Locale): PlaygroundFormResult {
  const transcript = parseTranscript(form.get('transcript'));
  if (transcript === null) return { ok: false, fieldErrors: { form: t(locale, 'error.validation') }, transcript: [] };
  const raw = form.get('question');
  const question = typeof raw === 'string' ? raw.trim() : '';
  if (!question) return { ok: false, fieldErrors: { question: t(locale, 'playground.questionRequired') }, transcript };
  if (question.length > PLAYGROUND_LIMITS.questionChars) return { ok: false, fieldErrors: { question: t(locale, 'error.messageTooLong') }, transcript };
  return { ok: true, question, transcript };
}

/** The transcript after one more exchange, cut to the newest turns. */
export function appendTurns(transcript: PlaygroundTurn[], ...turns: PlaygroundTurn[]): PlaygroundTurn[] {
  const next = [...transcript, ...turns.map((turn) => ({ ...turn, text: turn.text.slice(0, PLAYGROUND_LIMITS.turnChars) }))];
  return next.slice(-PLAYGROUND_LIMITS.turns);
}
