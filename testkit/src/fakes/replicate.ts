/**
 * A wire-faithful fake of Replicate's HTTP API for running an official language model:
 * `POST /v1/models/{owner}/{name}/predictions`, `GET /v1/predictions/{id}` and
 * `POST /v1/predictions/{id}/cancel`. It checks the Bearer token and the `input` like Replicate
 * (422 "Input validation failed" with `invalid_fields`), answers errors as problem JSON
 * `{ title, detail, status }`, and runs predictions the way the API reports them: with
 * `Prefer: wait` the create call returns the finished prediction; without it the prediction
 * starts, and a later poll reports it `succeeded`. Output is an array of token strings, with
 * token counts in `metrics`, like Replicate's language models.
 *
 * Simplifications: a prediction takes `pollsUntilDone` polls, not wall-clock time; no
 * streaming URLs are served; no webhooks are sent; inputs other than `prompt`, `system_prompt`,
 * `max_tokens`/`max_new_tokens` and `temperature` are accepted and ignored.
 */
import { randomBytes } from 'node:crypto';
import {
  estimateTokens,
  isRecord,
  limitToTokens,
  parseJsonBody,
  startAiFakeServer,
  type FakeAiControls,
  type FakeAiFailure,
  type FakeAiIncoming,
  type FakeAiReply,
  type FakeChatResponder,
} from './ai-fake-kit';

export interface FakeReplicateOptions {
  /** The token clients must send as `Authorization: Bearer <token>`. Default {@link FAKE_REPLICATE_TOKEN}. */
  apiToken?: string;
  /** Official models (`owner/name`) that exist; others get 404. Default: every model exists. */
  models?: string[];
  /** How many `GET /v1/predictions/{id}` polls a prediction created without `Prefer: wait` needs to finish (default 2). */
  pollsUntilDone?: number;
}

export interface FakeReplicate extends FakeAiControls {
  apiToken: string;
  /** The next `count` predictions end `failed` with this error (a model crash, not an HTTP error). */
  failNextPrediction(count: number, error: string): void;
  /**
   * The next `count` predictions outlast any `Prefer: wait` window: the create call returns them
   * unfinished and they need `pollsUntilDone` polls.
   */
  outlastWait(count: number): void;
}

export const FAKE_REPLICATE_TOKEN = 'test-replicate-token-for-the-fake-0000';

type Json = Record<string, unknown>;
type PredictionStatus = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled';

interface StoredPrediction {
  id: string;
  model: string;
  input: Json;
  status: PredictionStatus;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  /** The answer, computed at creation; revealed when the prediction succeeds. */
  tokens: string[];
  inputTokens: number;
  /** Set when the prediction is scripted to fail. */
  failure?: string;
  pollsLeft: number;
}

class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: Json = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  reply(): FakeAiReply {
    return {
      status: this.status,
      body: { title: this.title, detail: this.detail, status: this.status, ...this.extra },
      headers: { 'content-type': 'application/problem+json', ...this.headers },
    };
  }
}

interface InvalidField {
  type: string;
  field: string;
  description: string;
}

function inputInvalid(fields: InvalidField[]): ProblemError {
  return new ProblemError(422, 'Input validation failed', fields.map((f) => `- ${f.field}: ${f.description}`).join('\n'), { invalid_fields: fields });
}

