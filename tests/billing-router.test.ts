/**
 * Who pays for each bot reply, end to end through the widget, Temporal and the worker: the
 * workspace's own key first (while under its monthly limit), then the platform's key paid with
 * credits (deducted once per reply, from its usage record), then nobody — the customer gets a
 * polite message, the conversation waits for a person and the owner is alerted (notice and email).
 * Also the plan's monthly reply allowance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import {
  AiUsageModel,
  ApiKeyModel,
  ChannelModel,
  ChatbotModel,
  ConversationModel,
  CounterModel,
  CreditAccountModel,
  CreditLedgerModel,
  EmailModel,
  KeyVault,
  NoticeModel,
  addApiKey,
  appendEntry,
  getBalance,
  randomId,
  setMonthlyLimit,
  t,
  verifyLedger,
} from '@sapa/shared';
import { TestStack, WidgetClient, addKnowledgeSource, waitUntil } from '@sapa/testkit';
import { FAKE_OPENAI_KEY, startFakeOpenAi, type FakeOpenAi } from '@sapa/testkit/fakes';

const OWN_KEY = 'test-openai-key-own-workspace-0000OWN1';
const KNOWLEDGE = '# Ongkir\nOngkir ke Bandung Rp18.000, sampai dalam 2 hari kerja.';

describe('who pays for a reply', () => {
  let stack: TestStack;
  let openai: FakeOpenAi;

  beforeAll(async () => {
    openai = await startFakeOpenAi({ extraApiKeys: [OWN_KEY] });
    stack = await TestStack.start({ env: { OPENAI_API_KEY: FAKE_OPENAI_KEY, OPENAI_BASE_URL: openai.baseUrl, BATCH_WINDOW_MS: '0' } });
  });

  afterAll(async () => {
    await stack?.stop();
    await openai?.close();
  });

  /** A chatbot on OpenAI in the seed workspace, with its knowledge and a widget. */
  async function newBot() {
    const workspaceId = new mongoose.Types.ObjectId(stack.seed.workspaceId);
    const chatbot = await ChatbotModel.create({ workspaceId, name: 'Toko', publicId: randomId(9), ai: { provider: 'openai' } });
    await ChannelModel.create({ workspaceId, chatbotId: chatbot._id, type: 'web', name: 'Web' });
    await addKnowledgeSource(stack, { kind: 'text', name: 'Info', text: KNOWLEDGE }, { chatbotIds: [String(chatbot._id)] });
    const widget = new WidgetClient(stack.gatewayUrl, chatbot.publicId);
    await widget.session();
    const stream = await widget.stream();
    return {
      async ask(text: string) {
        const since = stream.lastId ?? 0;
        const sent = await widget.send(text);
        const reply = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot' && (e.id ?? 0) > since, 30_000, text);
        return { reply: reply.data.message, conversationId: sent.body.conversationId as string };
      },
      close: () => stream.close(),
    };
  }

  const ws = () => stack.seed.workspaceId;
  const lastUsage = (conversationId: string) =>
    waitUntil(() => AiUsageModel.findOne({ conversationId: new mongoose.Types.ObjectId(conversationId) }).sort({ createdAt: -1 }).lean(), 'usage record');
  const lastCallKey = () => openai.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)?.keyLast4;

  it('uses the workspace’s own key first, charging no credits', async () => {
    const vault = new KeyVault(stack.config.SAPA_MASTER_KEYS);
    await addApiKey(vault, { workspaceId: ws(), provider: 'openai', label: 'Kunci toko', key: OWN_KEY });
    const bot = await newBot();
    const { reply, conversationId } = await bot.ask('ongkir ke bandung berapa?');
    expect(reply.text).toContain('Rp18.000');
    expect(lastCallKey()).toBe(OWN_KEY.slice(-4));
    const usage = await lastUsage(conversationId);
    expect(usage).toMatchObject({ funding: 'own_key' });
    expect(usage.credits).toBeGreaterThan(0); // counted toward the key's monthly limit
    expect(String(usage.apiKeyId)).toMatch(/^[0-9a-f]{24}$/);
    expect(await getBalance(ws())).toBe(0);
    bot.close();
  });

  it('hands over politely and alerts the owner when the key is over its limit and credits do not cover the reply', async () => {
    const key = await ApiKeyModel.findOne({ workspaceId: new mongoose.Types.ObjectId(ws()), provider: 'openai' }).lean();
    await setMonthlyLimit(ws(), String(key!._id), 1);
    const bot = await newBot();
    const calls = openai.requests.length;
    const { reply, conversationId } = await bot.ask('ongkir ke bandung?');
    expect(reply.text).toBe(t('id', 'bot.teamWillReply'));
    expect(openai.requests.length).toBe(calls); // nobody could pay: no call was made
    await waitUntil(async () => (await ConversationModel.findById(conversationId).lean())?.mode === 'waiting_for_agent', 'handoff');
    const notice = await waitUntil(() => NoticeModel.findOne({ workspaceId: new mongoose.Types.ObjectId(ws()), kind: 'credits_exhausted' }).lean(), 'notice');
    expect(notice.vars).toMatchObject({ provider: 'openai' });
    const email = await waitUntil(() => EmailModel.findOne({ _id: `notice:${notice._id}` }).lean(), 'email');
    expect(email.to).toEqual([stack.seed.ownerEmail]);
    expect(email.status).toBe('outbox');
    expect((await lastUsage(conversationId)).outcome).toBe('unfunded');
    bot.close();
  });

  it('pays with credits when the own key is over its limit, deducting each reply once', async () => {
    await appendEntry({ workspaceId: ws(), amount: 50_000, idempotencyKey: `grant:${randomId(6)}`, kind: 'adjustment' });
    // The owner wants to hear below 100.000 credits: this reply's deduction crosses it.
    await CreditAccountModel.updateOne({ _id: ws() }, { $set: { lowBalanceThreshold: 100_000 } }, { upsert: true });
    const bot = await newBot();
    const before = await getBalance(ws());
    const { reply, conversationId } = await bot.ask('berapa ongkir ke bandung?');
    expect(reply.text).toContain('Rp18.000');
    expect(lastCallKey()).toBe(FAKE_OPENAI_KEY.slice(-4));
    const usage = await lastUsage(conversationId);
    expect(usage).toMatchObject({ funding: 'credits' });
    expect(usage.credits).toBeGreaterThan(0);
    const entry = await waitUntil(() => CreditLedgerModel.findOne({ idempotencyKey: `usage:${usage._id}` }).lean(), 'ledger entry');
    expect(entry.amount).toBe(-usage.credits!);
    expect(await getBalance(ws())).toBe(before - usage.credits!);
    expect((await verifyLedger(ws())).problems).toEqual([]);
    const low = await waitUntil(() => NoticeModel.findOne({ workspaceId: new mongoose.Types.ObjectId(ws()), kind: 'low_balance' }).lean(), 'low-balance notice');
    expect(await EmailModel.exists({ _id: `notice:${low._id}` })).toBeTruthy();
    bot.close();
  });

  it('stops the bot at the plan’s monthly reply allowance, handing customers to a person', async () => {
    const month = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7);
    await CounterModel.updateOne({ _id: `replies:${ws()}:${month}` }, { $set: { seq: 300 } }, { upsert: true });
    const bot = await newBot();
    const { reply, conversationId } = await bot.ask('ongkir ke bandung?');
    expect(reply.text).toBe(t('id', 'bot.teamWillReply'));
    await waitUntil(async () => (await ConversationModel.findById(conversationId).lean())?.mode === 'waiting_for_agent', 'handoff');
    expect(await NoticeModel.exists({ _id: `plan_limit:replies:${ws()}:${month}` })).toBeTruthy();
    await CounterModel.updateOne({ _id: `replies:${ws()}:${month}` }, { $set: { seq: 0 } });
    bot.close();
  });
});
