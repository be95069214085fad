/**
 * Workspaces' own AI keys (bring your own key), against the real database and Temporal: keys are
 * stored sealed (the raw document holds no clear key), listed masked, replaced per provider,
 * deleted within their workspace only; "Test key" runs through `keyTestWorkflow` and the worker
 * with the real OpenAI SDK against testkit's fake OpenAI; usage this month is summed from
 * `ai_usage`; re-encryption moves every secret (keys and channel credentials) to a new master
 * key; and log lines never carry a key.
 */
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { ZodError } from 'zod';
import { ApiKeyModel, ChannelModel, KeyVault, createLogger, openSecrets, sealSecrets, telegramSecretsSchema } from '@sapa/shared';
import {
  addApiKey,
  deleteApiKey,
  findApiKey,
  findUsableApiKey,
  jakartaMonthStart,
  keyUsageThisMonth,
  listApiKeys,
  openApiKey,
  reencryptAll,
  setKeyStatus,
  setMonthlyLimit,
} from '@sapa/shared/ai/api-keys';
import { runKeyTest } from '@sapa/shared/ai/key-test';
import { TestStack } from '@sapa/testkit';
import {
  FAKE_ANTHROPIC_KEY,
  FAKE_GEMINI_KEY,
  FAKE_REPLICATE_TOKEN,
  startFakeAnthropic,
  startFakeGemini,
  startFakeOpenAi,
  startFakeReplicate,
  type FakeOpenAi,
} from '@sapa/testkit/fakes';
import { testApiKey } from '../workflows/src/ai/key-check';
import { scrub } from '../workflows/src/ai/providers/errors';

/** The key the fake OpenAI accepts: distinctive characters, so a leaked fragment would be found. */
const GOOD_KEY = 'test-Qv7RtB2mXw9LpZc4Hs8NkDy3FjGa6UeT1oWi5';
const WRONG_KEY = 'test-Wr0ngJh3Xp8Tm2Rc6Vb9Nq4Ls7Df1Gk5Hz0Pw';

