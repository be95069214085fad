/**
 * The inbound pipeline every channel goes through (DESIGN §3): the message is made durable in
 * MongoDB under its unique key `(channelId, channelMessageId)`, then the conversation's workflow is
 * signalled, and only then may the caller acknowledge the provider. Everything else (unread count,
 * preview, the realtime event) is the workflow's job, so the edge does as little as it can. A duplicate delivery finds the
 * stored message and signals again (the workflow drops signals it has seen), so a delivery that
 * failed half-way is completed by the provider's retry and a repeated one changes nothing.
 * Any failure propagates: the caller answers 5xx and the provider retries.
 */
import mongoose from 'mongoose';
import type { Client } from '@temporalio/client';
import {
  ContactModel,
  ConversationModel,
  MessageModel,
  conversationTimings,
  findContact,
  isDuplicateKeyError,
  signalInboundMessage,
  upsertContact,
  type Channel,
  type Chatbot,
  type Config,
} from '@sapa/shared';
import type { NormalizedInbound } from '@sapa/channels';

export interface InboundDeps {
  config: Config;
  temporal: Client;
}

export interface InboundResult {
  messageId: string;
  conversationId: string;
  contactId: string;
  duplicate: boolean;
}

type ContactRow = { _id: mongoose.Types.ObjectId; currentConversationId?: mongoose.Types.ObjectId | null };

/** The customer's contact: read first (the common case), created on their first message. */
async function findOrCreateContact(channel: Channel, inbound: NormalizedInbound): Promise<ContactRow> {
  // Read every time, not cached: a conversation closed a moment ago must not take new messages.
  const existing = await findContact(channel._id, inbound.externalContactId);
  if (existing) return existing;
  return upsertContact(
    { workspaceId: channel.workspaceId, channelId: channel._id, externalId: inbound.externalContactId },
    { name: inbound.contactName ?? '', lastSeenAt: new Date(), ...(inbound.locale ? { locale: inbound.locale } : {}) },
  );
}

/** The contact's open conversation, or a new one claimed atomically on the contact document. */
async function openConversationFor(channel: Channel, contact: ContactRow, inbound: NormalizedInbound): Promise<mongoose.Types.ObjectId> {
  if (contact.currentConversationId) return contact.currentConversationId;
  const conversationId = new mongoose.Types.ObjectId();
  await ConversationModel.create({
    _id: conversationId,
    workspaceId: channel.workspaceId,
    chatbotId: channel.chatbotId,
    channelId: channel._id,
    channelType: channel.type,
    contactId: contact._id,
    contactName: inbound.contactName ?? '',
  });
  const claimed = await ContactModel.updateOne(
    { _id: contact._id, currentConversationId: null },
    { $set: { currentConversationId: conversationId } },
  );
  if (claimed.modifiedCount === 1) return conversationId;
  // Another message of this contact opened a conversation first: use that one.
  await ConversationModel.deleteOne({ _id: conversationId });
  const current = await ContactModel.findById(contact._id).lean();
  if (!current?.currentConversationId) throw new Error('contact lost its conversation while claiming one');
  return current.currentConversationId;
}

export async function ingestInbound(
  deps: InboundDeps,
  target: { channel: Channel; chatbot: Chatbot },
  inbound: NormalizedInbound,
): Promise<InboundResult> {
  const { channel, chatbot } = target;
  const key = { channelId: channel._id, channelMessageId: inbound.channelMessageId };

  const contact = await findOrCreateContact(channel, inbound);
  const contactId = String(contact._id);
  // A message that would open a new conversation is checked for being a re-delivery first, so a
  // duplicate never opens an empty conversation. Otherwise the unique index is the check: reading
  // first would cost a query per message.
  let message = contact.currentConversationId ? null : await MessageModel.findOne(key).lean();
  let duplicate = message !== null;
  if (!message) {
    const conversationId = await openConversationFor(channel, contact, inbound);
    try {
      const created = await MessageModel.create({
        ...key,
        workspaceId: channel.workspaceId,
        conversationId,
        ...(inbound.fromBusiness
          ? // Typed on the business's own phone: an agent message, already delivered by WhatsApp.
            { direction: 'outbound', author: 'agent', authorName: '', status: 'sent', providerMessageId: inbound.channelMessageId }
          : { direction: 'inbound', author: 'customer', authorName: inbound.contactName ?? '', status: 'received' }),
        type: inbound.kind,
        text: inbound.text,
        ...(inbound.media ? { media: { kind: inbound.kind, ...inbound.media, state: inbound.media.storageKey ? 'stored' : 'pending' } } : {}),
        ...(inbound.details ? { details: inbound.details } : {}),
        ...(inbound.replyTo ? { replyTo: inbound.replyTo } : {}),
      });
      message = created.toObject();
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // A re-delivery, or the same delivery arriving concurrently: it is stored already.
      message = await MessageModel.findOne(key).lean();
      duplicate = true;
      if (!message) throw err;
    }
  }

  // The workflow records the message on the conversation (unread count, preview, realtime event):
  // the edge only makes it durable and hands it over, keeping the acknowledgement fast.
  const conversationId = String(message.conversationId);
  await signalInboundMessage(
    deps.temporal,
    deps.config.TEMPORAL_TASK_QUEUE,
    { conversationId, workspaceId: String(channel.workspaceId), timings: conversationTimings(deps.config, chatbot) },
    {
      messageId: String(message._id),
      text: message.text,
      kind: message.type ?? 'text',
      author: message.author === 'agent' ? 'business' : 'customer',
      mediaPending: message.media?.state === 'pending',
      channelMessageId: message.channelMessageId,
      contactId,
      authorName: message.authorName ?? '',
      createdAt: (message.createdAt ?? new Date()).toISOString(),
    },
  );
  return { messageId: String(message._id), conversationId, contactId, duplicate };
}
