/**
 * A wire-faithful fake of Anthropic's Messages API (`POST /v1/messages`): it requires the key
 * (`x-api-key`, or `Authorization: Bearer`, which SDK 1.x sends) and the `anthropic-version`
 * header, validates the body the way the API does (model, max_tokens, unknown fields refused
 * with "Extra inputs are not permitted", and since version 2026-10-21 that includes
 * temperature/top_p/top_k; non-empty text blocks) and answers with Anthropic's message object
 * and error envelope `{ type: 'error', error: { type, message }, request_id }`.
 *
 * Stricter than the API on purpose: the API now combines consecutive same-role turns, the fake
 * refuses them (and a conversation that starts with the assistant) with the historical 400, so
 * tests prove the adapter sends a clean, alternating conversation.
 *
 * Simplifications: no streaming, text blocks only (no images, tools, thinking); models are all
 * accepted unless `models` lists the ones that exist.
 */
import {
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

export interface FakeAnthropicOptions {
  /** The key clients must send (`x-api-key` or `Authorization: Bearer`). Default {@link FAKE_ANTHROPIC_KEY}. */
  apiKey?: string;
  /** Models that exist; others get a 404 `not_found_error`. Default: every model exists. */
  models?: string[];
}

export interface FakeAnthropic extends FakeAiControls {
  apiKey: string;
}

export const FAKE_ANTHROPIC_KEY = 'test-anthropic-key-for-the-fake-000000';

type Json = Record<string, unknown>;

class AnthropicError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  reply(): FakeAiReply {
    const requestId = randomId('req_011C', 20);
    return {
      status: this.status,
      body: { type: 'error', error: { type: this.type, message: this.message }, request_id: requestId },
      headers: { 'request-id': requestId, ...this.headers },
    };
  }
}

const invalid = (message: string) => new AnthropicError(400, 'invalid_request_error', message);

const API_VERSIONS = ['2023-06-01', '2026-10-21'];
/** Body fields of the Messages API; 2026-10-21 dropped the sampling parameters. */
const MESSAGE_FIELDS = [
  'model',
  'max_tokens',
  'messages',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'thinking',
  'tool_choice',
  'tools',
  'service_tier',
  'container',
  'cache_control',
  'output_config',
  'inference_geo',
  'speed',
  'diagnostics',
  'user_profile_id',
  'workspace_id',
];
const SAMPLING_FIELDS = ['temperature', 'top_p', 'top_k'];

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const apiKey = options.apiKey ?? FAKE_ANTHROPIC_KEY;
  const models = options.models ? new Set(options.models) : undefined;

  function handle(request: FakeAiIncoming, answer: FakeChatResponder): FakeAiReply {
    try {
      if (request.method !== 'POST' || request.path !== '/v1/messages') throw new AnthropicError(404, 'not_found_error', 'Not Found');
      // x-api-key wins when both are sent, as in the API.
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const key = request.headers['x-api-key'] || bearer;
      if (key === undefined || key === '') throw new AnthropicError(401, 'authentication_error', 'x-api-key header is required');
      if (key !== apiKey) throw new AnthropicError(401, 'authentication_error', 'invalid x-api-key');
      const version = request.headers['anthropic-version'];
      if (version === undefined || version === '') throw invalid('anthropic-version: header is required');
      if (typeof version !== 'string' || !API_VERSIONS.includes(version)) throw invalid(`anthropic-version: invalid version "${String(version)}"`);
      const body = parseJsonBody(request.rawBody);
      if (!isRecord(body)) throw invalid('There was an error parsing the body of your request. Please ensure it is valid JSON.');
      const allowed = version === '2023-06-01' ? [...MESSAGE_FIELDS, ...SAMPLING_FIELDS] : MESSAGE_FIELDS;
      for (const field of Object.keys(body)) if (!allowed.includes(field)) throw invalid(`${field}: Extra inputs are not permitted`);
      const message = createMessage(body, answer);
      return { status: 200, body: message, headers: { 'request-id': randomId('req_011C', 20) } };
    } catch (error) {
      if (error instanceof AnthropicError) return error.reply();
      throw error;
    }
  }

  function createMessage(body: Json, answer: FakeChatResponder): Json {
    if (body.model === undefined) throw invalid('model: Field required');
    if (typeof body.model !== 'string') throw invalid('model: Input should be a valid string');
    if (models && !models.has(body.model)) throw new AnthropicError(404, 'not_found_error', `model: ${body.model}`);
    if (body.max_tokens === undefined) throw invalid('max_tokens: Field required');
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens)) throw invalid('max_tokens: Input should be a valid integer');
    if (body.max_tokens < 1) throw invalid('max_tokens: Input should be greater than or equal to 1');
    if (body.temperature !== undefined) {
      if (typeof body.temperature !== 'number') throw invalid('temperature: Input should be a valid number');
      if (body.temperature < 0) throw invalid('temperature: Input should be greater than or equal to 0');
      if (body.temperature > 1) throw invalid('temperature: Input should be less than or equal to 1');
    }
    if (body.stream === true) throw invalid('stream: this fake does not implement streaming');
    const system = body.system === undefined ? '' : blocksText(body.system, 'system');
    const messages = conversation(body.messages);

    const prompt: FakeChatPrompt = { model: body.model, system, messages, body };
    const { text, truncated } = limitToTokens(answer(prompt), body.max_tokens);
    return {
      id: randomId('msg_01', 22),
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text }],
      stop_reason: truncated ? 'max_tokens' : 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: estimateTokens([system, ...messages.map((m) => m.content)].join('\n')),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: estimateTokens(text),
        service_tier: 'standard',
      },
    };
  }

  const server = await startAiFakeServer({
    credentialHeaders: ['x-api-key', 'authorization'],
    basePath: '',
    handle,
    failureReply: anthropicFailure,
  });
  return Object.assign(server, { apiKey });
}