export async function startFakeReplicate(options: FakeReplicateOptions = {}): Promise<FakeReplicate> {
  const apiToken = options.apiToken ?? FAKE_REPLICATE_TOKEN;
  const models = options.models ? new Set(options.models) : undefined;
  const pollsUntilDone = options.pollsUntilDone ?? 2;
  const predictions = new Map<string, StoredPrediction>();
  const predictionFailures: string[] = [];
  let slowPredictions = 0;
  let origin = '';

  function handle(request: FakeAiIncoming, answer: FakeChatResponder): FakeAiReply {
    try {
      checkToken(request);
      const create = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(request.path);
      const get = /^\/v1\/predictions\/([^/]+)$/.exec(request.path);
      const cancel = /^\/v1\/predictions\/([^/]+)\/cancel$/.exec(request.path);
      if (request.method === 'POST' && create) return createPrediction(`${create[1]}/${create[2]}`, request, answer);
      if (request.method === 'GET' && get) return { status: 200, body: poll(get[1] ?? '') };
      if (request.method === 'POST' && cancel) return { status: 200, body: cancelPrediction(cancel[1] ?? '') };
      throw new ProblemError(404, 'Not found', 'The requested resource could not be found.');
    } catch (error) {
      if (error instanceof ProblemError) return error.reply();
      throw error;
    }
  }

  function checkToken(request: FakeAiIncoming): void {
    const match = /^(?:Bearer|Token) (.+)$/.exec(request.headers.authorization ?? '');
    if (match?.[1] !== apiToken) throw new ProblemError(401, 'Unauthenticated', 'You did not pass a valid authentication token');
  }

  function createPrediction(model: string, request: FakeAiIncoming, answer: FakeChatResponder): FakeAiReply {
    if (models && !models.has(model)) throw new ProblemError(404, 'Not found', `Model ${model} not found.`);
    const body = parseJsonBody(request.rawBody);
    if (!isRecord(body)) throw new ProblemError(400, 'Bad Request', 'The request body is not valid JSON.');
    if (body.input === undefined) throw inputInvalid([{ type: 'required', field: '(root)', description: 'input is required' }]);
    if (!isRecord(body.input)) throw inputInvalid([{ type: 'invalid_type', field: 'input', description: 'Invalid type. Expected: object, given: ' + typeof body.input }]);
    const input = body.input;
    const problems = validateInput(input);
    if (problems.length > 0) throw inputInvalid(problems);

    const system = typeof input.system_prompt === 'string' ? input.system_prompt : '';
    const prompt = input.prompt as string;
    const maxTokens = (input.max_tokens ?? input.max_new_tokens) as number | undefined;
    const { text } = limitToTokens(answer({ model, system, messages: [{ role: 'user', content: prompt }], body }), maxTokens);
    const failure = predictionFailures.shift();
    const prediction: StoredPrediction = {
      id: predictionId(),
      model,
      input,
      status: 'starting',
      createdAt: new Date().toISOString(),
      tokens: text.split(/(?<=\s)/).filter((t) => t !== ''),
      inputTokens: estimateTokens(`${system}\n${prompt}`),
      pollsLeft: pollsUntilDone,
      ...(failure !== undefined ? { failure } : {}),
    };
    predictions.set(prediction.id, prediction);
    // `Prefer: wait` (or `wait=n`) holds the request until the model finishes: here, at once,
    // unless the test made this prediction outlast the wait.
    const outlasts = slowPredictions > 0;
    if (outlasts) slowPredictions -= 1;
    if (!outlasts && /^wait(=\d+)?$/.test(String(request.headers.prefer ?? '').trim())) finish(prediction);
    return { status: 201, body: predictionJson(prediction) };
  }

  function poll(id: string): Json {
    const prediction = predictions.get(id);
    if (!prediction) throw new ProblemError(404, 'Not found', 'Prediction not found.');
    if (prediction.status === 'starting' || prediction.status === 'processing') {
      prediction.pollsLeft -= 1;
      if (prediction.pollsLeft <= 0) finish(prediction);
      else {
        prediction.status = 'processing';
        prediction.startedAt ??= new Date().toISOString();
      }
    }
    return predictionJson(prediction);
  }

  function cancelPrediction(id: string): Json {
    const prediction = predictions.get(id);
    if (!prediction) throw new ProblemError(404, 'Not found', 'Prediction not found.');
    if (prediction.status === 'starting' || prediction.status === 'processing') {
      prediction.status = 'canceled';
      prediction.completedAt = new Date().toISOString();
    }
    return predictionJson(prediction);
  }

  function finish(prediction: StoredPrediction): void {
    const now = new Date().toISOString();
    prediction.startedAt ??= now;
    prediction.completedAt = now;
    prediction.status = prediction.failure !== undefined ? 'failed' : 'succeeded';
  }

  function predictionJson(p: StoredPrediction): Json {
    const done = p.status === 'succeeded';
    const outputTokens = p.tokens.reduce((sum, t) => sum + estimateTokens(t), 0);
    return {
      id: p.id,
      model: p.model,
      version: 'hidden',
      source: 'api',
      input: p.input,
      logs: p.status === 'starting' ? '' : 'Random seed set to: 1234\n',
      output: done ? p.tokens : p.status === 'processing' ? p.tokens.slice(0, Math.ceil(p.tokens.length / 2)) : null,
      data_removed: false,
      error: p.status === 'failed' ? (p.failure ?? 'Prediction failed') : null,
      status: p.status,
      created_at: p.createdAt,
      ...(p.startedAt ? { started_at: p.startedAt } : {}),
      ...(p.completedAt ? { completed_at: p.completedAt } : {}),
      urls: {
        cancel: `${origin}/v1/predictions/${p.id}/cancel`,
        get: `${origin}/v1/predictions/${p.id}`,
        stream: `${origin}/v1/streams/${p.id}`,
        web: `https://replicate.com/p/${p.id}`,
      },
      ...(done
        ? {
            metrics: {
              predict_time: 0.42,
              total_time: 0.5,
              input_token_count: p.inputTokens,
              output_token_count: outputTokens,
              tokens_per_second: 100,
              time_to_first_token: 0.05,
            },
          }
        : {}),
    };
  }

  const server = await startAiFakeServer({
    credentialHeaders: ['authorization'],
    basePath: '/v1',
    handle,
    failureReply: replicateFailure,
  });
  origin = server.url;
  const reset = server.reset.bind(server);
  return Object.assign(server, {
    apiToken,
    failNextPrediction(count: number, error: string) {
      for (let i = 0; i < count; i += 1) predictionFailures.push(error);
    },
    outlastWait(count: number) {
      slowPredictions += count;
    },
    reset() {
      reset();
      predictions.clear();
      predictionFailures.length = 0;
      slowPredictions = 0;
    },
  });
}

