/**
 * The AI provider adapters against the testkit's wire-faithful fakes, through the real SDKs:
 * answers and token counts, embeddings, how each failure becomes a ProviderError (auth, rate
 * limits with their wait, server errors, timeouts), and that the fakes refuse malformed requests
 * with each provider's own error envelope.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  NO_ANSWER,
  deterministicEmbedding,
  firstKnowledgePassage,
  startFakeAnthropic,
  startFakeGemini,
  startFakeOpenAi,
  startFakeReplicate,
  type FakeAiControls,
  type FakeAnthropic,
  type FakeGemini,
  type FakeOpenAi,
  type FakeReplicate,
} from '@sapa/testkit/fakes';
import { waitUntil } from '@sapa/testkit';
import { ProviderError, type ChatProvider, type ChatRequest } from '../src/ai/types';
import { buildReplicatePrompt, createChatProvider, createEmbeddingProvider, toAnthropicTurns } from '../src/ai/providers';

const PASSAGE = 'Toko buka setiap hari jam 08.00–21.00 WIB.';
const SYSTEM = [
  'Jawab hanya dari pengetahuan berikut.',
  '<knowledge>',
  `[1] ${PASSAGE}`,
  '[2] Ongkir gratis untuk belanja di atas Rp100.000.',
  '</knowledge>',
].join('\n');
const GROUNDED = `${PASSAGE} [1]`;

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'test-model',
    system: SYSTEM,
    messages: [{ role: 'user', content: 'Jam berapa tokonya buka?' }],
    temperature: 0.2,
    maxTokens: 256,
    ...overrides,
  };
}

/** The ProviderError a call fails with. */
async function failure(call: Promise<unknown> | (() => unknown)): Promise<ProviderError> {
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}