describe('workspace API keys', () => {
  let stack: TestStack;
  let openai: FakeOpenAi;
  let vault: KeyVault;
  let workspaceId: string;
  const otherWorkspaceId = new mongoose.Types.ObjectId().toString();

  beforeAll(async () => {
    openai = await startFakeOpenAi({ apiKey: GOOD_KEY });
    // No platform key: the key test must use the workspace key, against the platform's base URL.
    stack = await TestStack.start({ gateway: 'none', env: { OPENAI_BASE_URL: openai.baseUrl, AI_REQUEST_TIMEOUT_MS: '5000' } });
    vault = new KeyVault(stack.config.SAPA_MASTER_KEYS);
    workspaceId = stack.seed.workspaceId;
  });

  afterAll(async () => {
    await stack?.stop();
    await openai?.close();
  });

  const rawKeyDoc = (id: string) => mongoose.connection.db!.collection('api_keys').findOne({ _id: new mongoose.Types.ObjectId(id) });

  it('stores a key sealed: the raw document holds neither the key nor any part of it but the last four characters', async () => {
    const { key, replaced } = await addApiKey(vault, { workspaceId, provider: 'openai', label: '  Kantor  ', key: `  ${GOOD_KEY}\n`, monthlyLimitCredits: 50_000 });
    expect(replaced).toBe(false);
    expect(key).toMatchObject({ provider: 'openai', label: 'Kantor', masked: `•••• ${GOOD_KEY.slice(-4)}`, status: 'active', monthlyLimitCredits: 50_000, baseUrl: '' });

    const raw = await rawKeyDoc(key.id);
    expect(raw).not.toBeNull();
    const stored = JSON.stringify(raw);
    expect(stored).not.toContain(GOOD_KEY);
    // No longer fragment either: the start, the middle, or the end beyond the last four.
    for (let start = 0; start + 8 <= GOOD_KEY.length - 4; start += 1) expect(stored).not.toContain(GOOD_KEY.slice(start, start + 8));
    expect(stored).not.toContain(GOOD_KEY.slice(-5));
    expect(raw!.last4).toBe(GOOD_KEY.slice(-4));
    expect(raw!.sealed).toMatch(/^v1\.1\./);
    // The vault opens it to exactly the trimmed key.
    expect(vault.decrypt(raw!.sealed as string)).toBe(GOOD_KEY);
    expect(openApiKey(vault, (await findApiKey(workspaceId, key.id))!)).toBe(GOOD_KEY);
  });

  it('lists keys masked, never with the key or its ciphertext', async () => {
    const views = await listApiKeys(workspaceId);
    expect(views).toHaveLength(1);
    const text = JSON.stringify(views);
    expect(text).not.toContain(GOOD_KEY);
    expect(text).not.toContain('sealed');
    expect(text).not.toMatch(/v1\.1\./);
    expect(views[0]!.masked).toBe(`•••• ${GOOD_KEY.slice(-4)}`);
    // Another workspace sees none of them.
    expect(await listApiKeys(otherWorkspaceId)).toEqual([]);
  });

  it('refuses empty, oversized, spaced or misplaced input and stores nothing', async () => {
    const bad = [
      { workspaceId, provider: 'openai' as const, key: '   ' },
      { workspaceId, provider: 'openai' as const, key: 'short' },
      { workspaceId, provider: 'openai' as const, key: `sk-${'x'.repeat(600)}` },
      { workspaceId, provider: 'openai' as const, key: 'sk-has a space-inside' },
      { workspaceId, provider: 'openai_compatible' as const, key: 'gsk_compatibleKey123' },
      { workspaceId, provider: 'openai' as const, key: 'sk-valid-but-url-123', baseUrl: 'https://api.openai.com/v1' },
      { workspaceId, provider: 'openai_compatible' as const, key: 'gsk_compatibleKey123', baseUrl: 'ftp://example.test' },
      { workspaceId, provider: 'openai' as const, key: 'sk-valid-limit-1234', monthlyLimitCredits: 1.5 },
      { workspaceId: 'not-an-id', provider: 'openai' as const, key: 'sk-valid-limit-1234' },
    ];
    const before = await ApiKeyModel.countDocuments();
    for (const input of bad) await expect(addApiKey(vault, input)).rejects.toBeInstanceOf(ZodError);
    expect(await ApiKeyModel.countDocuments()).toBe(before);
  });

  it('replaces the key of a provider in place (same id, limit kept), and keeps one per base URL for OpenAI-compatible', async () => {
    const [first] = await listApiKeys(workspaceId);
    const next = 'test-NewRotated0000aaaa1111bbbb2222cccc';
    const { key, replaced } = await addApiKey(vault, { workspaceId, provider: 'openai', key: next });
    expect(replaced).toBe(true);
    expect(key.id).toBe(first!.id);
    expect(key.monthlyLimitCredits).toBe(50_000);
    expect(key.masked).toBe('•••• cccc');
    expect(openApiKey(vault, (await findApiKey(workspaceId, key.id))!)).toBe(next);
    // Back to the good key for the tests below; null clears the limit.
    await addApiKey(vault, { workspaceId, provider: 'openai', key: GOOD_KEY, monthlyLimitCredits: null });
    expect((await listApiKeys(workspaceId))[0]!.monthlyLimitCredits).toBeNull();

    const groq = await addApiKey(vault, { workspaceId, provider: 'openai_compatible', key: 'gsk_groqKey1234567890', baseUrl: 'https://api.groq.example/openai/v1/' });
    const vllm = await addApiKey(vault, { workspaceId, provider: 'openai_compatible', key: 'token-vllm-123456', baseUrl: 'http://10.0.0.5:8000/v1' });
    expect(groq.key.baseUrl).toBe('https://api.groq.example/openai/v1');
    expect(vllm.replaced).toBe(false);
    const again = await addApiKey(vault, { workspaceId, provider: 'openai_compatible', key: 'gsk_groqKeyRotated999', baseUrl: 'https://api.groq.example/openai/v1' });
    expect(again).toMatchObject({ replaced: true, key: { id: groq.key.id } });
    expect((await listApiKeys(workspaceId)).map((k) => k.provider)).toEqual(['openai', 'openai_compatible', 'openai_compatible']);
  });

  it('deletes a key of its own workspace only', async () => {
    const views = await listApiKeys(workspaceId);
    const vllm = views.find((k) => k.baseUrl === 'http://10.0.0.5:8000/v1')!;
    expect(await deleteApiKey(otherWorkspaceId, vllm.id)).toBe(false);
    expect(await deleteApiKey(workspaceId, 'nonsense')).toBe(false);
    expect(await deleteApiKey(workspaceId, vllm.id)).toBe(true);
    expect(await deleteApiKey(workspaceId, vllm.id)).toBe(false);
    expect((await listApiKeys(workspaceId)).map((k) => k.id)).not.toContain(vllm.id);
    expect(await findApiKey(workspaceId, vllm.id)).toBeNull();
  });

  it('sums usage this month (Asia/Jakarta) per key from ai_usage, and tells when the limit is reached', async () => {
    // Jakarta's month starts at 17:00 UTC on the previous day.
    expect(jakartaMonthStart(new Date('2026-03-31T17:30:00Z')).toISOString()).toBe('2026-03-31T17:00:00.000Z');
    expect(jakartaMonthStart(new Date('2026-03-31T16:59:59Z')).toISOString()).toBe('2026-02-28T17:00:00.000Z');
    expect(jakartaMonthStart(new Date('2026-01-01T03:00:00Z')).toISOString()).toBe('2025-12-31T17:00:00.000Z');

    const openaiKey = (await listApiKeys(workspaceId)).find((k) => k.provider === 'openai')!;
    const keyId = new mongoose.Types.ObjectId(openaiKey.id);
    const ws = new mongoose.Types.ObjectId(workspaceId);
    const monthStart = jakartaMonthStart();
    const usage = (id: string, fields: Record<string, unknown>) => ({
      _id: `test:${id}`,
      workspaceId: ws,
      purpose: 'reply',
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputTokens: 100,
      outputTokens: 20,
      createdAt: new Date(),
      ...fields,
    });
    // Written with the driver so `createdAt` is what the test says, not now.
    await mongoose.connection.db!.collection<{ _id: string }>('ai_usage').insertMany([
      usage('a', { apiKeyId: keyId, credits: 100 }),
      usage('b', { apiKeyId: keyId, credits: 250, createdAt: monthStart }),
      usage('last-month', { apiKeyId: keyId, credits: 999, createdAt: new Date(monthStart.getTime() - 1) }),
      usage('platform', { credits: 77 }),
      usage('other-key', { apiKeyId: new mongoose.Types.ObjectId(), credits: 500 }),
      usage('other-workspace', { workspaceId: new mongoose.Types.ObjectId(), apiKeyId: keyId, credits: 400 }),
    ]);

    const summed = await keyUsageThisMonth(workspaceId, openaiKey.id);
    expect(summed).toMatchObject({ credits: 350, requests: 2, inputTokens: 200, outputTokens: 40 });
    expect(summed.since.toISOString()).toBe(monthStart.toISOString());
    expect((await listApiKeys(workspaceId)).find((k) => k.id === openaiKey.id)!.usageThisMonthCredits).toBe(350);
    expect((await keyUsageThisMonth(otherWorkspaceId, openaiKey.id)).credits).toBe(0);

    expect(await setMonthlyLimit(workspaceId, openaiKey.id, 351)).toBe(true);
    expect((await findUsableApiKey(workspaceId, 'openai'))?.overLimit).toBe(false);
    expect(await setMonthlyLimit(workspaceId, openaiKey.id, 350)).toBe(true);
    const usable = await findUsableApiKey(workspaceId, 'openai');
    expect(usable).toMatchObject({ overLimit: true, usage: { credits: 350 } });
    expect(await setMonthlyLimit(workspaceId, openaiKey.id, null)).toBe(true);
    expect((await findUsableApiKey(workspaceId, 'openai'))?.overLimit).toBe(false);
    expect(await setMonthlyLimit(otherWorkspaceId, openaiKey.id, 10)).toBe(false);
    await expect(setMonthlyLimit(workspaceId, openaiKey.id, 0)).rejects.toBeInstanceOf(ZodError);
  });

  describe('Test key, through the worker', () => {
    const test = (keyId: string) => runKeyTest(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, { workspaceId, keyId });

    it('passes a valid key with one tiny chat call made with the key itself', async () => {
      openai.reset();
      const key = (await listApiKeys(workspaceId)).find((k) => k.provider === 'openai')!;
      const result = await test(key.id);
      expect(result).toMatchObject({ ok: true, status: 'active' });
      expect(Date.parse(result!.testedAt)).not.toBeNaN();
      const calls = openai.requests.filter((r) => r.path === '/v1/chat/completions');
      expect(calls).toHaveLength(1);
      expect(calls[0]!.status).toBe(200);
      expect(calls[0]!.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 1 });
      const doc = await findApiKey(workspaceId, key.id);
      expect(doc).toMatchObject({ status: 'active', lastTestError: '' });
      expect(doc!.lastTestedAt).toBeInstanceOf(Date);
    });

    it('marks a wrong key invalid, with a reason and a message that quote no part of it', async () => {
      const { key } = await addApiKey(vault, { workspaceId, provider: 'openai', key: WRONG_KEY });
      const result = await test(key.id);
      expect(result).toMatchObject({ ok: false, reason: 'invalid_key', status: 'invalid' });
      const doc = await findApiKey(workspaceId, key.id);
      expect(doc!.status).toBe('invalid');
      expect(doc!.lastTestError).toMatch(/Incorrect API key/);
      // OpenAI echoes the key masked (first characters and last four): none of it is kept or returned.
      for (const text of [JSON.stringify(result), doc!.lastTestError]) {
        expect(text).not.toContain(WRONG_KEY);
        expect(text).not.toContain(WRONG_KEY.slice(-4));
        expect(text).not.toMatch(/sk-\*|\*\*\*/);
      }
      expect((await findUsableApiKey(workspaceId, 'openai'))).toBeNull();
    });

    it('keeps the status when the provider is rate limiting or unreachable, and a disabled key disabled', async () => {
      const { key } = await addApiKey(vault, { workspaceId, provider: 'openai', key: GOOD_KEY });
      openai.failNext(1, { status: 429, retryAfterSeconds: 1 });
      expect(await test(key.id)).toMatchObject({ ok: false, reason: 'rate_limited', status: 'active' });

      const compatible = await addApiKey(vault, { workspaceId, provider: 'openai_compatible', key: 'token-nobody-listens', baseUrl: 'http://127.0.0.1:9/v1' });
      expect(await test(compatible.key.id)).toMatchObject({ ok: false, reason: 'unreachable', status: 'active' });

      expect(await setKeyStatus(workspaceId, key.id, 'disabled')).toBe(true);
      expect(await test(key.id)).toMatchObject({ ok: true, status: 'disabled' });
      expect(await findUsableApiKey(workspaceId, 'openai')).toBeNull();
      expect(await setKeyStatus(workspaceId, key.id, 'active')).toBe(true);
      expect((await findUsableApiKey(workspaceId, 'openai'))?.key._id.toString()).toBe(key.id);
    });

    it('answers null for a key that does not exist in the workspace', async () => {
      const key = (await listApiKeys(workspaceId)).find((k) => k.provider === 'openai')!;
      expect(await runKeyTest(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, { workspaceId: otherWorkspaceId, keyId: key.id })).toBeNull();
      expect(await test(new mongoose.Types.ObjectId().toString())).toBeNull();
    });
  });

  it('validates a key with every provider through its adapter, and says why one is refused', async () => {
    const anthropic = await startFakeAnthropic();
    const gemini = await startFakeGemini();
    const replicate = await startFakeReplicate();
    try {
      const cases = [
        { provider: 'anthropic' as const, fake: anthropic, good: FAKE_ANTHROPIC_KEY, bad: 'test-anthropic-key-not-the-right-one1' },
        { provider: 'gemini' as const, fake: gemini, good: FAKE_GEMINI_KEY, bad: 'test-gemini-key-not-the-right-one2222' },
        { provider: 'replicate' as const, fake: replicate, good: FAKE_REPLICATE_TOKEN, bad: 'test-replicate-token-not-the-right-333' },
        { provider: 'openai_compatible' as const, fake: openai, good: GOOD_KEY, bad: WRONG_KEY },
      ];
      for (const { provider, fake, good, bad } of cases) {
        fake.reset();
        expect(await testApiKey(provider, { apiKey: good, baseUrl: fake.baseUrl }), provider).toEqual({ ok: true });
        expect(fake.requests.filter((r) => r.method === 'POST' && r.status >= 200 && r.status < 300), provider).toHaveLength(1);
        const refused = await testApiKey(provider, { apiKey: bad, baseUrl: fake.baseUrl });
        expect(refused, provider).toMatchObject({ ok: false, reason: 'invalid_key' });
        expect(JSON.stringify(refused)).not.toContain(bad.slice(-4));
        fake.failNext(1, { status: 503 });
        expect(await testApiKey(provider, { apiKey: good, baseUrl: fake.baseUrl }), provider).toMatchObject({ ok: false, reason: 'unreachable' });
      }
      // A provider that does not answer within the test's bound is unreachable.
      anthropic.hangNext(1);
      expect(await testApiKey('anthropic', { apiKey: FAKE_ANTHROPIC_KEY, baseUrl: anthropic.baseUrl }, { timeoutMs: 300 })).toMatchObject({ ok: false, reason: 'unreachable' });
    } finally {
      await Promise.all([anthropic.close(), gemini.close(), replicate.close()]);
    }
  });

  it('scrubs the key and its masked echoes from provider messages', () => {
    const message = `openai: 401 Incorrect API key provided: sk-pr${'*'.repeat(20)}Gk5H. Sent ${WRONG_KEY} and ${WRONG_KEY.slice(4, 20)}.`;
    const scrubbed = scrub(message, WRONG_KEY);
    expect(scrubbed).not.toContain(WRONG_KEY.slice(4, 20));
    expect(scrubbed).not.toContain('Gk5H');
    expect(scrubbed).not.toContain('***');
    expect(scrubbed).toContain('Incorrect API key provided:');
  });

  it('keeps keys and authorization headers out of log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('test', 'info', sink);
    const secrets = ['sk-top-level-apiKey-1', 'key-value-2', 'Bearer auth-3', 'Bearer nested-4', 'anthropic-5', 'goog-6', 'sealed-7', 'creds-8', 'secret-9', 'Bearer req-10', 'goog-11'];
    logger.info(
      {
        apiKey: secrets[0],
        key: secrets[1],
        authorization: secrets[2],
        headers: { authorization: secrets[3], 'x-api-key': secrets[4], 'x-goog-api-key': secrets[5], 'content-type': 'application/json' },
        sealed: secrets[6],
        creds: { apiKey: secrets[7], baseUrl: 'https://api.openai.com/v1' },
        secret: secrets[8],
        req: { headers: { authorization: secrets[9] } },
        request: { headers: { 'x-goog-api-key': secrets[10] } },
      },
      'calling the provider',
    );
    const out = lines.join('');
    expect(out).toContain('calling the provider');
    expect(out).toContain('https://api.openai.com/v1');
    expect(out).toContain('application/json');
    expect(out).toContain('[redacted]');
    for (const secret of secrets) expect(out).not.toContain(secret);
  });

  // Last: afterwards the worker (which knows only the old master key) can no longer open the keys.
  it('re-encrypts every key and channel secret under a new master key, idempotently', async () => {
    const ws = new mongoose.Types.ObjectId(workspaceId);
    const botToken = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    const channel = await ChannelModel.create({
      workspaceId: ws,
      chatbotId: new mongoose.Types.ObjectId(stack.seed.chatbotId),
      type: 'telegram',
      name: 'Telegram',
      settings: { routingKey: '7012345678', botId: 7012345678, username: 'toko_bot' },
      secrets: sealSecrets(vault, { botToken, webhookSecret: 'secret_secret_secret' }),
    });
    // A secret sealed with a key the operator no longer has: reported, not fatal, never overwritten.
    const lost = new KeyVault(`9:${randomBytes(32).toString('base64')}`);
    const orphan = await ApiKeyModel.create({ workspaceId: ws, provider: 'gemini', sealed: lost.encrypt('test-gemini-key-lost-000000000000000'), last4: '0000' });

    const keyCount = await ApiKeyModel.countDocuments();
    const sealedChannels = await ChannelModel.countDocuments({ secrets: { $exists: true, $nin: ['', null] } });
    const stackKey = stack.config.SAPA_MASTER_KEYS.split(',')[0]!;
    const newKey = `2:${randomBytes(32).toString('base64')}`;
    const rotated = new KeyVault(`${newKey},${stackKey}`);

    // Before: the old vault opens everything.
    const openaiDoc = (await ApiKeyModel.findOne({ workspaceId: ws, provider: 'openai' }).lean())!;
    expect(openApiKey(vault, openaiDoc)).toBe(GOOD_KEY);

    const first = await reencryptAll(rotated);
    expect(first.keyVersion).toBe('2');
    expect(first.apiKeys).toEqual({ total: keyCount, reencrypted: keyCount - 1, alreadyCurrent: 0, failed: 1 });
    expect(first.channels).toEqual({ total: sealedChannels, reencrypted: sealedChannels, alreadyCurrent: 0, failed: 0 });
    expect(first.failures).toEqual([{ collection: 'api_keys', id: String(orphan._id), error: expect.stringMatching(/key version/) }]);
    expect(JSON.stringify(first)).not.toContain(GOOD_KEY);

    // The second run is the operator's command: nothing left to do, and exit 1 for the orphan.
    const script = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/rotate-master-key.ts'], {
      env: { ...stack.env, SAPA_MASTER_KEYS: `${newKey},${stackKey}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(script.status, script.stderr).toBe(1);
    const second = JSON.parse(script.stdout) as typeof first;
    expect(second.apiKeys).toEqual({ total: keyCount, reencrypted: 0, alreadyCurrent: keyCount - 1, failed: 1 });
    expect(second.channels).toEqual({ total: sealedChannels, reencrypted: 0, alreadyCurrent: sealedChannels, failed: 0 });
    expect(script.stdout + script.stderr).not.toContain(GOOD_KEY);

    // After: the new key alone opens every key and channel; the old key alone opens nothing.
    const newOnly = new KeyVault(newKey);
    const oldOnly = new KeyVault(stackKey);
    for (const doc of await ApiKeyModel.find({ _id: { $ne: orphan._id } }).lean()) {
      expect(doc.sealed.startsWith('v1.2.')).toBe(true);
      expect(() => openApiKey(newOnly, doc)).not.toThrow();
      expect(() => openApiKey(oldOnly, doc)).toThrow();
    }
    expect(openApiKey(newOnly, (await ApiKeyModel.findById(openaiDoc._id).lean())!)).toBe(GOOD_KEY);
    const storedChannel = (await ChannelModel.findById(channel._id).lean())!;
    expect(openSecrets(newOnly, storedChannel, telegramSecretsSchema).botToken).toBe(botToken);
    expect(() => openSecrets(oldOnly, storedChannel, telegramSecretsSchema)).toThrow();
    // The orphan is untouched.
    expect((await ApiKeyModel.findById(orphan._id).lean())!.sealed).toBe(orphan.sealed);
  });
});