/** Checks the inputs Replicate's language models declare. */
function validateInput(input: Json): InvalidField[] {
  const problems: InvalidField[] = [];
  const typeError = (field: string, expected: string) =>
    problems.push({ type: 'invalid_type', field: `input.${field}`, description: `Invalid type. Expected: ${expected}, given: ${typeof input[field]}` });
  if (input.prompt === undefined) problems.push({ type: 'required', field: 'input', description: 'prompt is required' });
  else if (typeof input.prompt !== 'string') typeError('prompt', 'string');
  if (input.system_prompt !== undefined && typeof input.system_prompt !== 'string') typeError('system_prompt', 'string');
  for (const field of ['max_tokens', 'max_new_tokens']) {
    const value = input[field];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) typeError(field, 'integer');
    else if (value < 1) problems.push({ type: 'number_gte', field: `input.${field}`, description: 'Must be greater than or equal to 1' });
  }
  if (input.temperature !== undefined) {
    if (typeof input.temperature !== 'number') typeError('temperature', 'number');
    else if (input.temperature < 0 || input.temperature > 5) {
      problems.push({ type: 'number_range', field: 'input.temperature', description: 'Must be between 0 and 5' });
    }
  }
  return problems;
}

/** Replicate's problem JSON for a scripted failure. */
function replicateFailure(failure: FakeAiFailure): FakeAiReply {
  const headers: Record<string, string> = {};
  if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
  if (failure.status === 429) {
    const wait = failure.retryAfterSeconds ?? 1;
    return new ProblemError(429, 'Too Many Requests', `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.`, {}, headers).reply();
  }
  if (failure.status >= 500) return new ProblemError(failure.status, 'Internal Server Error', 'An unexpected error occurred.', {}, headers).reply();
  return new ProblemError(failure.status, 'Scripted failure', `Scripted failure ${failure.status}.`, {}, headers).reply();
}

/** Replicate's ids: 26 lowercase base32 characters. */
function predictionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(26)].map((b) => alphabet[b % 32]).join('');
}
