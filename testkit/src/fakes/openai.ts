/**
 * A wire-faithful fake of OpenAI's REST API for the two endpoints Sapa uses:
 * `POST /v1/chat/completions` and `POST /v1/embeddings`. It checks Bearer auth, the request body
 * the way OpenAI does (required fields, types, ranges, parameters newer models reject) and
 * answers with OpenAI's response shapes and error envelope `{ error: { message, type, param, code } }`.
 *
 * The same server stands in for OpenAI-compatible endpoints (Ollama, vLLM): `apiKey: null`
 * turns the auth check off, as Ollama has none.
 *
 * Simplifications: no streaming (a `stream: true` request is refused with a 400), text content
 * only, no tools; models are all accepted unless `models` lists the ones that exist.
 */
import {
  deterministicEmbedding,
  embeddingToBase64,
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

export interface FakeOpenAiOptions {
  /** The key clients must send as `Authorization: Bearer <key>`; `null` accepts any or none (Ollama). Default {@link FAKE_OPENAI_KEY}. */
  apiKey?: string | null;
  /** More keys the fake accepts (a workspace's own key beside the platform's). */
  extraApiKeys?: string[];
  /** Models that exist; others get OpenAI's 404 `model_not_found`. Default: every model exists. */
  models?: string[];
}

export interface FakeOpenAi extends FakeAiControls {
  /** The key the fake accepts (`null`: no auth check). */
  apiKey: string | null;
}

export const FAKE_OPENAI_KEY = 'test-openai-key-for-the-fake-0000000000';

type Json = Record<string, unknown>;

/** Native sizes of OpenAI's embedding models; other (compatible) models get 768 like nomic-embed-text. */
const EMBEDDING_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
const DEFAULT_COMPATIBLE_DIMENSIONS = 768;
const EMBEDDING_INPUT_LIMIT = 2048;
const MESSAGE_ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];

/** Reasoning models (o1, o3, o4-mini, gpt-5…) reject `max_tokens` and a non-default temperature. */
const isReasoningModel = (model: string) => /^(o\d|gpt-5)/.test(model);

class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  reply(): FakeAiReply {
    return {
      status: this.status,
      body: { error: { message: this.message, type: this.type, param: this.param, code: this.code } },
      headers: this.headers,
    };
  }
}

