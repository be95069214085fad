/**
 * WhatsApp Web end to end with testkit's fake socket in the gateway: the owner pairs by QR, a
 * customer's message gets the bot's answer through the session (with "typing…" and a read
 * receipt), an agent takes over from the inbox and the customer receives the reply, and the owner
 * typing on their own phone takes the conversation over from the bot.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelModel, ConversationModel, MessageModel, conversationTimings, runAgentCommand } from '@sapa/shared';
import { TestStack, createWhatsappWebChannel, waitUntil } from '@sapa/testkit';
import { FakeWhatsAppWeb, fakeMessage, fakeText } from '@sapa/testkit/fakes/baileys-socket';

describe('WhatsApp Web end to end', () => {
  let stack: TestStack;
  let whatsapp: FakeWhatsAppWeb;
  let channelId: string;

  beforeAll(async () => {
    whatsapp = new FakeWhatsAppWeb();
    stack = await TestStack.start({ baileysSocketFactory: whatsapp.socketFactory, env: { BATCH_WINDOW_MS: '200' } });
    channelId = String((await createWhatsappWebChannel(stack.seed))._id);
  });
  afterAll(async () => stack?.stop());

  const textsTo = (jid: string) =>
    whatsapp.sent.filter((m) => m.jid === jid).map((m) => ('text' in m.content ? m.content.text : ''));

  it('pairs by QR: the QR is shown on the channel, then the channel is connected', async () => {
    const withQr = await waitUntil(async () => (await ChannelModel.findById(channelId).lean())?.pairing?.qr, 'a pairing QR on the channel');
    expect(withQr.length).toBeGreaterThan(10);
    whatsapp.scan('6281111111111');
    const connected = await waitUntil(
      async () => ((await ChannelModel.findById(channelId).lean())?.status === 'active' ? await ChannelModel.findById(channelId).lean() : null),
      'the channel connected',
    );
    expect(connected.settings).toMatchObject({ phoneNumber: '6281111111111' });
  });

  it('answers a customer, then delivers the agent reply after a takeover', async () => {
    const customer = '6282222222222@s.whatsapp.net';
    whatsapp.receive(fakeText(customer, 'berapa harga americano?'));
    await waitUntil(() => textsTo(customer).find((t) => t.includes('15.000')), 'the bot answer through the socket');
    expect(whatsapp.presences.some((p) => p.jid === customer && p.state === 'composing')).toBe(true);
    expect(whatsapp.reads.length).toBeGreaterThan(0);

    const stored = await MessageModel.findOne({ text: 'berapa harga americano?' }).lean();
    const conversationId = String(stored!.conversationId);
    const ref = { conversationId, workspaceId: stack.seed.workspaceId, timings: conversationTimings(stack.config) };
    const agentId = new mongoose.Types.ObjectId().toString();
    await runAgentCommand(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, ref, {
      kind: 'reply',
      agentId,
      agentName: 'Rina',
      messageId: new mongoose.Types.ObjectId().toString(),
      text: 'Halo kak, Rina di sini. Mau pesan berapa?',
    });
    await waitUntil(() => textsTo(customer).find((t) => t.includes('Rina di sini')), 'the agent reply through the socket');
    // WhatsApp's acknowledgement moves the stored reply past "queued".
    await waitUntil(
      async () => MessageModel.findOne({ text: 'Halo kak, Rina di sini. Mau pesan berapa?', status: { $in: ['sent', 'delivered', 'read'] } }).lean(),
      'the agent reply acknowledged',
    );
  });

  it('takes the conversation over when the owner types on their own phone', async () => {
    const customer = '6283333333333@s.whatsapp.net';
    whatsapp.receive(fakeText(customer, 'jam berapa toko buka?'));
    await waitUntil(() => textsTo(customer).length > 0, 'the bot answer');
    const conversation = await waitUntil(
      async () => MessageModel.findOne({ text: 'jam berapa toko buka?' }).lean(),
      'the customer message stored',
    );

    whatsapp.receive(fakeMessage({ chat: customer, fromMe: true, message: { conversation: 'Saya pemiliknya, saya bantu langsung ya' } }), 'append');
    const fromPhone = await waitUntil(
      async () => MessageModel.findOne({ text: 'Saya pemiliknya, saya bantu langsung ya' }).lean(),
      'the owner message stored',
    );
    expect(fromPhone).toMatchObject({ direction: 'outbound', author: 'agent' });
    await waitUntil(
      async () => (await ConversationModel.findById(conversation.conversationId).lean())?.mode === 'agent',
      'the conversation in agent mode',
    );

    const before = textsTo(customer).length;
    whatsapp.receive(fakeText(customer, 'oke, ditunggu'));
    await waitUntil(async () => MessageModel.findOne({ text: 'oke, ditunggu' }).lean(), 'the next message stored');
    await new Promise((r) => setTimeout(r, 1000));
    expect(textsTo(customer)).toHaveLength(before); // the bot stays quiet
  });
});