/** Starts a call, waits until the fake holds it, then aborts it like the router's timeout does. */
async function abortedWhileHanging(fake: FakeAiControls, call: (signal: AbortSignal) => Promise<unknown>, requestsBefore = 0): Promise<ProviderError> {
  const controller = new AbortController();
  const pending = failure(call(controller.signal));
  await waitUntil(() => fake.requests.length > requestsBefore, 'the fake to hold the request');
  controller.abort();
  return pending;
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

let openai: FakeOpenAi;
let ollama: FakeOpenAi;
let anthropic: FakeAnthropic;
let gemini: FakeGemini;
let replicate: FakeReplicate;

beforeAll(async () => {
  [openai, ollama, anthropic, gemini, replicate] = await Promise.all([
    startFakeOpenAi(),
    startFakeOpenAi({ apiKey: null }),
    startFakeAnthropic(),
    startFakeGemini(),
    startFakeReplicate(),
  ]);
});

afterAll(async () => {
  await Promise.all([openai, ollama, anthropic, gemini, replicate].map((fake) => fake?.close()));
});

beforeEach(() => {
  for (const fake of [openai, ollama, anthropic, gemini, replicate]) fake.reset();
});

describe('grounded echo (the fakes’ default answer)', () => {
  it('quotes the first passage of the knowledge block, including its continuation lines', () => {
    expect(firstKnowledgePassage('x\n<knowledge>\n[1] Satu\nlanjutan\n[2] Dua\n</knowledge>')).toEqual({ number: 1, text: 'Satu\nlanjutan' });
    expect(firstKnowledgePassage('<knowledge>\n</knowledge>')).toBeUndefined();
    expect(firstKnowledgePassage('no knowledge here')).toBeUndefined();
  });
});

describe('OpenAI', () => {
  const chat = () => createChatProvider('openai', { apiKey: openai.apiKey!, baseUrl: openai.baseUrl });

  it('answers through Chat Completions with the token usage OpenAI reports', async () => {
    const result = await chat().chat(request({ model: 'gpt-4o-mini' }));
    expect(result.text).toBe(GROUNDED);
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBe(Math.ceil(GROUNDED.length / 4));
    expect(result.model).toBe('gpt-4o-mini-2024-07-18');

    const [sent] = openai.requests;
    expect(sent?.path).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBeUndefined(); // recorded without credentials
    expect(sent?.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'Jam berapa tokonya buka?' },
      ],
      max_completion_tokens: 256,
      temperature: 0.2,
    });
  });

  it('gets NO_ANSWER from the fake when the knowledge block is empty, and custom answers from respond()', async () => {
    const provider = chat();
    expect((await provider.chat(request({ system: '<knowledge>\n</knowledge>' }))).text).toBe(NO_ANSWER);
    openai.respond((prompt) => `echo: ${prompt.messages.at(-1)?.content}`);
    expect((await provider.chat(request())).text).toBe('echo: Jam berapa tokonya buka?');
  });

  it('sends reasoning models no temperature (they refuse one)', async () => {
    const result = await chat().chat(request({ model: 'o4-mini' }));
    expect(result.text).toBe(GROUNDED);
    expect(openai.requests[0]?.body).not.toHaveProperty('temperature');
  });

  it('embeds texts with the deterministic vectors of the fake (base64 on the wire)', async () => {
    const embedder = createEmbeddingProvider('openai', 'text-embedding-3-small', { apiKey: openai.apiKey!, baseUrl: openai.baseUrl });
    const texts = ['jam buka toko', 'ongkir gratis'];
    const result = await embedder.embed(texts, 'document');
    expect(result.vectors).toHaveLength(2);
    expect(result.vectors[0]).toHaveLength(1536);
    const expected = deterministicEmbedding('jam buka toko', 1536);
    result.vectors[0]!.slice(0, 20).forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 6));
    expect(result.tokens).toBe(Math.ceil('jam buka toko'.length / 4) + Math.ceil('ongkir gratis'.length / 4));
    expect(openai.requests[0]?.body).toMatchObject({ model: 'text-embedding-3-small', input: texts, encoding_format: 'base64' });
  });

  it('turns a wrong key into an auth error without the key in the message', async () => {
    const wrongKey = 'test-openai-key-wrong-666666666666';
    const error = await failure(createChatProvider('openai', { apiKey: wrongKey, baseUrl: openai.baseUrl }).chat(request()));
    expect(error.kind).toBe('auth');
    expect(error.details.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(wrongKey);
  });

  it('turns 429 into rate_limited with the retry-after wait, making one request only (no SDK retries)', async () => {
    openai.failNext(1, { status: 429, retryAfterSeconds: 7 });
    const error = await failure(chat().chat(request()));
    expect(error.kind).toBe('rate_limited');
    expect(error.details).toMatchObject({ status: 429, retryAfterMs: 7000, provider: 'openai' });
    expect(error.retryable).toBe(true);
    expect(openai.requests).toHaveLength(1);
  });

  it('turns 500 and 503 into server errors', async () => {
    openai.failNext(1, { status: 500 });
    openai.failNext(1, { status: 503, delayMs: 50 });
    const provider = chat();
    expect((await failure(provider.chat(request()))).kind).toBe('server');
    expect((await failure(provider.chat(request()))).kind).toBe('server');
    expect(openai.requests).toHaveLength(2);
  });

  it('turns an aborted, hanging request into a timeout', async () => {
    openai.hangNext(1);
    const provider = chat();
    const error = await abortedWhileHanging(openai, (signal) => provider.chat(request({ signal })));
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
  });

  it('turns an unknown model into bad_request', async () => {
    const strict = await startFakeOpenAi({ models: ['gpt-4o-mini'] });
    try {
      const error = await failure(createChatProvider('openai', { apiKey: strict.apiKey!, baseUrl: strict.baseUrl }).chat(request({ model: 'gpt-9' })));
      expect(error.kind).toBe('bad_request');
      expect(error.details.status).toBe(404);
    } finally {
      await strict.close();
    }
  });

  it('talks to an OpenAI-compatible server without a key (Ollama)', async () => {
    const provider = createChatProvider('openai_compatible', { baseUrl: ollama.baseUrl });
    expect(provider.id).toBe('openai_compatible');
    const result = await provider.chat(request({ model: 'llama3.1' }));
    expect(result.text).toBe(GROUNDED);
    expect(ollama.requests[0]?.body).toMatchObject({ model: 'llama3.1', max_tokens: 256 });

    const embedder = createEmbeddingProvider('openai_compatible', 'nomic-embed-text', { baseUrl: ollama.baseUrl });
    const embedded = await embedder.embed(['jam buka'], 'query');
    expect(embedded.vectors[0]).toHaveLength(768);
    expect(ollama.requests[1]?.body).toMatchObject({ encoding_format: 'float' });
  });

  it('a server that wants a key refuses the keyless compatible client', async () => {
    const error = await failure(createChatProvider('openai_compatible', { baseUrl: openai.baseUrl }).chat(request()));
    expect(error.kind).toBe('auth');
  });
});

