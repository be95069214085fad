/**
 * The bare limit every ingestion benchmark compares against: the same durable work without HTTP
 * and without Sapa's pipeline — one MongoDB insert and one signalWithStart per message, straight
 * from the benchmark's process, spread over `conversations` conversations.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { MessageModel, conversationTimings, signalInboundMessage } from '@sapa/shared';
import type { TestStack } from '@sapa/testkit';

export function bareIngest(stack: TestStack, channelId: string | mongoose.Types.ObjectId, conversations: number) {
  const workspaceId = new mongoose.Types.ObjectId(stack.seed.workspaceId);
  const channel = new mongoose.Types.ObjectId(String(channelId));
  const conversationIds = Array.from({ length: conversations }, () => new mongoose.Types.ObjectId());
  const timings = conversationTimings(stack.config);
  return async (i: number) => {
    const conversationId = conversationIds[i % conversations]!;
    const message = await MessageModel.create({
      workspaceId,
      conversationId,
      channelId: channel,
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
}
