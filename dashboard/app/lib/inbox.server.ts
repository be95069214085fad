/**
 * Reading the inbox: the workspace's conversations and one conversation's thread. Every query is
 * scoped by the signed-in workspace, so an id from another workspace finds nothing (404).
 */
import {
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
} from '@sapa/shared';
import { ensureDatabase } from './env.server';
import { timeFormatter } from './time.server';

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
  text: string;
  citations: Array<{ title: string; url: string | null }>;
  createdAt: string;
  timeLabel: string;
  failed: boolean;
}

export interface ThreadView {
  conversation: {
    id: string;
    contactName: string;
    channelType: ChannelType;
    mode: ConversationMode;
    assignedAgentName: string;
  };
  messages: ThreadMessage[];
}

/** Only web links become clickable citations; anything else (javascript:, data:) stays plain text. */
function safeLink(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

export async function loadThread(ctx: ViewContext, conversationId: string | undefined): Promise<ThreadView> {
  const conversation = await findConversation(ctx.workspaceId, conversationId);
  const recent = await MessageModel.find({ workspaceId: ctx.workspaceId, conversationId: conversation._id })
    .sort({ createdAt: -1 })
    .limit(THREAD_LIMIT)
    .lean<Message[]>();
  const format = timeFormatter(ctx.locale, ctx.timeZone);
  return {
    conversation: {
      id: String(conversation._id),
      contactName: conversation.contactName ?? '',
      channelType: conversation.channelType,
      mode: conversation.mode,
      assignedAgentName: conversation.assignedAgentName ?? '',
    },
    messages: recent.reverse().map((m) => ({
      id: String(m._id),
      author: m.author,
      authorName: m.authorName ?? '',
      text: m.text ?? '',
      citations: (m.citations ?? []).map((c) => ({ title: c.title ?? '', url: safeLink(c.url) })),
      createdAt: m.createdAt.toISOString(),
      timeLabel: format.full(m.createdAt),
      failed: m.status === 'failed',
    })),
  };
}

/** The agent has seen the conversation: its customer messages no longer count as unread. */
export async function markRead(workspaceId: string, conversationId: string): Promise<void> {
  await ConversationModel.updateOne({ _id: conversationId, workspaceId, unreadCount: { $gt: 0 } }, { $set: { unreadCount: 0 } });
}
