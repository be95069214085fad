/**
 * Looking up the channel a webhook is for, and its chatbot. Both change rarely (credentials are
 * updated from the dashboard, settings by an owner), so they are cached for a few seconds: a
 * provider's burst of webhooks costs one read, and a changed secret is picked up quickly.
 */
import mongoose from 'mongoose';
import { ChannelModel, ChatbotModel, TtlCache, notFound, type Channel, type ChannelType, type Chatbot } from '@sapa/shared';

export interface InboundTarget {
  channel: Channel;
  chatbot: Chatbot;
}

const targets = new TtlCache<InboundTarget | null>(5_000);
const byRoutingKey = new TtlCache<InboundTarget | null>(5_000);

async function withChatbot(channel: Channel | null): Promise<InboundTarget | null> {
  if (!channel) return null;
  const chatbot = await ChatbotModel.findOne({ _id: channel.chatbotId, workspaceId: channel.workspaceId }).lean<Chatbot>();
  return chatbot ? { channel, chatbot } : null;
}

/** The channel named in a webhook URL; 404 for a malformed id, another type, or a disabled channel. */
export async function channelTarget(channelId: string, type: ChannelType): Promise<InboundTarget> {
  if (!mongoose.isValidObjectId(channelId) || String(new mongoose.Types.ObjectId(channelId)) !== channelId) {
    throw notFound('error.channelNotFound');
  }
  const target = await targets.get(channelId, async () => withChatbot(await ChannelModel.findById(channelId).lean<Channel>()));
  if (!target || target.channel.type !== type || target.channel.status === 'disabled') throw notFound('error.channelNotFound');
  return target;
}

/**
 * Another channel of the same workspace by its provider id (WhatsApp numbers of one Meta app share
 * the app's webhook URL, so one delivery can carry events for several of them).
 */
export async function siblingTarget(of: Channel, routingKey: string): Promise<InboundTarget | null> {
  const found = await byRoutingKey.get(`${String(of.workspaceId)}:${of.type}:${routingKey}`, async () =>
    withChatbot(
      await ChannelModel.findOne({ workspaceId: of.workspaceId, type: of.type, 'settings.routingKey': routingKey, status: { $ne: 'disabled' } }).lean<Channel>(),
    ),
  );
  return found;
}

/** Also used by sessions that live in this process (WhatsApp Web): the chatbot of a channel. */
export async function targetForChannel(channel: Channel): Promise<InboundTarget> {
  const target = await targets.get(String(channel._id), () => withChatbot(channel));
  if (!target) throw new Error(`chatbot of channel ${String(channel._id)} is missing`);
  return target;
}
