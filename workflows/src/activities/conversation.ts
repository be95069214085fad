/**
 * The conversation workflow's side effects. Each activity is idempotent: it may run more than once
 * (retries, a worker killed mid-way), so writes are keyed (message ids, event dedupe keys) and
 * conditional (mode changes only touch an open conversation).
 */
import mongoose from 'mongoose';
import {
  ChannelModel,
  ChatbotModel,
  ContactModel,
  ConversationModel,
  MessageModel,
  TtlCache,
  isDuplicateKeyError,
  isLocale,
  previewOf,
  publishEvent,
  t,
  toPublicMessage,
  type Channel,
  type Chatbot,
  type Contact,
  type ConversationMode,
  type InboundSignal,
  type Locale,
  type MessageAuthor,
  type MessageKey,
} from '@sapa/shared';
import { senderFor } from '@sapa/channels';
import { answerOffline, detectAcceptance, detectHumanRequest } from '../answerer';

export interface ConversationRefInput {
  conversationId: string;
  workspaceId: string;
}

export type ReplyDecision =
  | { kind: 'handoff'; reason: 'customer_request' | 'accepted_offer'; language: Locale }
  | {
      kind: 'answer' | 'no_answer' | 'greeting';
      text: string;
      citations: Array<{ title: string; url?: string }>;
      language: Locale;
    };

export interface DeliverInput extends ConversationRefInput {
  /** Sapa's outbound id: delivering the same id twice sends once. */
  messageId: string;
  author: Exclude<MessageAuthor, 'customer'>;
  authorName?: string;
  agentId?: string;
  /** Literal text, or a catalog message rendered in the contact's language. */
  text?: string;
  template?: { key: MessageKey; vars?: Record<string, string> };
  locale?: Locale;
  citations?: Array<{ title: string; url?: string }>;
  grounded?: boolean;
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

export function createConversationActivities() {
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
      const messages = [...input.messages].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      const newest = messages[messages.length - 1]!;
      const newestAt = new Date(newest.createdAt);
      await ConversationModel.updateOne(
        {
          _id: oid(input.conversationId),
          workspaceId: oid(input.workspaceId),
          $or: [{ lastCustomerMessageAt: { $exists: false } }, { lastCustomerMessageAt: { $lt: newestAt } }],
        },
        {
          $inc: { unreadCount: messages.length },
          $set: { lastCustomerMessageAt: newestAt, lastMessageAt: newestAt, lastMessagePreview: previewOf(newest.text) },
        },
      );
      for (const m of messages) {
        await publishEvent({
          workspaceId: input.workspaceId,
          type: 'userMessage',
          conversationId: input.conversationId,
          data: {
            conversationId: input.conversationId,
            contactId: m.contactId,
            message: toPublicMessage({
              _id: m.messageId,
              conversationId: input.conversationId,
              direction: 'inbound',
              channelMessageId: m.channelMessageId,
              author: 'customer',
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
    async decideReply(input: ConversationRefInput & { messageIds: string[]; text: string; offeredHuman: boolean }): Promise<ReplyDecision> {
      const conversation = await conversationLinks(input);
      const lastId = input.messageIds[input.messageIds.length - 1];
      await publishEvent({
        workspaceId: input.workspaceId,
        type: 'startTyping',
        conversationId: input.conversationId,
        data: eventData(conversation),
        dedupeKey: `typing:${lastId}`,
      });
      const chatbot = await chatbots.get(String(conversation.chatbotId), () =>
        ChatbotModel.findOne({ _id: conversation.chatbotId, workspaceId: conversation.workspaceId }).lean<Chatbot>(),
      );
      const answer = answerOffline({ knowledgeText: chatbot?.knowledgeText ?? '', question: input.text });
      if (detectHumanRequest(input.text, chatbot?.handoffKeywords ?? [])) {
        return { kind: 'handoff', reason: 'customer_request', language: answer.language };
      }
      if (input.offeredHuman && detectAcceptance(input.text)) {
        return { kind: 'handoff', reason: 'accepted_offer', language: answer.language };
      }
      return {
        kind: answer.kind,
        text: answer.text,
        citations: answer.kind === 'answer' ? answer.citations : [],
        language: answer.language,
      };
    },

    /** Store an outbound message (once), send it through its channel (once) and publish it. */
    async deliverMessage(input: DeliverInput): Promise<void> {
      const conversation = await conversationLinks(input);
      const [channel, contact] = await Promise.all([
        channels.get(String(conversation.channelId), () =>
          ChannelModel.findOne({ _id: conversation.channelId, workspaceId: conversation.workspaceId }).lean<Channel>(),
        ),
        contacts.get(String(conversation.contactId), () => ContactModel.findById(conversation.contactId).lean<Contact>()),
      ]);
      if (!channel || !contact) throw new Error(`channel or contact of conversation ${input.conversationId} is missing`);
      const locale: Locale = input.locale ?? (isLocale(contact.locale) ? contact.locale : 'id');
      const text = input.text ?? t(locale, input.template!.key, input.template!.vars);

      const key = { channelId: channel._id, channelMessageId: input.messageId };
      // Insert first: on a retry the unique key says it is stored already, without a read per reply.
      let message;
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
            text,
            citations: input.citations ?? [],
            grounded: input.grounded,
            status: 'pending',
          })
        ).toObject();
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err; // an earlier attempt stored it
        message = await MessageModel.findOne(key).lean();
      }
      if (!message) throw new Error(`message ${input.messageId} vanished`);

      if (message.status === 'pending' || message.status === 'failed') {
        const result = await senderFor(channel.type).send(channel, {
          messageId: input.messageId,
          conversationId: input.conversationId,
          contactExternalId: contact.externalId,
          text,
          citations: input.citations,
        });
        await MessageModel.updateOne({ _id: message._id, status: { $in: ['pending', 'failed'] } }, { $set: { status: result.status } });
      }

      await ConversationModel.updateOne(
        { _id: conversation._id, lastMessageAt: { $lte: message.createdAt } },
        { $set: { lastMessageAt: message.createdAt, lastMessagePreview: previewOf(text) } },
      );
      await publishEvent({
        workspaceId: input.workspaceId,
        type: 'botResponse',
        conversationId: input.conversationId,
        data: eventData(conversation, { message: toPublicMessage(message) }),
        dedupeKey: `msg:${String(message._id)}`,
      });
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