describe('Anthropic', () => {
  const chat = () => createChatProvider('anthropic', { apiKey: anthropic.apiKey, baseUrl: anthropic.baseUrl });

  it('answers through the Messages API, with system separate and consecutive turns merged', async () => {
    const result = await chat().chat(
      request({
        model: 'claude-3-5-haiku-latest',
        messages: [
          { role: 'user', content: 'Halo kak' },
          { role: 'user', content: 'mau tanya' },
          { role: 'assistant', content: 'Silakan, kak.' },
          { role: 'assistant', content: '   ' },
          { role: 'user', content: 'Jam berapa tokonya buka?' },
        ],
      }),
    );
    expect(result).toMatchObject({ text: GROUNDED, model: 'claude-3-5-haiku-latest', outputTokens: Math.ceil(GROUNDED.length / 4) });
    expect(result.inputTokens).toBeGreaterThan(0);

    const [sent] = anthropic.requests;
    expect(sent?.headers['anthropic-version']).toBeTruthy();
    expect(sent?.headers['x-api-key']).toBeUndefined();
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toEqual({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 256,
      system: SYSTEM,
      messages: [
        { role: 'user', content: 'Halo kak\n\nmau tanya' },
        { role: 'assistant', content: 'Silakan, kak.' },
        { role: 'user', content: 'Jam berapa tokonya buka?' },
      ],
    });
  });

  it('opens with a user turn when the assistant spoke first', () => {
    const turns = toAnthropicTurns([
      { role: 'assistant', content: 'Halo! Ada yang bisa dibantu?' },
      { role: 'user', content: 'Jam buka?' },
    ]);
    expect(turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('turns a wrong key into an auth error', async () => {
    const error = await failure(createChatProvider('anthropic', { apiKey: 'test-anthropic-wrong-key-000', baseUrl: anthropic.baseUrl }).chat(request()));
    expect(error).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(error.message).not.toContain('test-anthropic-wrong-key-000');
  });

  it('turns 429 into rate_limited with the retry-after wait', async () => {
    anthropic.failNext(1, { status: 429, retryAfterSeconds: 3 });
    const error = await failure(chat().chat(request()));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 3000 } });
    expect(anthropic.requests).toHaveLength(1);
  });

  it('turns 529 (overloaded) and 500 into server errors, without SDK retries', async () => {
    anthropic.failNext(1, { status: 529 });
    anthropic.failNext(1, { status: 500 });
    const provider = chat();
    expect(await failure(provider.chat(request()))).toMatchObject({ kind: 'server', details: { status: 529 } });
    expect(await failure(provider.chat(request()))).toMatchObject({ kind: 'server', details: { status: 500 } });
    expect(anthropic.requests).toHaveLength(2);
  });

  it('turns an aborted, hanging request into a timeout', async () => {
    anthropic.hangNext(1);
    const provider = chat();
    expect((await abortedWhileHanging(anthropic, (signal) => provider.chat(request({ signal })))).kind).toBe('timeout');
  });
});