const invalid = (message: string, param: string | null = null, code: string | null = null) =>
  new OpenAiError(400, message, 'invalid_request_error', param, code);

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const apiKey = options.apiKey === undefined ? FAKE_OPENAI_KEY : options.apiKey;
  const models = options.models ? new Set(options.models) : undefined;

  function handle(request: FakeAiIncoming, answer: FakeChatResponder): FakeAiReply {
    try {
      const route = `${request.method} ${request.path}`;
      if (route !== 'POST /v1/chat/completions' && route !== 'POST /v1/embeddings') {
        throw new OpenAiError(404, `Invalid URL (${request.method} ${request.path})`, 'invalid_request_error');
      }
      checkAuth(request);
      const body = parseJsonBody(request.rawBody);
      if (!isRecord(body)) {
        throw invalid(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
        );
      }
      const result = request.path === '/v1/chat/completions' ? chatCompletion(body, answer) : embeddings(body);
      return { status: 200, body: result, headers: { 'x-request-id': randomId('req_', 32), 'openai-processing-ms': '42' } };
    } catch (error) {
      if (error instanceof OpenAiError) return error.reply();
      throw error;
    }
  }

  function checkAuth(request: FakeAiIncoming): void {
    if (apiKey === null) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match) {
      throw new OpenAiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        'invalid_request_error',
      );
    }
    const given = match[1] ?? '';
    if (given !== apiKey && !(options.extraApiKeys ?? []).includes(given)) {
      // OpenAI shows the first and last characters only.
      const masked = given.length > 8 ? `${given.slice(0, 3)}${'*'.repeat(given.length - 7)}${given.slice(-4)}` : '*'.repeat(given.length);
      throw new OpenAiError(
        401,
        `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        null,
        'invalid_api_key',
      );
    }
  }

  function checkModel(body: Json): string {
    const model = body.model;
    if (model === undefined || model === null || model === '') throw invalid('you must provide a model parameter');
    if (typeof model !== 'string') throw invalidType('model', 'a string', model);
    if (models && !models.has(model)) {
      throw new OpenAiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');
    }
    return model;
  }

  function chatCompletion(body: Json, answer: FakeChatResponder): Json {
    const model = checkModel(body);
    if (body.messages === undefined) throw invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
    if (!Array.isArray(body.messages)) throw invalidType('messages', 'an array', body.messages);
    if (body.messages.length === 0) {
      throw invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
    }
    const prompt: FakeChatPrompt = { model, system: '', messages: [], body };
    const systemParts: string[] = [];
    body.messages.forEach((message: unknown, i) => {
      const param = `messages[${i}]`;
      if (!isRecord(message)) throw invalidType(param, 'an object', message);
      if (message.role === undefined) throw invalid(`Missing required parameter: '${param}.role'.`, `${param}.role`, 'missing_required_parameter');
      if (typeof message.role !== 'string' || !MESSAGE_ROLES.includes(message.role)) {
        throw invalid(
          `Invalid value: '${String(message.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
          `${param}.role`,
          'invalid_value',
        );
      }
      if (message.content === undefined && message.role !== 'assistant') {
        throw invalid(`Missing required parameter: '${param}.content'.`, `${param}.content`, 'missing_required_parameter');
      }
      const content = contentText(message.content, `${param}.content`);
      if (message.role === 'system' || message.role === 'developer') systemParts.push(content);
      else if (message.role === 'user' || message.role === 'assistant') prompt.messages.push({ role: message.role, content });
    });
    prompt.system = systemParts.join('\n\n');

    if (body.stream === true) throw invalid('This fake does not implement streaming; send `stream: false`.', 'stream', 'unsupported_value');
    checkNumber(body, 'temperature', 0, 2, false);
    checkNumber(body, 'top_p', 0, 1, false);
    const maxTokens = checkNumber(body, 'max_tokens', 1, undefined, true);
    const maxCompletionTokens = checkNumber(body, 'max_completion_tokens', 1, undefined, true);
    if (isReasoningModel(model)) {
      if (maxTokens !== undefined) {
        throw invalid(
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          'max_tokens',
          'unsupported_parameter',
        );
      }
      if (body.temperature !== undefined && body.temperature !== 1) {
        throw invalid(
          `Unsupported value: 'temperature' does not support ${String(body.temperature)} with this model. Only the default (1) value is supported.`,
          'temperature',
          'unsupported_value',
        );
      }
    }

    const { text, truncated } = limitToTokens(answer(prompt), maxCompletionTokens ?? maxTokens);
    const promptTokens = estimateTokens([prompt.system, ...prompt.messages.map((m) => m.content)].join('\n'));
    const completionTokens = estimateTokens(text);
    return {
      id: randomId('chatcmpl-', 29),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: resolvedModel(model),
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: truncated ? 'length' : 'stop',
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      service_tier: 'default',
      system_fingerprint: randomId('fp_', 10),
    };
  }

  function embeddings(body: Json): Json {
    const model = checkModel(body);
    if (body.input === undefined) throw invalid("'input' is a required property");
    const inputs = embeddingInputs(body.input);
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      throw invalid(`Invalid value: '${String(format)}'. Supported values are: 'float' and 'base64'.`, 'encoding_format', 'invalid_value');
    }
    const native = EMBEDDING_DIMENSIONS[model] ?? DEFAULT_COMPATIBLE_DIMENSIONS;
    let dimensions = native;
    if (body.dimensions !== undefined) {
      if (model === 'text-embedding-ada-002') throw invalid('This model does not support specifying dimensions.', 'dimensions');
      if (typeof body.dimensions !== 'number' || !Number.isInteger(body.dimensions)) throw invalidType('dimensions', 'an integer', body.dimensions);
      if (body.dimensions < 1) {
        throw invalid(`Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got ${body.dimensions} instead.`, 'dimensions', 'integer_below_min_value');
      }
      if (body.dimensions > native) {
        throw invalid(`Invalid 'dimensions': integer above maximum value. Expected a value <= ${native}, but got ${body.dimensions} instead.`, 'dimensions', 'integer_above_max_value');
      }
      dimensions = body.dimensions;
    }
    const tokens = inputs.reduce((sum, text) => sum + estimateTokens(text), 0);
    return {
      object: 'list',
      data: inputs.map((text, index) => {
        const vector = deterministicEmbedding(text, dimensions);
        return { object: 'embedding', index, embedding: format === 'base64' ? embeddingToBase64(vector) : vector };
      }),
      model: resolvedModel(model),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }

  const server = await startAiFakeServer({
    credentialHeaders: ['authorization'],
    basePath: '/v1',
    handle,
    failureReply: openAiFailure,
  });
  return Object.assign(server, { apiKey });
}

