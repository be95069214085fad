/**
 * Every channel end to end, with the real clients pointed at testkit's wire-faithful fakes: an
 * inbound message through the gateway gets the bot's answer through the provider's API, then an
 * agent takes over (the same Temporal update the inbox sends) and the customer receives the
 * agent's reply on the channel the conversation came from.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelModel,
  ContactModel,
  ConversationModel,
  MessageModel,
  conversationTimings,
  runAgentCommand,
  type AgentCommand,
} from '@sapa/shared';
import { connectTelegramBot } from '@sapa/channels/telegram/connect';
import { TEST_WHATSAPP, TestStack, createWhatsappCloudChannel, waitUntil } from '@sapa/testkit';
import { deliverWebhook, messageWebhook, startFakeGraph, textWebhook, type FakeGraph } from '@sapa/testkit/fakes/whatsapp-graph';
import { fakeBotToken, startFakeTelegram, type FakeTelegram } from '@sapa/testkit/fakes/telegram';

const PHONE_NUMBER_ID = '106540352242922';
const agentId = new mongoose.Types.ObjectId().toString();

async function agentCommand(stack: TestStack, conversationId: string, command: AgentCommand) {
  const ref = { conversationId, workspaceId: stack.seed.workspaceId, timings: conversationTimings(stack.config) };
  return runAgentCommand(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, ref, command);
}
const reply = (text: string): AgentCommand => ({ kind: 'reply', agentId, agentName: 'Rina', messageId: new mongoose.Types.ObjectId().toString(), text });

describe('WhatsApp Cloud end to end', () => {
  let stack: TestStack;
  let graph: FakeGraph;
  let webhookUrl: string;
  let channelId: string;

  beforeAll(async () => {
    graph = await startFakeGraph({
      numbers: [{ phoneNumberId: PHONE_NUMBER_ID, accessToken: TEST_WHATSAPP.accessToken, wabaId: TEST_WHATSAPP.wabaId }],
      templates: {
        [TEST_WHATSAPP.wabaId]: [
          { name: 'order_update', language: 'id', status: 'APPROVED', components: [{ type: 'BODY', text: 'Halo {{1}}, pesanan Anda sudah dikirim.' }] },
        ],
      },
    });
    stack = await TestStack.start({ env: { WHATSAPP_GRAPH_URL: graph.url, BATCH_WINDOW_MS: '200', CHANNEL_RATE_LIMIT_MAX_WAIT_MS: '3000' } });
    channelId = String((await createWhatsappCloudChannel(stack.config, stack.seed, { phoneNumberId: PHONE_NUMBER_ID }))._id);
    webhookUrl = `${stack.gatewayUrl}/v1/webhooks/whatsapp/${channelId}`;
    // Meta reports sent → delivered → read for every accepted message, signed, to our webhook.
    graph.setAutoStatuses({ webhookUrl, appSecret: TEST_WHATSAPP.appSecret });
  });
  afterAll(async () => {
    await stack?.stop();
    await graph?.close();
  });

  const customerSays = (from: string, text: string) =>
    deliverWebhook(webhookUrl, textWebhook({ phoneNumberId: PHONE_NUMBER_ID, from, name: 'Budi', text }), TEST_WHATSAPP.appSecret);
  const sentTo = (to: string) => graph.state.sent.filter((m) => m.to === to);
  const textOf = (m: { body: Record<string, unknown> }) => String((m.body.text as { body?: string } | undefined)?.body ?? '');

  it('answers from the knowledge, then the agent takes over and the customer gets the agent reply', async () => {
    const customer = '6281234500001';
    expect(await customerSays(customer, 'berapa harga americano?')).toBe(200);
    const answer = await waitUntil(() => sentTo(customer).find((m) => textOf(m).includes('15.000')), 'the bot answer at the Graph API');
    expect(answer.type).toBe('text');
    // Read receipt + typing indicator for the customer's message while the answer was prepared.
    expect(graph.state.reads.some((r) => r.phoneNumberId === PHONE_NUMBER_ID && r.typing)).toBe(true);

    // The delivery reports Meta sent move the stored answer to "read".
    const stored = await waitUntil(
      async () => (await MessageModel.findOne({ providerMessageId: answer.wamid, status: 'read' }).lean()) ?? null,
      'the answer marked read',
    ).catch(async (err: Error) => {
      // Say what the database and the fake saw, so a failure here explains itself.
      const messages = await MessageModel.find({ direction: 'outbound' }, { text: 1, status: 1, providerMessageId: 1 }).lean();
      const hooks = graph.state.webhooks.map((w) => `${w.status} ${w.body.match(/"status":"(\w+)"/)?.[1] ?? '?'}`);
      throw new Error(`${err.message}; outbound: ${JSON.stringify(messages)}; sends: ${sentTo(customer).map((m) => m.wamid).join(',')}; webhooks: ${hooks.join(', ')}`);
    });
    const conversationId = String(stored.conversationId);

    await agentCommand(stack, conversationId, { kind: 'takeOver', agentId, agentName: 'Rina' });
    await agentCommand(stack, conversationId, reply('Halo Budi, saya Rina dari toko. Americano ready ya.'));
    await waitUntil(() => sentTo(customer).find((m) => textOf(m).includes('saya Rina dari toko')), 'the agent reply at the Graph API');
    // In agent mode the bot stays quiet.
    const before = sentTo(customer).length;
    await customerSays(customer, 'oke saya pesan 2');
    await waitUntil(async () => (await MessageModel.countDocuments({ text: 'oke saya pesan 2' })) === 1, 'the next message stored');
    await new Promise((r) => setTimeout(r, 800));
    expect(sentTo(customer)).toHaveLength(before);
  });

  it('offers a person with a button when it has no answer; tapping it hands the conversation over', async () => {
    const customer = '6281234500006';
    await customerSays(customer, 'apakah kalian menjual sepatu futsal ukuran 44?');
    const offer = await waitUntil(() => sentTo(customer).find((m) => m.type === 'interactive'), 'the answer with a button');
    const interactive = offer.body.interactive as { type: string; action: { buttons: Array<{ reply: { id: string; title: string } }> } };
    expect(interactive.type).toBe('button');
    const button = interactive.action.buttons[0]!.reply;
    expect(button).toEqual({ id: 'sapa:human', title: 'Bicara dengan CS' });

    const tap = messageWebhook({
      phoneNumberId: PHONE_NUMBER_ID,
      from: customer,
      name: 'Budi',
      message: { type: 'interactive', context: { from: '15550783881', id: offer.wamid }, interactive: { type: 'button_reply', button_reply: button } },
    });
    expect(await deliverWebhook(webhookUrl, tap, TEST_WHATSAPP.appSecret)).toBe(200);
    const stored = await waitUntil(async () => MessageModel.findOne({ type: 'interactive', 'details.interactive.id': 'sapa:human' }).lean(), 'the tap stored');
    await waitUntil(
      async () => (await ConversationModel.findById(stored.conversationId).lean())?.mode === 'waiting_for_agent',
      'the conversation waiting for an agent',
    );
  });

  it('fetches a voice note into media storage and tells the customer the bot cannot listen', async () => {
    const customer = '6281234500002';
    const audio = Buffer.from('OggS fake opus voice note bytes');
    const mediaId = graph.addMedia(audio, 'audio/ogg; codecs=opus');
    const payload = messageWebhook({
      phoneNumberId: PHONE_NUMBER_ID,
      from: customer,
      name: 'Sari',
      message: { type: 'audio', audio: { id: mediaId, mime_type: 'audio/ogg; codecs=opus', sha256: 'x', voice: true } },
    });
    expect(await deliverWebhook(webhookUrl, payload, TEST_WHATSAPP.appSecret)).toBe(200);
    const stored = await waitUntil(
      async () => (await MessageModel.findOne({ type: 'voice', 'media.state': 'stored' }).lean()) ?? null,
      'the voice note fetched into storage',
    );
    expect(stored.media?.mimeType).toMatch(/^audio\/ogg/);
    expect(stored.media?.size).toBe(audio.length);
    await waitUntil(() => sentTo(customer).find((m) => /lampiran|attachments/.test(textOf(m))), 'the cannot-read answer');
  });

  it('outside the 24-hour window sends nothing free-form, but sends an approved template', async () => {
    const customer = '6281234500003';
    await customerSays(customer, 'halo');
    const firstAnswer = await waitUntil(() => sentTo(customer)[0], 'the greeting');
    expect(firstAnswer).toBeDefined();
    const message = await MessageModel.findOne({ text: 'halo', channelId: new mongoose.Types.ObjectId(channelId) }).sort({ createdAt: -1 }).lean();
    const conversationId = String(message!.conversationId);
    // Two days later: the window has closed.
    await ConversationModel.updateOne({ _id: message!.conversationId }, { $set: { lastCustomerMessageAt: new Date(Date.now() - 2 * 86_400_000) } });

    const sends = sentTo(customer).length;
    const late = reply('Maaf baru balas, kak');
    await agentCommand(stack, conversationId, late);
    const failed = await MessageModel.findOne({ channelMessageId: (late as { messageId: string }).messageId }).lean();
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'window_closed' });
    expect(sentTo(customer)).toHaveLength(sends);

    await agentCommand(stack, conversationId, {
      kind: 'sendTemplate',
      agentId,
      agentName: 'Rina',
      messageId: new mongoose.Types.ObjectId().toString(),
      template: { name: 'order_update', language: 'id', bodyParams: ['Budi'] },
      previewText: 'Halo Budi, pesanan Anda sudah dikirim.',
    });
    const template = await waitUntil(() => sentTo(customer).find((m) => m.type === 'template'), 'the template at the Graph API');
    expect(template.body.template).toMatchObject({ name: 'order_update', language: { code: 'id' } });
  });

  it('re-engages a customer whose conversation has closed with a template, reopening it for the agent', async () => {
    const customer = '6281234500005';
    await customerSays(customer, 'halo, masih buka?');
    await waitUntil(() => sentTo(customer)[0], 'the answer');
    const message = await MessageModel.findOne({ text: 'halo, masih buka?' }).lean();
    const conversationId = String(message!.conversationId);
    await agentCommand(stack, conversationId, { kind: 'close', agentId });
    await ConversationModel.updateOne({ _id: message!.conversationId }, { $set: { lastCustomerMessageAt: new Date(Date.now() - 3 * 86_400_000) } });

    // Without reopening, a command cannot start a closed conversation's workflow again.
    const template = (id: string): AgentCommand => ({
      kind: 'sendTemplate',
      agentId,
      agentName: 'Rina',
      messageId: id,
      template: { name: 'order_update', language: 'id', bodyParams: ['Sari'] },
      previewText: 'Halo Sari, pesanan Anda sudah dikirim.',
    });
    const ref = { conversationId, workspaceId: stack.seed.workspaceId, timings: conversationTimings(stack.config) };
    await expect(runAgentCommand(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, ref, template(new mongoose.Types.ObjectId().toString()))).rejects.toThrow();

    const result = await runAgentCommand(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, ref, template(new mongoose.Types.ObjectId().toString()), { reopen: true });
    expect(result.mode).toBe('agent');
    await waitUntil(() => sentTo(customer).find((m) => m.type === 'template'), 'the template at the Graph API');
    const reopened = await ConversationModel.findById(conversationId).lean();
    expect(reopened?.mode).toBe('agent');
    expect(String((await ContactModel.findById(reopened!.contactId).lean())?.currentConversationId)).toBe(conversationId);
  });

  it('retries a throughput limit, and flags the channel when the token is revoked', async () => {
    const customer = '6281234500004';
    graph.failNext(PHONE_NUMBER_ID, { code: 130429 });
    await customerSays(customer, 'jam berapa toko buka?');
    await waitUntil(() => sentTo(customer).find((m) => textOf(m).length > 0), 'the answer after the rate limit');

    graph.failNext(PHONE_NUMBER_ID, { code: 190, times: Infinity });
    const message = await MessageModel.findOne({ text: 'jam berapa toko buka?' }).lean();
    const revoked = reply('Tes setelah token dicabut');
    await agentCommand(stack, String(message!.conversationId), revoked);
    expect(await MessageModel.findOne({ channelMessageId: (revoked as { messageId: string }).messageId }).lean()).toMatchObject({
      status: 'failed',
      errorCode: 'channel_auth',
    });
    expect(await ChannelModel.findById(channelId).lean()).toMatchObject({ status: 'needs_reconnect' });
    graph.clearFailures(PHONE_NUMBER_ID);
  });
});

describe('Telegram end to end', () => {
  let stack: TestStack;
  let telegram: FakeTelegram;
  const token = fakeBotToken(777000111);

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    telegram.addBot({ token, id: 777000111, username: 'toko_kopi_bot' });
    stack = await TestStack.start({ env: { TELEGRAM_API_ROOT: telegram.url, BATCH_WINDOW_MS: '200' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await telegram?.close();
  });

  it('connects, answers through the Bot API, and delivers the agent reply after a takeover', async () => {
    // Connect as the dashboard does: getMe validates the token, setWebhook points Telegram at us.
    const channel = await ChannelModel.create({
      workspaceId: new mongoose.Types.ObjectId(stack.seed.workspaceId),
      chatbotId: new mongoose.Types.ObjectId(stack.seed.chatbotId),
      type: 'telegram',
      name: 'Telegram',
      status: 'connecting',
    });
    const webhookSecret = 'e2e_secret-0123456789abcdef';
    const bot = await connectTelegramBot(stack.config, {
      botToken: token,
      webhookUrl: `${stack.gatewayUrl}/v1/webhooks/telegram/${String(channel._id)}`,
      webhookSecret,
    });
    const { KeyVault, sealSecrets } = await import('@sapa/shared');
    await ChannelModel.updateOne(
      { _id: channel._id },
      {
        $set: {
          status: 'active',
          settings: { routingKey: String(bot.botId), botId: bot.botId, username: bot.username },
          secrets: sealSecrets(new KeyVault(stack.config.SAPA_MASTER_KEYS), { botToken: token, webhookSecret }),
        },
      },
    );

    const chatId = 5550001;
    telegram.addChat(chatId, { firstName: 'Dewi' });
    const delivered = await telegram.deliverUpdate(token, telegram.textUpdate({ chatId, text: 'berapa harga americano?', firstName: 'Dewi' }));
    expect(delivered.status).toBe(200);
    const answer = await waitUntil(() => telegram.sentMessages(chatId).find((m) => m.text?.includes('15.000')), 'the bot answer at the Bot API');
    expect(answer.method).toBe('sendMessage');
    expect(telegram.callsOf('sendChatAction').some((c) => String((c.params as { chat_id?: unknown }).chat_id) === String(chatId))).toBe(true);

    const stored = await MessageModel.findOne({ channelId: channel._id, text: 'berapa harga americano?' }).lean();
    const conversationId = String(stored!.conversationId);
    await agentCommand(stack, conversationId, reply('Halo Dewi, dari Rina. Ada promo hari ini!'));
    await waitUntil(() => telegram.sentMessages(chatId).find((m) => m.text?.includes('dari Rina')), 'the agent reply at the Bot API');
    const contact = await ContactModel.findOne({ channelId: channel._id, externalId: String(chatId) }).lean();
    expect(contact?.name).toBe('Dewi');

    // A button press is stored as the customer's choice and its spinner is stopped.
    const press = telegram.callbackUpdate({ chatId, data: 'menu:kopi', messageId: answer.messageId, buttonText: 'Menu kopi', firstName: 'Dewi' });
    expect((await telegram.deliverUpdate(token, press)).status).toBe(200);
    await waitUntil(async () => (await MessageModel.findOne({ channelId: channel._id, type: 'interactive' }).lean()) ?? null, 'the button press stored');
    await waitUntil(() => telegram.answeredCallbacks.length > 0, 'answerCallbackQuery');
  });
});

describe('a disconnected channel', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start();
  });
  afterAll(async () => stack?.stop());

  it('records an agent reply as not sent instead of retrying forever, and the conversation still closes', async () => {
    const workspaceId = new mongoose.Types.ObjectId(stack.seed.workspaceId);
    // A Telegram channel the owner disconnected (credentials removed), with a conversation from before.
    const channel = await ChannelModel.create({
      workspaceId,
      chatbotId: new mongoose.Types.ObjectId(stack.seed.chatbotId),
      type: 'telegram',
      name: 'Telegram (lama)',
      status: 'disabled',
      settings: { routingKey: '999', botId: 999, username: 'lama_bot' },
    });
    const contact = await ContactModel.create({ workspaceId, channelId: channel._id, externalId: '4242', name: 'Joko' });
    const conversation = await ConversationModel.create({
      workspaceId,
      chatbotId: channel.chatbotId,
      channelId: channel._id,
      channelType: 'telegram',
      contactId: contact._id,
      contactName: 'Joko',
      mode: 'waiting_for_agent',
      lastCustomerMessageAt: new Date(),
    });
    await ContactModel.updateOne({ _id: contact._id }, { $set: { currentConversationId: conversation._id } });
    const conversationId = String(conversation._id);

    const late = reply('Maaf kak, kami sudah pindah ke WhatsApp');
    expect((await agentCommand(stack, conversationId, late)).mode).toBe('agent');
    expect(await MessageModel.findOne({ channelMessageId: (late as { messageId: string }).messageId }).lean()).toMatchObject({
      status: 'failed',
      errorCode: 'channel_disconnected',
    });
    expect((await agentCommand(stack, conversationId, { kind: 'close', agentId })).mode).toBe('closed');
    expect((await ChannelModel.findById(channel._id).lean())?.status).toBe('disabled');
  });
});