describe('Gemini', () => {
  const chat = () => createChatProvider('gemini', { apiKey: gemini.apiKey, baseUrl: gemini.baseUrl });
  const embedder = () => createEmbeddingProvider('gemini', 'text-embedding-004', { apiKey: gemini.apiKey, baseUrl: gemini.baseUrl });

  it('answers through generateContent with systemInstruction and the model role', async () => {
    const result = await chat().chat(
      request({
        model: 'gemini-2.0-flash',
        messages: [
          { role: 'user', content: 'Halo' },
          { role: 'assistant', content: 'Halo, kak!' },
          { role: 'user', content: 'Jam berapa tokonya buka?' },
        ],
      }),
    );
    expect(result).toMatchObject({ text: GROUNDED, model: 'gemini-2.0-flash', outputTokens: Math.ceil(GROUNDED.length / 4) });
    expect(result.inputTokens).toBeGreaterThan(0);

    const [sent] = gemini.requests;
    expect(sent?.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(sent?.headers['x-goog-api-key']).toBeUndefined();
    expect(sent?.body).toMatchObject({
      contents: [
        { role: 'user', parts: [{ text: 'Halo' }] },
        { role: 'model', parts: [{ text: 'Halo, kak!' }] },
        { role: 'user', parts: [{ text: 'Jam berapa tokonya buka?' }] },
      ],
      systemInstruction: { parts: [{ text: SYSTEM }] },
      generationConfig: { temperature: 0.2, maxOutputTokens: 256 },
    });
  });

  it('embeds documents and queries with their task types, in batches of 100', async () => {
    const texts = Array.from({ length: 150 }, (_, i) => `dokumen nomor ${i}`);
    const documents = await embedder().embed(texts, 'document');
    expect(documents.vectors).toHaveLength(150);
    expect(documents.vectors[3]).toEqual(deterministicEmbedding('dokumen nomor 3', 768));
    expect(documents.tokens).toBeGreaterThan(0);
    expect(gemini.requests.map((r) => r.path)).toEqual([
      '/v1beta/models/text-embedding-004:batchEmbedContents',
      '/v1beta/models/text-embedding-004:batchEmbedContents',
    ]);
    const firstBatch = gemini.requests[0]?.body as { requests: Array<Record<string, unknown>> };
    expect(firstBatch.requests).toHaveLength(100);
    expect(firstBatch.requests[0]).toEqual({
      model: 'models/text-embedding-004',
      content: { role: 'user', parts: [{ text: 'dokumen nomor 0' }] },
      taskType: 'RETRIEVAL_DOCUMENT',
    });

    await embedder().embed(['jam buka?'], 'query');
    expect((gemini.requests[2]?.body as { requests: Array<Record<string, unknown>> }).requests[0]?.taskType).toBe('RETRIEVAL_QUERY');
  });

  it('turns a wrong key (400 API_KEY_INVALID, as Google answers it) into an auth error', async () => {
    const error = await failure(createChatProvider('gemini', { apiKey: 'test-gemini-wrong-key-0000', baseUrl: gemini.baseUrl }).chat(request()));
    expect(error).toMatchObject({ kind: 'auth', details: { status: 400 } });
    expect(error.message).toContain('API key not valid');
    expect(error.message).not.toContain('test-gemini-wrong-key-0000');
  });

  it('turns 429 into rate_limited with the RetryInfo delay', async () => {
    gemini.failNext(1, { status: 429, retryAfterSeconds: 12 });
    const error = await failure(chat().chat(request()));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 12_000 } });
    expect(gemini.requests).toHaveLength(1);
  });

  it('turns 500 and 503 into server errors', async () => {
    gemini.failNext(1, { status: 500 });
    gemini.failNext(1, { status: 503 });
    const provider = chat();
    expect(await failure(provider.chat(request()))).toMatchObject({ kind: 'server', details: { status: 500 } });
    expect(await failure(provider.chat(request()))).toMatchObject({ kind: 'server', details: { status: 503 } });
  });

  it('turns an aborted, hanging request into a timeout', async () => {
    gemini.hangNext(1);
    const provider = chat();
    expect((await abortedWhileHanging(gemini, (signal) => provider.chat(request({ signal })))).kind).toBe('timeout');
  });
});