/** The envelope OpenAI uses for a scripted failure. */
function openAiFailure(failure: FakeAiFailure): FakeAiReply {
  const headers: Record<string, string> = { 'x-request-id': randomId('req_', 32) };
  if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
  if (failure.status === 429) {
    const wait = failure.retryAfterSeconds ?? 20;
    return new OpenAiError(
      429,
      `Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${wait}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      'requests',
      null,
      'rate_limit_exceeded',
      { ...headers, 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': `${wait}s` },
    ).reply();
  }
  if (failure.status === 503) {
    return new OpenAiError(503, 'The engine is currently overloaded, please try again later.', 'server_error', null, null, headers).reply();
  }
  if (failure.status >= 500) {
    return new OpenAiError(failure.status, 'The server had an error while processing your request. Sorry about that!', 'server_error', null, null, headers).reply();
  }
  return new OpenAiError(failure.status, `Scripted failure ${failure.status}.`, 'invalid_request_error', null, null, headers).reply();
}

/** An alias resolves to a dated snapshot, as OpenAI reports it (`gpt-4o-mini` → `gpt-4o-mini-2024-07-18`). */
function resolvedModel(model: string): string {
  const snapshots: Record<string, string> = { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18', 'gpt-4o': 'gpt-4o-2024-08-06' };
  return snapshots[model] ?? model;
}

function contentText(content: unknown, param: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown, i) => {
        if (!isRecord(part) || part.type !== 'text' || typeof part.text !== 'string') {
          throw invalid(`Invalid value for '${param}[${i}]': this fake only accepts text parts ({ type: 'text', text }).`, `${param}[${i}]`, 'invalid_value');
        }
        return part.text;
      })
      .join('\n');
  }
  throw invalidType(param, 'one of a string or array of objects', content);
}

function embeddingInputs(input: unknown): string[] {
  const invalidInput = () => invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
  const list = typeof input === 'string' ? [input] : Array.isArray(input) ? input : undefined;
  if (!list || list.length === 0 || list.length > EMBEDDING_INPUT_LIMIT) throw invalidInput();
  // Token arrays (number[] or number[][]) are valid input too; they are embedded as their text form.
  if (list.every((item) => typeof item === 'number')) return [list.join(' ')];
  return list.map((item: unknown) => {
    if (typeof item === 'string' && item !== '') return item;
    if (Array.isArray(item) && item.length > 0 && item.every((t) => typeof t === 'number')) return item.join(' ');
    throw invalidInput();
  });
}

function checkNumber(body: Json, name: string, min: number, max: number | undefined, integer: boolean): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || (integer && !Number.isInteger(value))) throw invalidType(name, integer ? 'an integer' : 'a number', value);
  const kind = integer ? 'integer' : 'decimal';
  if (value < min) {
    throw invalid(`Invalid '${name}': ${kind} below minimum value. Expected a value >= ${min}, but got ${value} instead.`, name, `${kind}_below_min_value`);
  }
  if (max !== undefined && value > max) {
    throw invalid(`Invalid '${name}': ${kind} above maximum value. Expected a value <= ${max}, but got ${value} instead.`, name, `${kind}_above_max_value`);
  }
  return value;
}

function invalidType(param: string, expected: string, value: unknown): OpenAiError {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'number' ? (Number.isInteger(value) ? 'an integer' : 'a decimal') : `a ${typeof value}`;
  return invalid(`Invalid type for '${param}': expected ${expected}, but got ${got} instead.`, param, 'invalid_type');
}
