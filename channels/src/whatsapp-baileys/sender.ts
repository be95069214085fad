/**
 * The WhatsApp Web sender the worker's delivery activity calls. The socket lives in whichever
 * gateway process holds the number's lease, so sending here means queueing: the message goes into
 * the outbox under Sapa's outbound id (a retried delivery inserts nothing) and the session sends it,
 * paced, and reports `sent` (or `failed`) on the stored message itself.
 */
import mongoose from 'mongoose';
import { z } from 'zod';
import type { Channel } from '@sapa/shared';
import type { ChannelRuntime } from '../index';
import { ChannelSendError, type ChannelSender, type OutboundMessage, type SendResult } from '../types';
import { BaileysOutboxModel } from './models';

const outboundSchema = z.object({
  messageId: z.string().min(1).max(200),
  storedMessageId: z.string().regex(/^[a-f0-9]{24}$/i, 'a stored message id'),
  contactExternalId: z.string().regex(/^[^@\s]+@[a-z.]+$/, 'a WhatsApp JID'),
});

const ids = (channel: Channel) => ({
  channelId: new mongoose.Types.ObjectId(String(channel._id)),
  workspaceId: new mongoose.Types.ObjectId(String(channel.workspaceId)),
});

/** Drop `undefined` fields: the outbox keeps the message as a plain document. */
const plain = (message: OutboundMessage) => JSON.parse(JSON.stringify(message)) as OutboundMessage;

export function createBaileysSender(runtime: ChannelRuntime): ChannelSender {
  return {
    async send(channel, message): Promise<SendResult> {
      if (channel.type !== 'whatsapp_baileys') throw new ChannelSendError('permanent', `not a WhatsApp Web channel: ${channel.type}`);
      if (channel.status === 'needs_reconnect') {
        throw new ChannelSendError('auth', 'WhatsApp Web is logged out: pair the number again', { code: 'channel_auth' });
      }
      if (channel.status === 'disabled') throw new ChannelSendError('permanent', 'the WhatsApp Web channel is disconnected', { code: 'channel_disabled' });
      const checked = outboundSchema.safeParse(message);
      if (!checked.success) throw new ChannelSendError('permanent', `invalid outbound message: ${checked.error.issues[0]?.message ?? 'invalid'}`);

      const before = await BaileysOutboxModel.findOneAndUpdate(
        { _id: message.messageId },
        { $setOnInsert: { ...ids(channel), kind: 'message', state: 'queued', message: plain(message), attempts: 0 } },
        { upsert: true, returnDocument: 'before', lean: true },
      );
      // A retried delivery of a message already sent reports what happened to it.
      if (before?.state === 'sent' && before.providerMessageId) return { status: 'sent', providerMessageId: before.providerMessageId };
      return { status: 'queued' };
    },

    async acknowledge(channel, target) {
      try {
        await BaileysOutboxModel.updateOne(
          { _id: `ack:${String(channel._id)}:${target.channelMessageId}` },
          { $setOnInsert: { ...ids(channel), kind: 'ack', state: 'queued', ack: target } },
          { upsert: true },
        );
      } catch (err) {
        // Best effort by contract: blue ticks are not worth failing a reply for.
        runtime.logger.warn({ err: (err as Error).message, channelId: String(channel._id) }, 'could not queue a WhatsApp Web read receipt');
      }
    },
  };
}
