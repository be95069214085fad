/**
 * Reading the inbox: the workspace's conversations and one conversation's thread. Every query is
 * scoped by the signed-in workspace, so an id from another workspace finds nothing (404).
 */
import {
  ContactModel,
  ConversationModel,
  MessageModel,
  currentEventSeq,
  isValidObjectId,
  notFound,
  type ChannelType,
  type Conversation,
  type ConversationMode,
  type Locale,
  type Message,
  type MessageAuthor,
  type MessageStatus,
} from '@sapa/shared';
import { ensureDatabase } from './env.server';
import { detailsOf, mediaOf, safeLink, visibleText, type ThreadDetails, type ThreadMedia } from './message-content.server';
import { timeFormatter } from './time.server';
import { isWindowClosed } from './whatsapp-templates.server';

const LIST_LIMIT = 200;
// Older messages stay in the database; the thread shows the most recent ones.
const THREAD_LIMIT = 300;

export interface ConversationSummary {
  id: string;
  contactName: string;
  channelType: ChannelType;
  mode: ConversationMode;
  unreadCount: number;
  preview: string;
  lastMessageAt: string;
  lastMessageLabel: string;
}

export interface InboxSnapshot {
  conversations: ConversationSummary[];
  /** The realtime stream continues from here, so nothing between this snapshot and it is missed. */
  lastEventId: number;
}

interface ViewContext {
  workspaceId: string;
  locale: Locale;
  timeZone: string | null | undefined;
}

export async function listConversations({ workspaceId, locale, timeZone }: ViewContext): Promise<InboxSnapshot> {
  await ensureDatabase();
  const lastEventId = await currentEventSeq(workspaceId);
  const rows = await ConversationModel.find({ workspaceId }).sort({ lastMessageAt: -1 }).limit(LIST_LIMIT).lean<Conversation[]>();
  const format = timeFormatter(locale, timeZone);
  const conversations = rows.map((c) => ({
    id: String(c._id),
    contactName: c.contactName ?? '',
    channelType: c.channelType,
    mode: c.mode,
    unreadCount: c.unreadCount ?? 0,
    preview: c.lastMessagePreview ?? '',
    lastMessageAt: c.lastMessageAt.toISOString(),
    lastMessageLabel: format.short(c.lastMessageAt),
  }));
  return { conversations, lastEventId };
}

/** The conversation with this id in this workspace; a 404 for a malformed id or another workspace's. */
export async function findConversation(workspaceId: string, conversationId: string | undefined): Promise<Conversation> {
  if (!isValidObjectId(conversationId)) throw notFound('error.conversationNotFound');
  await ensureDatabase();
  const conversation = await ConversationModel.findOne({ _id: conversationId, workspaceId }).lean<Conversation>();
  if (!conversation) throw notFound('error.conversationNotFound');
  return conversation;
}

export interface ThreadMessage {
  id: string;
  author: MessageAuthor;
  authorName: string;
  direction: 'inbound' | 'outbound';
  /** `text`, `image`, `location`, `reaction`, `template`, `unsupported`… */
  kind: string;
  text: string;
  citations: Array<{ title: string; url: string | null }>;
  media: ThreadMedia | null;
  details: ThreadDetails;
  createdAt: string;
  timeLabel: string;
  /** Outbound delivery (queued → sent → delivered → read), or `received` for the customer's. */
  status: MessageStatus;
  /** Why an outbound message failed: `window_closed`, `channel_auth`, `blocked`, a provider code. */
  errorCode: string;
  error: string;
}

export interface ThreadView {
  conversation: {
    id: string;
    /** The channel it runs on (the template picker asks that channel's number for its templates). */
    channelId: string;
    contactName: string;
    channelType: ChannelType;
    mode: ConversationMode;
    assignedAgentName: string;
    /** The customer blocked the bot (Telegram): nothing sent will arrive. */
    contactBlocked: boolean;
    /** WhatsApp's 24-hour window is closed: only an approved template can be sent. */
    windowClosed: boolean;
  };
  messages: ThreadMessage[];
}

export async function loadThread(ctx: ViewContext, conversationId: string | undefined): Promise<ThreadView> {
  const conversation = await findConversation(ctx.workspaceId, conversationId);
  const recent = await MessageModel.find({ workspaceId: ctx.workspaceId, conversationId: conversation._id })
    .sort({ createdAt: -1 })
    .limit(THREAD_LIMIT)
    .lean<Message[]>();
  const contact = await ContactModel.findOne({ _id: conversation.contactId, workspaceId: ctx.workspaceId }).select('blocked').lean<{ blocked?: boolean }>();
  const format = timeFormatter(ctx.locale, ctx.timeZone);
  // Reactions name their target by the provider's id: the customer's message id, or the id the
  // provider gave one of ours.
  const previews = new Map<string, string>();
  for (const m of recent) {
    const preview = m.text || (m.media ? `[${m.media.kind}]` : '');
    previews.set(m.channelMessageId, preview);
    if (m.providerMessageId) previews.set(m.providerMessageId, preview);
  }
  return {
    conversation: {
      id: String(conversation._id),
      channelId: String(conversation.channelId),
      contactName: conversation.contactName ?? '',
      channelType: conversation.channelType,
      mode: conversation.mode,
      assignedAgentName: conversation.assignedAgentName ?? '',
      contactBlocked: contact?.blocked === true,
      windowClosed: isWindowClosed(conversation),
    },
    messages: recent.reverse().map((m) => {
      const details = detailsOf(m, previews);
      return {
        id: String(m._id),
        author: m.author,
        authorName: m.authorName ?? '',
        direction: m.direction,
        kind: m.type ?? 'text',
        text: visibleText(m.text ?? '', details),
        citations: (m.citations ?? []).map((c) => ({ title: c.title ?? '', url: safeLink(c.url) })),
        media: mediaOf(m),
        details,
        createdAt: m.createdAt.toISOString(),
        timeLabel: format.full(m.createdAt),
        status: m.status,
        errorCode: m.errorCode ?? '',
        error: m.error ?? '',
      };
    }),
  };
}

/** The agent has seen the conversation: its customer messages no longer count as unread. */
export async function markRead(workspaceId: string, conversationId: string): Promise<void> {
  await ConversationModel.updateOne({ _id: conversationId, workspaceId, unreadCount: { $gt: 0 } }, { $set: { unreadCount: 0 } });
}