describe('Replicate', () => {
  const chat = (): ChatProvider => createChatProvider('replicate', { apiKey: replicate.apiToken, baseUrl: replicate.baseUrl }, { pollIntervalMs: 1 });
  const model = 'meta/meta-llama-3-8b-instruct';

  it('creates a prediction with Prefer: wait and joins the output tokens', async () => {
    const result = await chat().chat(request({ model }));
    expect(result.text).toBe(GROUNDED);
    expect(result.model).toBe(model);
    expect(result.inputTokens).toBeGreaterThan(0);
    expect(result.outputTokens).toBeGreaterThan(0);
    expect(replicate.requests).toHaveLength(1);
    const [sent] = replicate.requests;
    expect(sent).toMatchObject({ method: 'POST', path: `/v1/models/${model}/predictions`, status: 201 });
    expect(sent?.headers.prefer).toBe('wait');
    expect(sent?.body).toEqual({ input: { prompt: 'Jam berapa tokonya buka?', system_prompt: SYSTEM, max_tokens: 256, temperature: 0.2 } });
  });

  it('polls a prediction that outlasts the wait until it succeeds', async () => {
    replicate.outlastWait(1);
    const result = await chat().chat(request({ model }));
    expect(result.text).toBe(GROUNDED);
    expect(replicate.requests.map((r) => `${r.method} ${r.path.replace(/[a-z2-7]{26}/, '{id}')}`)).toEqual([
      `POST /v1/models/${model}/predictions`,
      'GET /v1/predictions/{id}',
      'GET /v1/predictions/{id}',
    ]);
  });

  it('writes a multi-turn conversation as a transcript prompt', () => {
    expect(
      buildReplicatePrompt([
        { role: 'user', content: 'Halo' },
        { role: 'assistant', content: 'Halo, kak!' },
        { role: 'user', content: 'Jam buka?' },
      ]),
    ).toBe('User: Halo\n\nAssistant: Halo, kak!\n\nUser: Jam buka?');
  });

  it('turns a failed prediction into a server error', async () => {
    replicate.failNextPrediction(1, 'CUDA out of memory');
    const error = await failure(chat().chat(request({ model })));
    expect(error.kind).toBe('server');
    expect(error.message).toContain('CUDA out of memory');
  });

  it('turns a wrong token into an auth error', async () => {
    const error = await failure(createChatProvider('replicate', { apiKey: 'test-replicate-wrong-0000', baseUrl: replicate.baseUrl }).chat(request({ model })));
    expect(error).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(error.message).not.toContain('test-replicate-wrong-0000');
  });

  it('turns 429 into rate_limited with the retry-after wait, making one request only (the package’s own retries are cut off)', async () => {
    replicate.failNext(1, { status: 429, retryAfterSeconds: 2 });
    const error = await failure(chat().chat(request({ model })));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 2000 } });
    expect(replicate.requests).toHaveLength(1);
  });

  /** A fake whose predictions never finish on their own, to act while the adapter polls. */
  async function withEndlessPrediction(test: (fake: FakeReplicate, provider: ChatProvider) => Promise<void>): Promise<void> {
    const fake = await startFakeReplicate({ pollsUntilDone: Number.POSITIVE_INFINITY });
    try {
      fake.outlastWait(1);
      await test(fake, createChatProvider('replicate', { apiKey: fake.apiToken, baseUrl: fake.baseUrl }, { pollIntervalMs: 20 }));
    } finally {
      await fake.close();
    }
  }

  it('turns a 500 while polling into a server error, without retrying the poll', async () => {
    await withEndlessPrediction(async (fake, provider) => {
      const pending = failure(provider.chat(request({ model })));
      await waitUntil(() => fake.requests.length >= 2, 'the first poll');
      fake.failNext(1, { status: 500 });
      const error = await pending;
      expect(error).toMatchObject({ kind: 'server', details: { status: 500 } });
      expect(fake.requests.filter((r) => r.status === 500)).toHaveLength(1);
      expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', status: 500 });
    });
  });

  it('cancels a prediction it stops waiting for', async () => {
    await withEndlessPrediction(async (fake, provider) => {
      const controller = new AbortController();
      const pending = failure(provider.chat(request({ model, signal: controller.signal })));
      await waitUntil(() => fake.requests.length >= 2, 'the first poll');
      controller.abort();
      expect((await pending).kind).toBe('timeout');
      await waitUntil(() => fake.requests.some((r) => r.path.endsWith('/cancel') && r.status === 200), 'the cancel request');
    });
  });

  it('turns an aborted, hanging request into a timeout', async () => {
    replicate.hangNext(1);
    const provider = chat();
    expect((await abortedWhileHanging(replicate, (signal) => provider.chat(request({ model, signal })))).kind).toBe('timeout');
  });

});

describe('connection failures', () => {
  it('turns a refused connection into a retryable server error for every provider', async () => {
    const gone = await startFakeOpenAi();
    await gone.close();
    const creds = { apiKey: 'k-0123456789', baseUrl: gone.url };
    const providers: Array<[ChatProvider, string]> = [
      [createChatProvider('openai', { ...creds, baseUrl: `${gone.url}/v1` }), 'gpt-4o-mini'],
      [createChatProvider('anthropic', creds), 'claude-3-5-haiku-latest'],
      [createChatProvider('gemini', creds), 'gemini-2.0-flash'],
      [createChatProvider('replicate', { ...creds, baseUrl: `${gone.url}/v1` }), 'meta/meta-llama-3-8b-instruct'],
    ];
    for (const [provider, model] of providers) {
      const error = await failure(provider.chat(request({ model })));
      expect(error.kind, provider.id).toBe('server');
      expect(error.retryable).toBe(true);
    }
  });
});

