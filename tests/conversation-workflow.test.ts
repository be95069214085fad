/**
 * The conversation workflow's own behaviour: batching, the batch's maximum wait, inactivity close,
 * continue-as-new with its state carried over, and idempotent delivery.
 */
import { afterEach, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import {
  ContactModel,
  ConversationModel,
  EventModel,
  MessageModel,
  conversationTimings,
  conversationWorkflowId,
  runAgentCommand,
} from '@sapa/shared';
import { TestStack, WidgetClient } from '@sapa/testkit';
import { createActivities } from '../workflows/src/activities';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('conversation workflow', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  async function open(env: Record<string, string>) {
    stack = await TestStack.start({ env });
    const widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
    await widget.session();
    const stream = await widget.stream();
    return { stack, widget, stream };
  }

  it('answers lines that arrive close together as one batch', async () => {
    const { widget, stream } = await open({ BATCH_WINDOW_MS: '800', BATCH_MAX_WAIT_MS: '5000' });
    const first = await widget.send('halo kak');
    await widget.send('mau tanya');
    await widget.send('jam berapa toko buka?');
    const reply = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot');
    expect(reply.data.message.text).toContain('08.00');
    await sleep(1500);
    expect(await MessageModel.countDocuments({ conversationId: first.body.conversationId, author: 'bot' })).toBe(1);
  });

  it('does not let a steady stream of lines postpone the answer past the maximum wait', async () => {
    const { widget, stream } = await open({ BATCH_WINDOW_MS: '700', BATCH_MAX_WAIT_MS: '1000' });
    let repliedWhileTyping = false;
    for (let i = 0; i < 14; i++) {
      await widget.send(i === 0 ? 'jam berapa toko buka?' : `tambahan ${i}`);
      if (stream.events.some((e) => e.type === 'botResponse')) repliedWhileTyping = true;
      await sleep(300);
    }
    // Lines came every 300 ms (< the 700 ms window) for 4 s: only the 1 s cap can have flushed a batch.
    expect(repliedWhileTyping).toBe(true);
  });

  it('closes an inactive conversation and starts a new one on the next message', async () => {
    const { widget, stream } = await open({ BATCH_WINDOW_MS: '0', INACTIVITY_CLOSE_MS: '1500' });
    const sent = await widget.send('jam berapa toko buka?');
    await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot');
    const closed = await stream.waitFor((e) => e.type === 'conversationUpdated' && e.data.mode === 'closed', 15_000, 'inactivity close');
    expect(closed.data.conversationId).toBe(sent.body.conversationId);
    const conversation = await ConversationModel.findById(sent.body.conversationId).lean();
    expect(conversation?.mode).toBe('closed');
    expect(conversation?.closedReason).toBe('inactive');
    const notice = await MessageModel.findOne({ conversationId: sent.body.conversationId, author: 'system' }).lean();
    expect(notice?.text).toMatch(/tidak ada aktivitas/);
    expect((await ContactModel.findOne({ externalId: widget.visitorId }).lean())?.currentConversationId).toBeNull();

    const next = await widget.send('halo lagi');
    expect(next.body.conversationId).not.toBe(sent.body.conversationId);
  });

  it('continues as new before the history grows large, keeping its mode and answering on', async () => {
    const { stack, widget, stream } = await open({ BATCH_WINDOW_MS: '0', CONVERSATION_HISTORY_LIMIT: '60', RATE_LIMIT_VISITOR_PER_MINUTE: '1000' });
    const first = await widget.send('jam berapa toko buka?');
    const conversationId = first.body.conversationId;
    await stream.waitFor((e) => e.type === 'botResponse');
    const handle = stack.temporal.workflow.getHandle(conversationWorkflowId(conversationId));
    const firstRunId = (await handle.describe()).runId;

    const ref = { conversationId, workspaceId: stack.seed.workspaceId, timings: conversationTimings(stack.config) };
    const agentId = new mongoose.Types.ObjectId().toString();
    await runAgentCommand(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, ref, { kind: 'takeOver', agentId, agentName: 'Rina' });
    // In agent mode every line is only recorded; enough of them push the history past the limit.
    for (let i = 0; i < 40; i++) expect((await widget.send(`pesan ${i}`)).status).toBe(202);
    let runId = firstRunId;
    for (let i = 0; i < 50 && runId === firstRunId; i++) {
      await sleep(200);
      runId = (await handle.describe()).runId;
    }
    expect(runId).not.toBe(firstRunId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await handle.query<{ mode: string; continuedAsNew: boolean }>('state')).toMatchObject({ mode: 'agent', continuedAsNew: true });

    const back = await runAgentCommand(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, ref, { kind: 'handBack', agentId });
    expect(back.mode).toBe('bot');
    const since = stream.lastId ?? 0;
    await widget.send('berapa harga americano?');
    const reply = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot' && (e.id ?? 0) > since);
    expect(reply.data.message.text).toContain('15.000');
  });

  it('delivers an outbound message once however often the activity runs', async () => {
    const { stack, widget, stream } = await open({ BATCH_WINDOW_MS: '0' });
    const sent = await widget.send('halo');
    await stream.waitFor((e) => e.type === 'botResponse');
    // A sender that counts: the provider must see the message once, not just the database.
    let sends = 0;
    const activities = createActivities({
      config: stack.config,
      registry: {
        senderFor: () => ({
          send: async () => {
            sends += 1;
            return { status: 'delivered' as const };
          },
        }),
        mediaFetcherFor: () => undefined,
      },
    });
    const input = {
      conversationId: sent.body.conversationId,
      workspaceId: stack.seed.workspaceId,
      messageId: 'retry-test-1',
      author: 'bot' as const,
      text: 'Pesan yang dikirim sekali saja.',
    };
    await Promise.all([activities.deliverMessage(input), activities.deliverMessage(input)]);
    await activities.deliverMessage(input);
    const stored = await MessageModel.find({ channelMessageId: 'retry-test-1' }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.status).toBe('delivered');
    expect(sends).toBe(1);
    expect(await EventModel.countDocuments({ dedupeKey: `msg:${String(stored[0]!._id)}` })).toBe(1);
    const seen = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.text === 'Pesan yang dikirim sekali saja.');
    await sleep(500);
    expect(stream.events.filter((e) => e.data?.message?.id === seen.data.message.id)).toHaveLength(1);
  });
});
