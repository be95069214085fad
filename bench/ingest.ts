/**
 * Inbound ingestion: how many widget messages per second the gateway makes durable and hands to
 * Temporal, against the bare limit of the same work without HTTP and without Sapa's pipeline (one
 * MongoDB insert + one signalWithStart per message). Also the acknowledgement latency at half the
 * sustained rate.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { MessageModel, conversationTimings, signalInboundMessage } from '@sapa/shared';
import { TestStack, WidgetClient } from '@sapa/testkit';
import { closedLoop, openLoop, summarize } from './stats';

const VISITORS = 100;
const CONCURRENCY = 32;

export async function benchIngest(opts: { messages: number }) {
  // No worker: this measures the edge. Workflows start and wait in Temporal for a worker.
  const stack = await TestStack.start({ worker: 'none', env: { RATE_LIMIT_IP_PER_MINUTE: '10000000', RATE_LIMIT_VISITOR_PER_MINUTE: '10000000' } });
  try {
    const visitors = await Promise.all(
      Array.from({ length: VISITORS }, async () => {
        const w = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
        await w.session();
        return w;
      }),
    );
    const send = async (i: number) => {
      const res = await visitors[i % VISITORS]!.send(`bench message ${i}`);
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
    };

    // Warm up connections, JIT and the first message of every conversation.
    await closedLoop(VISITORS, CONCURRENCY, send);
    const ours = await closedLoop(opts.messages, CONCURRENCY, (i) => send(i + VISITORS));

    // The bare limit: the same insert and signalWithStart, straight from this process.
    const workspaceId = new mongoose.Types.ObjectId(stack.seed.workspaceId);
    const channelId = new mongoose.Types.ObjectId(stack.seed.channelId);
    const conversationIds = Array.from({ length: VISITORS }, () => new mongoose.Types.ObjectId());
    const timings = conversationTimings(stack.config);
    const bare = async (i: number) => {
      const conversationId = conversationIds[i % VISITORS]!;
      const message = await MessageModel.create({
        workspaceId,
        conversationId,
        channelId,
        channelMessageId: randomUUID(),
        direction: 'inbound',
        author: 'customer',
        text: `bare message ${i}`,
        status: 'received',
      });
      await signalInboundMessage(
        stack.temporal,
        stack.config.TEMPORAL_TASK_QUEUE,
        { conversationId: String(conversationId), workspaceId: String(workspaceId), timings },
        {
          messageId: String(message._id),
          text: message.text,
          channelMessageId: message.channelMessageId,
          contactId: String(conversationId),
          authorName: '',
          createdAt: message.createdAt.toISOString(),
        },
      );
    };
    await closedLoop(VISITORS, CONCURRENCY, bare);
    const limit = await closedLoop(opts.messages, CONCURRENCY, bare);

    const halfRate = ours.perSecond / 2;
    const latencies = await openLoop(halfRate, Math.min(opts.messages, Math.max(200, Math.round(halfRate * 5))), (i) => send(i + 10 * opts.messages));
    return {
      messages: opts.messages,
      concurrency: CONCURRENCY,
      conversations: VISITORS,
      sustainedPerSecond: Math.round(ours.perSecond),
      limitPerSecond: Math.round(limit.perSecond),
      ratio: Math.round((ours.perSecond / limit.perSecond) * 1000) / 1000,
      ackLatencyAtHalfRateMs: { ratePerSecond: Math.round(halfRate), ...summarize(latencies) },
      goals: { ratio: '>= 0.8', ackP99Ms: '<= 50' },
    };
  } finally {
    await stack.stop();
  }
}