/** Checks `messages` like the API: present, starting with a user turn, alternating, non-empty text. */
function conversation(value: unknown): FakeChatPrompt['messages'] {
  if (value === undefined) throw invalid('messages: Field required');
  if (!Array.isArray(value)) throw invalid('messages: Input should be a valid list');
  if (value.length === 0) throw invalid('messages: at least one message is required');
  const turns: FakeChatPrompt['messages'] = value.map((message: unknown, i) => {
    if (!isRecord(message)) throw invalid(`messages.${i}: Input should be a valid dictionary`);
    if (message.role !== 'user' && message.role !== 'assistant') throw invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    if (message.content === undefined) throw invalid(`messages.${i}.content: Field required`);
    return { role: message.role, content: blocksText(message.content, `messages.${i}.content`) };
  });
  if (turns[0]?.role !== 'user') throw invalid('messages: first message must use the "user" role');
  turns.forEach((turn, i) => {
    if (i > 0 && turns[i - 1]?.role === turn.role) {
      throw invalid(`messages: roles must alternate between "user" and "assistant", but found multiple "${turn.role}" roles in a row`);
    }
  });
  const last = turns[turns.length - 1];
  if (last?.role === 'assistant' && /\s$/.test(last.content)) throw invalid('messages: final assistant content cannot end with trailing whitespace');
  return turns;
}

/** The text of a string or of an array of text blocks; empty text is refused like the API does. */
function blocksText(value: unknown, field: string): string {
  if (typeof value === 'string') {
    if (value === '' && field !== 'system') throw invalid('messages: text content blocks must be non-empty');
    return value;
  }
  if (!Array.isArray(value)) throw invalid(`${field}: Input should be a valid string or a valid list`);
  return value
    .map((block: unknown, i) => {
      if (!isRecord(block) || block.type !== 'text' || typeof block.text !== 'string') {
        throw invalid(`${field}.${i}: this fake only accepts text blocks ({ type: 'text', text })`);
      }
      if (block.text === '') throw invalid(`${field.startsWith('system') ? 'system' : 'messages'}: text content blocks must be non-empty`);
      return block.text;
    })
    .join('\n');
}

/** The envelope Anthropic uses for a scripted failure. */
function anthropicFailure(failure: FakeAiFailure): FakeAiReply {
  const headers: Record<string, string> = {};
  if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
  switch (failure.status) {
    case 429:
      return new AnthropicError(
        429,
        'rate_limit_error',
        'Number of request tokens has exceeded your per-minute rate limit (https://docs.claude.com/en/api/rate-limits); see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.',
        { ...headers, 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0' },
      ).reply();
    case 529:
      return new AnthropicError(529, 'overloaded_error', 'Overloaded', headers).reply();
    default:
      return failure.status >= 500
        ? new AnthropicError(failure.status, 'api_error', 'Internal server error', headers).reply()
        : new AnthropicError(failure.status, 'invalid_request_error', `Scripted failure ${failure.status}.`, headers).reply();
  }
}
