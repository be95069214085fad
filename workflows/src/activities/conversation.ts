/**
 * The conversation workflow's side effects. Each activity is idempotent: it may run more than once
 * (retries, a worker killed mid-way), so writes are keyed (message ids, event dedupe keys) and
 * conditional (mode changes only touch an open conversation).
 */
import mongoose from 'mongoose';
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  ChannelModel,
  ChatbotModel,
  ContactModel,
  ConversationModel,
  MediaStore,
  MediaTooLargeError,
  MessageModel,
  TtlCache,
  setOutboundStatus,
  isDuplicateKeyError,
  isLocale,
  previewOf,
  publishEvent,
  t,
  toPublicMessage,
  type Channel,
  type Chatbot,
  type Config,
  type Contact,
  type ConversationMode,
  type InboundSignal,
  type Locale,
  type MessageAuthor,
  type MessageKey,
  type OutboundAttachment,
} from '@sapa/shared';
import { ChannelSendError, type ChannelRegistry, type OutboundMessage, type SendResult } from '@sapa/channels';
import type { ReplyDecision, ReplyEngine } from './replies';

export interface ConversationRefInput {
  conversationId: string;
  workspaceId: string;
}

export type { ReplyDecision };

export interface DeliverInput extends ConversationRefInput {
  /** Sapa's outbound id: delivering the same id twice sends once. */
  messageId: string;
  author: Exclude<MessageAuthor, 'customer'>;
  authorName?: string;
  agentId?: string;
  /** Literal text, or a catalog message rendered in the contact's language. */
  text?: string;
  catalog?: { key: MessageKey; vars?: Record<string, string> };
  locale?: Locale;
  citations?: Array<{ title: string; url?: string }>;
  grounded?: boolean;
  /**
   * Add a "talk to a person" quick-reply button where the channel has buttons (WhatsApp Cloud,
   * Telegram); tapping it sends its title, which hands the conversation over.
   */
  offerHumanButton?: boolean;
  /** A file from the media store (an agent's attachment); `text` is its caption. */
  media?: OutboundAttachment;
  /** An approved WhatsApp template (agents, outside the 24-hour window); `text` is its preview. */
  template?: { name: string; language: string; bodyParams: string[] };
}

export interface SetModeInput extends ConversationRefInput {
  mode: Exclude<ConversationMode, 'closed'>;
  reason: string;
  /** Unique per mode change: makes the change's events idempotent. */
  key: string;
  agentId?: string;
  agentName?: string;
}

const oid = (id: string) => new mongoose.Types.ObjectId(id);

/** The id of the bot's "talk to a person" button (its title is what hands over, on every channel). */
export const HUMAN_BUTTON_ID = 'sapa:human';

/** What a send did to the stored message (applied locally instead of reading it back). */
type SendOutcome = { status: 'queued' | 'sent' | 'delivered' } | { status: 'failed'; errorCode: string; error: string };

