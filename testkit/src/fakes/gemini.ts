/**
 * A wire-faithful fake of the Gemini Developer API (generativelanguage.googleapis.com) for what
 * `@google/genai` calls: `POST /v1beta/models/{model}:generateContent`, `:batchEmbedContents`
 * (what `ai.models.embedContent` sends) and `:embedContent`. The key comes in `x-goog-api-key`
 * (or `?key=`); bodies are checked like Google's JSON mapping does (unknown fields, roles, empty
 * parts, 100 requests per batch); errors use Google's envelope `{ error: { code, message, status, details } }`.
 *
 * Like the real API, a missing key is 403 PERMISSION_DENIED and a wrong key is
 * 400 INVALID_ARGUMENT with an ErrorInfo reason `API_KEY_INVALID`; a 429 carries its wait in a
 * `google.rpc.RetryInfo` detail, not in a header.
 *
 * Simplifications: text parts only, no streaming, no tools; models are all accepted unless
 * `models` lists the ones that exist (embedding models are those whose name contains `embedding`).
 */
import {
  deterministicEmbedding,
  estimateTokens,
  isRecord,
  limitToTokens,
  parseJsonBody,
  randomId,
  startAiFakeServer,
  type FakeAiControls,
  type FakeAiFailure,
  type FakeAiIncoming,
  type FakeAiReply,
  type FakeChatPrompt,
  type FakeChatResponder,
} from './ai-fake-kit';

export interface FakeGeminiOptions {
  /** The key clients must send. Default {@link FAKE_GEMINI_KEY}. */
  apiKey?: string;
  /** Models that exist (without `models/`); others get 404 NOT_FOUND. Default: every model exists. */
  models?: string[];
}

export interface FakeGemini extends FakeAiControls {
  apiKey: string;
}

export const FAKE_GEMINI_KEY = 'test-gemini-key-for-the-fake-00000000';

type Json = Record<string, unknown>;

const BATCH_LIMIT = 100;
const TASK_TYPES = [
  'TASK_TYPE_UNSPECIFIED',
  'RETRIEVAL_QUERY',
  'RETRIEVAL_DOCUMENT',
  'SEMANTIC_SIMILARITY',
  'CLASSIFICATION',
  'CLUSTERING',
  'QUESTION_ANSWERING',
  'FACT_VERIFICATION',
  'CODE_RETRIEVAL_QUERY',
];
const EMBEDDING_DIMENSIONS: Record<string, number> = {
  'text-embedding-004': 768,
  'embedding-001': 768,
  'gemini-embedding-001': 3072,
};
const DEFAULT_EMBEDDING_DIMENSIONS = 768;

const GENERATE_FIELDS = new Set(['contents', 'systemInstruction', 'generationConfig', 'safetySettings', 'tools', 'toolConfig', 'cachedContent', 'labels']);
const GENERATION_CONFIG_FIELDS = new Set([
  'temperature',
  'topP',
  'topK',
  'candidateCount',
  'maxOutputTokens',
  'stopSequences',
  'presencePenalty',
  'frequencyPenalty',
  'seed',
  'responseMimeType',
  'responseSchema',
  'thinkingConfig',
]);
const EMBED_REQUEST_FIELDS = new Set(['model', 'content', 'taskType', 'title', 'outputDimensionality']);

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

class GoogleError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: Json[],
  ) {
    super(message);
  }

  reply(): FakeAiReply {
    return {
      status: this.code,
      body: { error: { code: this.code, message: this.message, status: STATUS_NAMES[this.code] ?? 'UNKNOWN', ...(this.details ? { details: this.details } : {}) } },
      headers: { 'content-type': 'application/json; charset=UTF-8' },
    };
  }
}

const invalid = (message: string, details?: Json[]) => new GoogleError(400, message, details);
const unknownField = (name: string, at = '') => invalid(`Invalid JSON payload received. Unknown name "${name}"${at ? ` at '${at}'` : ''}: Cannot find field.`);