describe('provider factory', () => {
  it('refuses providers without credentials as not_configured', async () => {
    for (const id of ['openai', 'anthropic', 'gemini', 'replicate'] as const) {
      expect(await failure(() => createChatProvider(id, {}))).toMatchObject({ kind: 'not_configured' });
    }
    expect((await failure(() => createChatProvider('openai_compatible', {}))).kind).toBe('not_configured');
    expect((await failure(() => createChatProvider('offline', {}))).kind).toBe('not_configured');
    expect((await failure(() => createEmbeddingProvider('gemini', 'text-embedding-004', {}))).kind).toBe('not_configured');
    expect((await failure(() => createEmbeddingProvider('openai', 'text-embedding-3-small', {}))).kind).toBe('not_configured');
  });
});

describe('the fakes refuse malformed requests like the real APIs', () => {
  it('OpenAI: auth, JSON, required fields and unknown URLs, in OpenAI’s envelope', async () => {
    const url = `${openai.baseUrl}/chat/completions`;
    const auth = { authorization: `Bearer ${openai.apiKey}` };
    const noKey = await postJson(url, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(noKey.status).toBe(401);
    expect(noKey.json.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });

    const wrongKey = await postJson(url, {}, { authorization: 'Bearer test-openai-wrongwrong-1234' });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.json.error).toMatchObject({ code: 'invalid_api_key' });
    expect(JSON.stringify(wrongKey.json)).not.toContain('test-openai-wrongwrong-1234');

    const notJson = await postJson(url, '{"model":', auth);
    expect(notJson.status).toBe(400);
    expect((notJson.json.error as { message: string }).message).toContain('could not parse the JSON body');

    const noModel = await postJson(url, { messages: [{ role: 'user', content: 'hi' }] }, auth);
    expect(noModel).toMatchObject({ status: 400, json: { error: { message: 'you must provide a model parameter', type: 'invalid_request_error' } } });

    const noMessages = await postJson(url, { model: 'gpt-4o-mini' }, auth);
    expect(noMessages).toMatchObject({ status: 400, json: { error: { param: 'messages', code: 'missing_required_parameter' } } });

    const badRole = await postJson(url, { model: 'gpt-4o-mini', messages: [{ role: 'customer', content: 'hi' }] }, auth);
    expect(badRole).toMatchObject({ status: 400, json: { error: { param: 'messages[0].role', code: 'invalid_value' } } });

    const hotTemperature = await postJson(url, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], temperature: 3 }, auth);
    expect(hotTemperature).toMatchObject({ status: 400, json: { error: { param: 'temperature', code: 'decimal_above_max_value' } } });

    const emptyInput = await postJson(`${openai.baseUrl}/embeddings`, { model: 'text-embedding-3-small', input: [] }, auth);
    expect(emptyInput.status).toBe(400);

    const unknown = await postJson(`${openai.baseUrl}/completions/v2`, {}, auth);
    expect(unknown).toMatchObject({ status: 404, json: { error: { message: 'Invalid URL (POST /v1/completions/v2)' } } });
  });

  it('Anthropic: key and version headers, required fields, alternation, removed sampling parameters', async () => {
    const url = `${anthropic.baseUrl}/v1/messages`;
    const headers = { 'x-api-key': anthropic.apiKey, 'anthropic-version': '2026-10-21' };
    const valid = { model: 'claude-3-5-haiku-latest', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };

    const noKey = await postJson(url, valid, { 'anthropic-version': '2026-10-21' });
    expect(noKey).toMatchObject({ status: 401, json: { type: 'error', error: { type: 'authentication_error' } } });

    const noVersion = await postJson(url, valid, { 'x-api-key': anthropic.apiKey });
    expect(noVersion).toMatchObject({ status: 400, json: { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } } });

    const noMaxTokens = await postJson(url, { model: valid.model, messages: valid.messages }, headers);
    expect(noMaxTokens).toMatchObject({ status: 400, json: { error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } } });

    const notAlternating = await postJson(url, { ...valid, messages: [...valid.messages, { role: 'user', content: 'again' }] }, headers);
    expect(notAlternating.status).toBe(400);
    expect((notAlternating.json.error as { message: string }).message).toContain('roles must alternate');

    const assistantFirst = await postJson(url, { ...valid, messages: [{ role: 'assistant', content: 'hello' }] }, headers);
    expect((assistantFirst.json.error as { message: string }).message).toContain('first message must use the "user" role');

    const withTemperature = await postJson(url, { ...valid, temperature: 0.2 }, headers);
    expect(withTemperature).toMatchObject({ status: 400, json: { error: { message: 'temperature: Extra inputs are not permitted' } } });
    const oldVersion = await postJson(url, { ...valid, temperature: 0.2 }, { ...headers, 'anthropic-version': '2023-06-01' });
    expect(oldVersion.status).toBe(200);
    expect(oldVersion.json).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'text', text: NO_ANSWER }], stop_reason: 'end_turn' });
  });

  it('Gemini: missing and wrong keys, unknown fields, roles, batch limit, wrong model kind, in Google’s envelope', async () => {
    const generate = `${gemini.url}/v1beta/models/gemini-2.0-flash:generateContent`;
    const key = { 'x-goog-api-key': gemini.apiKey };
    const valid = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

    const noKey = await postJson(generate, valid);
    expect(noKey).toMatchObject({ status: 403, json: { error: { code: 403, status: 'PERMISSION_DENIED' } } });

    const wrongKey = await postJson(`${generate}?key=wrong`, valid);
    expect(wrongKey).toMatchObject({ status: 400, json: { error: { status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] } } });

    const queryKey = await postJson(`${generate}?key=${gemini.apiKey}`, valid);
    expect(queryKey.status).toBe(200);
    expect(gemini.requests.at(-1)?.query).toEqual({}); // the key is not recorded

    const unknownField = await postJson(generate, { ...valid, temperature: 0.2 }, key);
    expect(unknownField).toMatchObject({ status: 400, json: { error: { message: 'Invalid JSON payload received. Unknown name "temperature": Cannot find field.' } } });

    const badRole = await postJson(generate, { contents: [{ role: 'assistant', parts: [{ text: 'hi' }] }] }, key);
    expect(badRole).toMatchObject({ status: 400, json: { error: { message: 'Please use a valid role: user, model.' } } });

    const noContents = await postJson(generate, {}, key);
    expect(noContents).toMatchObject({ status: 400, json: { error: { status: 'INVALID_ARGUMENT' } } });

    const batch = `${gemini.url}/v1beta/models/text-embedding-004:batchEmbedContents`;
    const tooMany = Array.from({ length: 101 }, () => ({ model: 'models/text-embedding-004', content: { parts: [{ text: 'x' }] } }));
    expect((await postJson(batch, { requests: tooMany }, key)).status).toBe(400);

    const embeddingModelChat = await postJson(`${gemini.url}/v1beta/models/text-embedding-004:generateContent`, valid, key);
    expect(embeddingModelChat).toMatchObject({ status: 404, json: { error: { status: 'NOT_FOUND' } } });
  });

  it('Replicate: token, input validation and unknown predictions, as problem JSON', async () => {
    const url = `${replicate.baseUrl}/models/meta/meta-llama-3-8b-instruct/predictions`;
    const auth = { authorization: `Bearer ${replicate.apiToken}` };

    const noToken = await postJson(url, { input: { prompt: 'hi' } });
    expect(noToken).toMatchObject({ status: 401, json: { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 } });

    const noPrompt = await postJson(url, { input: { max_tokens: 'many' } }, auth);
    expect(noPrompt.status).toBe(422);
    expect(noPrompt.json.invalid_fields).toEqual([
      { type: 'required', field: 'input', description: 'prompt is required' },
      { type: 'invalid_type', field: 'input.max_tokens', description: 'Invalid type. Expected: integer, given: string' },
    ]);

    const noInput = await postJson(url, { prompt: 'hi' }, auth);
    expect(noInput).toMatchObject({ status: 422, json: { title: 'Input validation failed' } });

    const started = await postJson(url, { input: { prompt: 'hi' } }, auth);
    expect(started).toMatchObject({ status: 201, json: { status: 'starting', output: null } });

    const unknown = await fetch(`${replicate.baseUrl}/predictions/doesnotexist`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ status: 404 });
  });
});