/** A database write that must not be lost to one hiccup (after a send that cannot be repeated). */
async function withWriteRetries<T>(write: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/** Longer than any send can take (the activity's start-to-close timeout is 30 s). */
const STALE_CLAIM_MS = 60_000;

async function claimSend(messageId: mongoose.Types.ObjectId): Promise<boolean> {
  const res = await MessageModel.updateOne(
    { _id: messageId, status: 'pending', $or: [{ sendClaimedAt: null }, { sendClaimedAt: { $lt: new Date(Date.now() - STALE_CLAIM_MS) } }] },
    { $set: { sendClaimedAt: new Date() } },
  );
  return res.modifiedCount === 1;
}

/** The provider refused the channel's credentials: a person must re-connect it (shown in the dashboard). */
async function flagChannelForReconnect(channel: Channel, reason: string) {
  const res = await ChannelModel.updateOne(
    // A channel the owner disconnected stays disconnected.
    { _id: channel._id, status: { $nin: ['needs_reconnect', 'disabled'] } },
    { $set: { status: 'needs_reconnect', statusReason: reason, statusAt: new Date() } },
  );
  channels.delete(String(channel._id));
  if (res.modifiedCount === 1) {
    await publishEvent({
      workspaceId: String(channel.workspaceId),
      type: 'channelUpdated',
      data: { channelId: String(channel._id), status: 'needs_reconnect', reason },
    });
  }
}

async function loadConversation({ conversationId, workspaceId }: ConversationRefInput) {
  const conversation = await ConversationModel.findOne({ _id: oid(conversationId), workspaceId: oid(workspaceId) }).lean();
  if (!conversation) throw new Error(`conversation ${conversationId} not found in workspace ${workspaceId}`);
  return conversation;
}

// Each reply needs the conversation's chatbot, channel and contact. A conversation's links never
// change, so they are cached for long; settings (a chatbot's knowledge, a contact's language) for
// a few seconds.
type ConversationLinks = Pick<Awaited<ReturnType<typeof loadConversation>>, '_id' | 'workspaceId' | 'chatbotId' | 'channelId' | 'contactId'>;
const links = new TtlCache<ConversationLinks>(60 * 60 * 1000);
const chatbots = new TtlCache<Chatbot | null>(10_000);
const channels = new TtlCache<Channel | null>(10_000);
const contacts = new TtlCache<Contact | null>(10_000);

function conversationLinks(ref: ConversationRefInput): Promise<ConversationLinks> {
  return links.get(`${ref.workspaceId}:${ref.conversationId}`, async () => {
    const { _id, workspaceId, chatbotId, channelId, contactId } = await loadConversation(ref);
    return { _id, workspaceId, chatbotId, channelId, contactId };
  });
}

function eventData(conversation: { _id: unknown; contactId: unknown }, extra: Record<string, unknown> = {}) {
  return { conversationId: String(conversation._id), contactId: String(conversation.contactId), ...extra };
}

export interface ActivityDeps {
  config: Config;
  registry: ChannelRegistry;
  replies: ReplyEngine;
}

/** Attempts of the media download (the workflow's retry policy uses the same number). */
export const MEDIA_ATTEMPTS = 5;

export function createConversationActivities({ config, registry, replies }: ActivityDeps) {
  const media = new MediaStore(config.mediaDir);

  /** The conversation's channel while it can carry messages; null once an owner disconnected or deleted it. */
  const channelOf = async (conversation: ConversationLinks): Promise<Channel | null> => {
    const channel = await channels.get(String(conversation.channelId), () =>
      ChannelModel.findOne({ _id: conversation.channelId, workspaceId: conversation.workspaceId }).lean<Channel>(),
    );
    return channel && channel.status !== 'disabled' ? channel : null;
  };
  const chatbotOf = async (conversation: ConversationLinks): Promise<Chatbot> => {
    const chatbot = await chatbots.get(String(conversation.chatbotId), () =>
      ChatbotModel.findOne({ _id: conversation.chatbotId, workspaceId: conversation.workspaceId }).lean<Chatbot>(),
    );
    if (!chatbot) throw new Error(`chatbot of conversation ${String(conversation._id)} is missing`);
    return chatbot;
  };
  const contactOf = async (conversation: ConversationLinks) => {
    const contact = await contacts.get(String(conversation.contactId), () => ContactModel.findById(conversation.contactId).lean<Contact>());
    if (!contact) throw new Error(`contact of conversation ${String(conversation._id)} is missing`);
    return contact;
  };

  /**
   * Send through the provider and record the outcome on the message. Failures are handled by
   * meaning: rate limits and hiccups are retried by Temporal (after the provider's retry-after);
   * a closed WhatsApp window, revoked credentials or a refused message mark the message failed
   * with the reason, and revoked credentials also flag the channel for re-connecting.
   */
  async function sendThroughChannel(channel: Channel, conversation: ConversationLinks, outbound: OutboundMessage): Promise<SendOutcome> {
    const storedId = oid(outbound.storedMessageId);
    // The 24-hour window needs the customer's latest message: read fresh, it moves with every message.
    const lastCustomerMessageAt =
      channel.type === 'whatsapp_cloud'
        ? ((await ConversationModel.findById(conversation._id, { lastCustomerMessageAt: 1 }).lean())?.lastCustomerMessageAt ?? null)
        : undefined;
    let result: SendResult;
    try {
      result = await registry.senderFor(channel.type).send(channel, outbound, { lastCustomerMessageAt });
    } catch (err) {
      if (!(err instanceof ChannelSendError) || err.retryable) {
        // Nothing was sent: release the claim so Temporal's retry sends at once.
        await MessageModel.updateOne({ _id: storedId, status: 'pending' }, { $set: { sendClaimedAt: null } });
      }
      if (!(err instanceof ChannelSendError)) throw err; // unexpected: let Temporal retry
      if (err.retryable) {
        throw ApplicationFailure.create({
          type: 'ChannelSendError',
          message: err.message,
          ...(err.details.retryAfterMs ? { nextRetryDelay: err.details.retryAfterMs } : {}),
        });
      }
      const code = err.kind === 'window_closed' ? 'window_closed' : err.kind === 'auth' ? 'channel_auth' : (err.details.code ?? 'failed');
      await setOutboundStatus(storedId, 'failed', { error: { code, reason: err.message } });
      if (err.kind === 'auth') await flagChannelForReconnect(channel, err.message);
      return { status: 'failed', errorCode: code, error: err.message };
    }
    // The provider has the message now. Recording it is retried here, never by sending again: the
    // claim stays, so a failed recording cannot turn into a second send.
    const provider = result.providerMessageId ? { provider: { channelId: channel._id, messageId: result.providerMessageId } } : {};
    await withWriteRetries(() => setOutboundStatus(storedId, result.status, provider));
    return { status: result.status };
  }

  return {
    /** A message reached a conversation as it closed: this new run opens it again. */
    async reopenIfClosed(ref: ConversationRefInput & { key: string }): Promise<void> {
      const conversation = await loadConversation(ref);
      if (conversation.mode !== 'closed') return;
      await ConversationModel.updateOne(
        { _id: conversation._id, mode: 'closed' },
        { $set: { mode: 'bot', assignedAgentId: null, assignedAgentName: '' }, $unset: { closedAt: 1, closedReason: 1 } },
      );
      await ContactModel.updateOne({ _id: conversation.contactId, currentConversationId: null }, { $set: { currentConversationId: conversation._id } });
      await publishEvent({
        workspaceId: ref.workspaceId,
        type: 'conversationUpdated',
        conversationId: ref.conversationId,
        data: eventData(conversation, { mode: 'bot' }),
        dedupeKey: `reopen:${ref.key}`,
      });
    },

    /**
     * Record stored customer messages on the conversation: unread count, preview, and the
     * `userMessage` realtime event. Idempotent: the conversation remembers the newest message it
     * recorded, and each event has the message's dedupe key.
     */
    async recordInbound(input: ConversationRefInput & { messages: InboundSignal[] }): Promise<void> {
      if (input.messages.length === 0) return;
      const sorted = [...input.messages].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      const fromCustomer = sorted.filter((m) => m.author !== 'business');
      const fromBusiness = sorted.filter((m) => m.author === 'business');
      if (fromCustomer.length > 0) {
        const newest = fromCustomer[fromCustomer.length - 1]!;
        const newestAt = new Date(newest.createdAt);
        await ConversationModel.updateOne(
          {
            _id: oid(input.conversationId),
            workspaceId: oid(input.workspaceId),
            $or: [{ lastCustomerMessageAt: { $exists: false } }, { lastCustomerMessageAt: { $lt: newestAt } }],
          },
          {
            $inc: { unreadCount: fromCustomer.length },
            $set: { lastCustomerMessageAt: newestAt, lastMessageAt: newestAt, lastMessagePreview: previewOf(newest.text || `[${newest.kind ?? 'media'}]`) },
          },
        );
      }
      if (fromBusiness.length > 0) {
        // Typed on the business's phone: shown as the agent's, not counted as unread.
        const newest = fromBusiness[fromBusiness.length - 1]!;
        const newestAt = new Date(newest.createdAt);
        await ConversationModel.updateOne(
          { _id: oid(input.conversationId), workspaceId: oid(input.workspaceId), lastMessageAt: { $lte: newestAt } },
          { $set: { lastMessageAt: newestAt, lastMessagePreview: previewOf(newest.text || `[${newest.kind ?? 'media'}]`) } },
        );
      }
      for (const m of sorted) {
        const business = m.author === 'business';
        await publishEvent({
          workspaceId: input.workspaceId,
          type: business ? 'botResponse' : 'userMessage',
          conversationId: input.conversationId,
          data: {
            conversationId: input.conversationId,
            contactId: m.contactId,
            message: toPublicMessage({
              _id: m.messageId,
              conversationId: input.conversationId,
              direction: business ? 'outbound' : 'inbound',
              channelMessageId: m.channelMessageId,
              author: business ? 'agent' : 'customer',
              authorName: m.authorName,
              text: m.text,
              createdAt: new Date(m.createdAt),
            }),
          },
          dedupeKey: `msg:${m.messageId}`,
        });
      }
    },

    /** Decide how the bot answers a batch of customer lines: hand off, or answer from the knowledge. */
    async decideReply(
      input: ConversationRefInput & { messageIds: string[]; text: string; replyId: string; offeredHuman: boolean; lastChannelMessageId?: string },
    ): Promise<ReplyDecision> {
      const conversation = await conversationLinks(input);
      const lastId = input.messageIds[input.messageIds.length - 1];
      if (input.lastChannelMessageId) {
        // Blue ticks and "typing…" on the customer's phone while the answer is prepared (best effort).
        const [channel, contact] = await Promise.all([channelOf(conversation), contactOf(conversation)]);
        if (channel) {
          await registry
            .senderFor(channel.type)
            .acknowledge?.(channel, { contactExternalId: contact.externalId, channelMessageId: input.lastChannelMessageId });
        }
      }
      await publishEvent({
        workspaceId: input.workspaceId,
        type: 'startTyping',
        conversationId: input.conversationId,
        data: eventData(conversation),
        dedupeKey: `typing:${lastId}`,
      });
      const [chatbot, contact] = await Promise.all([chatbotOf(conversation), contactOf(conversation)]);
      return replies.decide({
        workspaceId: input.workspaceId,
        conversationId: input.conversationId,
        chatbot,
        question: input.text,
        replyId: input.replyId,
        offeredHuman: input.offeredHuman,
        ...(isLocale(contact.locale) ? { locale: contact.locale } : {}),
      });
    },

    /** The answer from the chatbot's AI provider (a regular activity: it may take a while and retry). */
    async generateReply(input: ConversationRefInput & { messageIds: string[]; text: string; replyId: string; language: Locale }): Promise<ReplyDecision> {
      const conversation = await conversationLinks(input);
      const chatbot = await chatbotOf(conversation);
      return replies.generate({
        workspaceId: input.workspaceId,
        conversationId: input.conversationId,
        chatbot,
        question: input.text,
        replyId: input.replyId,
        language: input.language,
        batchMessageIds: input.messageIds,
      });
    },

    /** Store an outbound message (once), send it through its channel (once) and publish it. */
    async deliverMessage(input: DeliverInput): Promise<void> {
      const conversation = await conversationLinks(input);
      const [channel, contact] = await Promise.all([channelOf(conversation), contactOf(conversation)]);
      const locale: Locale = input.locale ?? (isLocale(contact.locale) ? contact.locale : 'id');
      const text = input.text ?? t(locale, input.catalog!.key, input.catalog!.vars);
      const buttons = input.offerHumanButton ? [{ id: HUMAN_BUTTON_ID, title: t(locale, 'bot.humanButton') }] : undefined;

      const key = { channelId: conversation.channelId, channelMessageId: input.messageId };
      // Insert first: on a retry the unique key says it is stored already, without a read per reply.
      // The insert also claims the send for this attempt, so the usual path costs no extra write.
      let message;
      let claimed = true;
      try {
        message = (
          await MessageModel.create({
            ...key,
            workspaceId: conversation.workspaceId,
            conversationId: conversation._id,
            direction: 'outbound',
            author: input.author,
            authorName: input.authorName ?? '',
            ...(input.agentId ? { agentId: oid(input.agentId) } : {}),
            type: input.template ? 'template' : (input.media?.kind ?? 'text'),
            ...(input.media ? { media: { ...input.media, state: 'stored' } } : {}),
            text,
            citations: input.citations ?? [],
            grounded: input.grounded,
            ...(input.template ? { details: { template: input.template } } : buttons ? { details: { buttons } } : {}),
            status: 'pending',
            sendClaimedAt: new Date(),
          })
        ).toObject();
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err; // an earlier attempt stored it
        message = await MessageModel.findOne(key).lean();
        // Only a message still pending, and only by the attempt that claims it, is sent: a retry
        // after a successful send (or a final failure), or a concurrent attempt, does not send again.
        claimed = message?.status === 'pending' && (await claimSend(message._id));
      }
      if (!message) throw new Error(`message ${input.messageId} vanished`);

      if (claimed && !channel) {
        // Disconnected or deleted by an owner: nothing can carry it. Recorded as such, never retried
        // (a conversation must still be able to close, and an agent's reply must not hang).
        const error = { code: 'channel_disconnected', reason: 'The channel was disconnected' };
        await setOutboundStatus(message._id, 'failed', { error });
        message = { ...message, status: 'failed' as const, errorCode: error.code, error: error.reason };
      } else if (claimed && channel) {
        const outcome = await sendThroughChannel(channel, conversation, {
          messageId: input.messageId,
          storedMessageId: String(message._id),
          conversationId: input.conversationId,
          contactExternalId: contact.externalId,
          text,
          ...(input.citations ? { citations: input.citations } : {}),
          ...(input.template ? { template: input.template } : {}),
          ...(buttons ? { buttons } : {}),
          ...(input.media ? { media: { storageKey: input.media.storageKey, mimeType: input.media.mimeType, fileName: input.media.fileName, kind: input.media.kind } } : {}),
        });
        message = { ...message, ...outcome };
      }

      await ConversationModel.updateOne(
        { _id: conversation._id, lastMessageAt: { $lte: message.createdAt } },
        { $set: { lastMessageAt: message.createdAt, lastMessagePreview: previewOf(text || (input.media ? `📎 ${input.media.fileName}` : '')) } },
      );
      await publishEvent({
        workspaceId: input.workspaceId,
        type: 'botResponse',
        conversationId: input.conversationId,
        data: eventData(conversation, { message: toPublicMessage(message) }),
        dedupeKey: `msg:${String(message._id)}`,
      });
    },

    /**
     * Fetch a customer's attachment from the provider into the media store. Runs as a regular
     * activity (a download can be slow) beside the conversation, never in the way of a reply.
     */
    async fetchInboundMedia(input: ConversationRefInput & { messageId: string }): Promise<void> {
      const message = await MessageModel.findOne({ _id: oid(input.messageId), workspaceId: oid(input.workspaceId) }).lean();
      if (!message?.media || message.media.state !== 'pending' || !message.media.providerMediaId) return;
      const conversation = await conversationLinks(input);
      const channel = await channelOf(conversation);
      const fetcher = channel ? registry.mediaFetcherFor(channel.type) : undefined;
      const finish = async (set: Record<string, unknown>) => {
        await MessageModel.updateOne({ _id: message._id, 'media.state': 'pending' }, { $set: set });
        await publishEvent({
          workspaceId: input.workspaceId,
          type: 'messageUpdated',
          conversationId: input.conversationId,
          data: { conversationId: input.conversationId, messageId: input.messageId, media: { state: set['media.state'] } },
          dedupeKey: `media:${input.messageId}`,
        });
      };
      if (!channel || !fetcher) return finish({ 'media.state': 'failed', 'media.error': channel ? `no media fetcher for ${channel.type}` : 'the channel was disconnected' });
      try {
        const { providerMediaId, mimeType, fileName, size } = message.media;
        const fetched = await fetcher.fetch(
          channel,
          { providerMediaId, ...(mimeType ? { mimeType } : {}), ...(fileName ? { fileName } : {}), ...(size ? { size } : {}) },
          config.MEDIA_MAX_BYTES,
        );
        const storageKey = await media.put(String(message.workspaceId), fetched.bytes);
        await finish({
          'media.state': 'stored',
          'media.storageKey': storageKey,
          'media.mimeType': fetched.mimeType,
          'media.size': fetched.bytes.length,
          ...(fetched.fileName && !message.media.fileName ? { 'media.fileName': fetched.fileName } : {}),
        });
      } catch (err) {
        if (err instanceof MediaTooLargeError) return finish({ 'media.state': 'too_large', 'media.error': err.message });
        // Retried by Temporal; the last attempt records the failure so the inbox can say so.
        if (Context.current().info.attempt >= MEDIA_ATTEMPTS) {
          return finish({ 'media.state': 'failed', 'media.error': err instanceof Error ? err.message : String(err) });
        }
        throw err;
      }
    },

    async setMode(input: SetModeInput): Promise<void> {
      const conversation = await conversationLinks(input);
      const set: Record<string, unknown> = { mode: input.mode };
      if (input.mode === 'agent') {
        set.assignedAgentId = input.agentId ? oid(input.agentId) : null;
        set.assignedAgentName = input.agentName ?? '';
      }
      if (input.mode === 'waiting_for_agent') set.handoffReason = input.reason;
      if (input.mode === 'bot') {
        set.assignedAgentId = null;
        set.assignedAgentName = '';
        set.handoffReason = '';
      }
      await ConversationModel.updateOne({ _id: conversation._id, mode: { $ne: 'closed' } }, { $set: set });
      await publishEvent({
        workspaceId: input.workspaceId,
        type: 'conversationUpdated',
        conversationId: input.conversationId,
        data: eventData(conversation, { mode: input.mode, reason: input.reason }),
        dedupeKey: `mode:${input.key}`,
      });
      if (input.mode === 'agent') {
        await publishEvent({
          workspaceId: input.workspaceId,
          type: 'agentJoined',
          conversationId: input.conversationId,
          data: eventData(conversation, { agentName: input.agentName ?? '' }),
          dedupeKey: `joined:${input.key}`,
        });
      }
    },

    async closeConversation(input: ConversationRefInput & { reason: 'agent' | 'inactive'; key: string }): Promise<void> {
      const conversation = await conversationLinks(input);
      await ConversationModel.updateOne(
        { _id: conversation._id, mode: { $ne: 'closed' } },
        { $set: { mode: 'closed', closedAt: new Date(), closedReason: input.reason } },
      );
      // The next message from this contact starts a new conversation.
      await ContactModel.updateOne({ _id: conversation.contactId, currentConversationId: conversation._id }, { $set: { currentConversationId: null } });
      await publishEvent({
        workspaceId: input.workspaceId,
        type: 'conversationUpdated',
        conversationId: input.conversationId,
        data: eventData(conversation, { mode: 'closed', reason: input.reason }),
        dedupeKey: `mode:${input.key}`,
      });
    },
  };
}

export type ConversationActivities = ReturnType<typeof createConversationActivities>;