export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const apiKey = options.apiKey ?? FAKE_GEMINI_KEY;
  const models = options.models ? new Set(options.models) : undefined;

  function handle(request: FakeAiIncoming, answer: FakeChatResponder): FakeAiReply {
    try {
      const route = /^\/(v1|v1beta)\/models\/([^/:]+):([A-Za-z]+)$/.exec(request.path);
      if (request.method !== 'POST' || !route) throw new GoogleError(404, `Method not found: ${request.method} ${request.path}`);
      const [, version = 'v1beta', model = '', method = ''] = route;
      checkKey(request);
      if (!['generateContent', 'embedContent', 'batchEmbedContents'].includes(method)) throw new GoogleError(404, 'Method not found.');
      const isEmbeddingModel = model.includes('embedding');
      if ((models && !models.has(model)) || isEmbeddingModel !== (method !== 'generateContent')) {
        throw new GoogleError(
          404,
          `models/${model} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
        );
      }
      const body = parseJsonBody(request.rawBody);
      if (!isRecord(body)) throw invalid('Invalid JSON payload received. Unexpected token.');
      const result =
        method === 'generateContent' ? generateContent(model, body, answer) : method === 'embedContent' ? embedContent(model, body) : batchEmbedContents(model, body);
      return { status: 200, body: result, headers: { 'content-type': 'application/json; charset=UTF-8' } };
    } catch (error) {
      if (error instanceof GoogleError) return error.reply();
      throw error;
    }
  }

  function checkKey(request: FakeAiIncoming): void {
    const header = request.headers['x-goog-api-key'];
    const given = (typeof header === 'string' ? header : undefined) ?? request.query.get('key') ?? undefined;
    if (!given) {
      throw new GoogleError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }
    if (given !== apiKey) {
      throw invalid('API key not valid. Please pass a valid API key.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
          metadata: { service: 'generativelanguage.googleapis.com' },
        },
      ]);
    }
  }

  const server = await startAiFakeServer({
    credentialHeaders: ['x-goog-api-key', 'authorization'],
    credentialQuery: ['key'],
    basePath: '',
    handle,
    failureReply: geminiFailure,
  });
  return Object.assign(server, { apiKey });
}

function generateContent(model: string, body: Json, answer: FakeChatResponder): Json {
  for (const field of Object.keys(body)) if (!GENERATE_FIELDS.has(field)) throw unknownField(field);
  if (!Array.isArray(body.contents) || body.contents.length === 0) throw invalid('* GenerateContentRequest.contents: contents is not specified\n');
  const messages = body.contents.map((content: unknown, i): FakeChatPrompt['messages'][number] => {
    const where = `contents[${i}]`;
    if (!isRecord(content)) throw invalid(`Invalid value at '${where}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)`);
    const role = content.role ?? 'user';
    if (role !== 'user' && role !== 'model') throw invalid('Please use a valid role: user, model.');
    return { role: role === 'model' ? 'assistant' : 'user', content: partsText(content.parts, `GenerateContentRequest.${where}`) };
  });
  const system = body.systemInstruction === undefined ? '' : systemText(body.systemInstruction);
  const config = isRecord(body.generationConfig) ? body.generationConfig : {};
  for (const field of Object.keys(config)) if (!GENERATION_CONFIG_FIELDS.has(field)) throw unknownField(field, 'generation_config');
  if (config.temperature !== undefined && (typeof config.temperature !== 'number' || config.temperature < 0 || config.temperature > 2)) {
    throw invalid('* GenerateContentRequest.generation_config.temperature: temperature must be in the range [0.0, 2.0]\n');
  }
  if (config.maxOutputTokens !== undefined && (!Number.isInteger(config.maxOutputTokens) || (config.maxOutputTokens as number) < 1)) {
    throw invalid('* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.\n');
  }

  const { text, truncated } = limitToTokens(answer({ model, system, messages, body }), config.maxOutputTokens as number | undefined);
  const promptTokens = estimateTokens([system, ...messages.map((m) => m.content)].join('\n'));
  const candidateTokens = estimateTokens(text);
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: truncated ? 'MAX_TOKENS' : 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: promptTokens,
      candidatesTokenCount: candidateTokens,
      totalTokenCount: promptTokens + candidateTokens,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
    },
    modelVersion: model,
    responseId: randomId('', 22),
  };
}

