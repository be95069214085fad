/**
 * A web-widget conversation through the real gateway, Temporal and worker: the bot answers from the
 * knowledge, a customer asks for a person, an agent takes over, replies, hands back, and closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { ConversationModel, MessageModel, runAgentCommand, conversationTimings } from '@sapa/shared';
import { TestStack, WidgetClient, type SseClient } from '@sapa/testkit';

describe('web conversation: customer → bot → agent → bot', () => {
  let stack: TestStack;
  let widget: WidgetClient;
  let stream: SseClient;

  beforeAll(async () => {
    stack = await TestStack.start();
    widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
    const session = await widget.session();
    expect(session.status).toBe(200);
    expect(session.body.messages).toEqual([]);
    stream = await widget.stream();
  });

  afterAll(async () => {
    stream?.close();
    await stack?.stop();
  });

  const agentCommand = async (conversationId: string, command: Parameters<typeof runAgentCommand>[3]) =>
    runAgentCommand(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, {
      conversationId,
      workspaceId: stack.seed.workspaceId,
      timings: conversationTimings(stack.config),
    }, command);

  let conversationId = '';

  it('answers a question from the knowledge text, in realtime', async () => {
    const sent = await widget.send('Halo, jam berapa toko buka?');
    expect(sent.status).toBe(202);
    conversationId = sent.body.conversationId;

    const echoed = await stream.waitFor((e) => e.type === 'userMessage' && e.data.message.clientMessageId === sent.clientMessageId);
    expect(echoed.data.message.text).toBe('Halo, jam berapa toko buka?');
    await stream.waitFor((e) => e.type === 'startTyping');
    const reply = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot', 20_000, 'bot reply');
    expect(reply.data.message.text).toContain('08.00');
    // Cited by the knowledge source's name and the section the answer came from.
    expect(reply.data.message.citations.map((c: { title: string }) => c.title)).toContain('Info Toko Kopi Sapa — Jam buka');

    const conversation = await ConversationModel.findById(conversationId).lean();
    expect(conversation?.mode).toBe('bot');
    expect(conversation?.unreadCount).toBe(1);
  });

  it('says so and offers a human when the knowledge has no answer', async () => {
    await widget.send('siapa presiden pertama indonesia?');
    const reply = await stream.waitFor((e) => e.type === 'botResponse' && /CS/.test(e.data.message.text) && e.data.message.author === 'bot' && !/08\.00/.test(e.data.message.text));
    expect(reply.data.message.text).toMatch(/belum punya informasi/);
    const stored = await MessageModel.findById(reply.data.message.id).lean();
    expect(stored?.grounded).toBe(false);
  });

  it('moves to waiting_for_agent when the customer asks for a person', async () => {
    await widget.send('mau bicara dengan CS');
    await stream.waitFor((e) => e.type === 'conversationUpdated' && e.data.mode === 'waiting_for_agent');
    const told = await stream.waitFor((e) => e.type === 'botResponse' && /hubungkan/.test(e.data.message.text));
    expect(told.data.message.author).toBe('bot');
    expect((await ConversationModel.findById(conversationId).lean())?.mode).toBe('waiting_for_agent');
  });

  it('lets an agent take over and reply; the bot stays silent meanwhile', async () => {
    const agentId = new mongoose.Types.ObjectId().toString();
    const took = await agentCommand(conversationId, { kind: 'takeOver', agentId, agentName: 'Budi' });
    expect(took.mode).toBe('agent');
    const joined = await stream.waitFor((e) => e.type === 'agentJoined');
    expect(joined.data.agentName).toBe('Budi');

    const botRepliesBefore = stream.events.filter((e) => e.type === 'botResponse' && e.data.message.author === 'bot').length;
    await widget.send('jam berapa tutup hari minggu?');
    const replyId = new mongoose.Types.ObjectId().toString();
    await agentCommand(conversationId, { kind: 'reply', agentId, agentName: 'Budi', messageId: replyId, text: 'Minggu tutup jam 18.00, Kak.' });
    const agentReply = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'agent');
    expect(agentReply.data.message.text).toBe('Minggu tutup jam 18.00, Kak.');
    // Replaying the same reply (a retried form post) sends nothing new.
    await agentCommand(conversationId, { kind: 'reply', agentId, agentName: 'Budi', messageId: replyId, text: 'Minggu tutup jam 18.00, Kak.' });
    expect(await MessageModel.countDocuments({ conversationId, author: 'agent' })).toBe(1);
    const botRepliesAfter = stream.events.filter((e) => e.type === 'botResponse' && e.data.message.author === 'bot').length;
    expect(botRepliesAfter).toBe(botRepliesBefore);
  });

  it('answers again after hand back, then closes', async () => {
    const agentId = new mongoose.Types.ObjectId().toString();
    expect((await agentCommand(conversationId, { kind: 'handBack', agentId })).mode).toBe('bot');
    await stream.waitFor((e) => e.type === 'conversationUpdated' && e.data.mode === 'bot');
    await widget.send('berapa harga cappuccino?');
    const reply = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot' && /22\.000/.test(e.data.message.text));
    expect(reply.data.conversationId).toBe(conversationId);

    expect((await agentCommand(conversationId, { kind: 'close', agentId })).mode).toBe('closed');
    await stream.waitFor((e) => e.type === 'conversationUpdated' && e.data.mode === 'closed');
    await expect(agentCommand(conversationId, { kind: 'takeOver', agentId, agentName: 'Budi' })).rejects.toThrow();

    // The next message starts a new conversation.
    const next = await widget.send('halo lagi');
    expect(next.body.conversationId).not.toBe(conversationId);
  });
});