function systemText(value: unknown): string {
  if (!isRecord(value)) throw invalid("Invalid value at 'system_instruction' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)");
  return partsText(value.parts, 'GenerateContentRequest.system_instruction');
}

function partsText(parts: unknown, where: string): string {
  if (!Array.isArray(parts) || parts.length === 0) throw invalid(`* ${where}.parts: contents.parts must not be empty.\n`);
  return parts
    .map((part: unknown, i) => {
      if (!isRecord(part) || typeof part.text !== 'string') throw invalid(`* ${where}.parts[${i}]: this fake only accepts text parts ({ text }).\n`);
      if (part.text === '') throw invalid('Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again.');
      return part.text;
    })
    .join('');
}

function batchEmbedContents(model: string, body: Json): Json {
  for (const field of Object.keys(body)) if (field !== 'requests') throw unknownField(field);
  if (!Array.isArray(body.requests) || body.requests.length === 0) throw invalid('* BatchEmbedContentsRequest.requests: requests is not specified\n');
  if (body.requests.length > BATCH_LIMIT) throw invalid(`* BatchEmbedContentsRequest.requests: at most ${BATCH_LIMIT} requests can be in one batch\n`);
  return {
    embeddings: body.requests.map((request: unknown, i) => {
      if (!isRecord(request)) throw invalid(`Invalid value at 'requests[${i}]' (type.googleapis.com/google.ai.generativelanguage.v1beta.EmbedContentRequest)`);
      if (request.model !== `models/${model}`) {
        throw invalid(`* BatchEmbedContentsRequest.requests[${i}].model: Model "${String(request.model)}" does not match the batch model "models/${model}".\n`);
      }
      return { values: embedOne(model, request, `requests[${i}]`) };
    }),
  };
}

function embedContent(model: string, body: Json): Json {
  return { embedding: { values: embedOne(model, body, '') } };
}

function embedOne(model: string, request: Json, at: string): number[] {
  const prefix = at ? `${at}.` : '';
  for (const field of Object.keys(request)) if (!EMBED_REQUEST_FIELDS.has(field)) throw unknownField(field, at);
  if (!isRecord(request.content)) throw invalid(`* EmbedContentRequest.${prefix}content: content is not specified\n`);
  const text = partsText(request.content.parts, `EmbedContentRequest.${prefix}content`);
  if (request.taskType !== undefined && (typeof request.taskType !== 'string' || !TASK_TYPES.includes(request.taskType))) {
    throw invalid(`Invalid value at '${prefix}task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), "${String(request.taskType)}"`);
  }
  if (request.title !== undefined && request.taskType !== 'RETRIEVAL_DOCUMENT') {
    throw invalid('* EmbedContentRequest.title: Title is only applicable when task type is RETRIEVAL_DOCUMENT.\n');
  }
  const native = EMBEDDING_DIMENSIONS[model] ?? DEFAULT_EMBEDDING_DIMENSIONS;
  let dimensions = native;
  if (request.outputDimensionality !== undefined) {
    const wanted = request.outputDimensionality;
    if (typeof wanted !== 'number' || !Number.isInteger(wanted) || wanted < 1 || wanted > native) {
      throw invalid(`* EmbedContentRequest.${prefix}output_dimensionality: output_dimensionality must be between 1 and ${native}.\n`);
    }
    dimensions = wanted;
  }
  return deterministicEmbedding(text, dimensions);
}

/** Google's envelope for a scripted failure; a 429 says when to retry in a RetryInfo detail. */
function geminiFailure(failure: FakeAiFailure): FakeAiReply {
  if (failure.status === 429) {
    return new GoogleError(
      429,
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
      [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
        },
        { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
        ...(failure.retryAfterSeconds !== undefined ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${failure.retryAfterSeconds}s` }] : []),
      ],
    ).reply();
  }
  if (failure.status === 503) return new GoogleError(503, 'The model is overloaded. Please try again later.').reply();
  if (failure.status >= 500) {
    return new GoogleError(failure.status, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting').reply();
  }
  return new GoogleError(failure.status, `Scripted failure ${failure.status}.`).reply();
}
