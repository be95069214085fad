/**
 * What an agent does to a conversation. Take over, reply, send a WhatsApp template, hand back and
 * close go to the conversation's Temporal workflow (the single owner of its mode) and return once
 * it has applied them; typing is only announced on the realtime stream.
 */
import mongoose from 'mongoose';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import {
  ChatbotModel,
  ContactModel,
  badRequest,
  type OutboundAttachment,
  conflict,
  conversationTimings,
  publishEvent,
  runAgentCommand,
  unavailable,
  type AgentCommand,
  type Chatbot,
  type Conversation,
} from '@sapa/shared';
import { config, logger, temporalClient } from './env.server';
import { findConversation } from './inbox.server';
import { REPLY_MAX_CHARS } from './limits';
import type { SessionUser } from './session.server';
import { isWindowClosed, prepareTemplate, type PreparedTemplate } from './whatsapp-templates.server';

/** How long an agent waits for the workflow before being told to try again. */
const COMMAND_TIMEOUT_MS = 20_000;

export const conversationActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('takeOver') }),
  z.object({
    intent: z.literal('reply'),
    // May be empty when a file is attached (it becomes the file's caption); checked with the file.
    text: z.string().trim().max(REPLY_MAX_CHARS, 'error.messageTooLong').default(''),
    /** Made when the form was rendered, so posting the same form twice sends one reply. */
    replyId: z.string().regex(/^[0-9a-f]{24}$/).optional(),
  }),
  z.object({
    intent: z.literal('sendTemplate'),
    templateName: z.string().min(1).max(512),
    templateLanguage: z.string().min(2).max(20),
    /** Like a reply's id: the same form posted twice sends the template once. */
    replyId: z.string().regex(/^[0-9a-f]{24}$/).optional(),
  }),
  z.object({ intent: z.literal('handBack') }),
  z.object({ intent: z.literal('close') }),
  z.object({ intent: z.literal('typing') }),
]);
export type ConversationAction = z.output<typeof conversationActionSchema>;
type TemplateAction = Extract<ConversationAction, { intent: 'sendTemplate' }>;
/**
 * What runs on the workflow. A template's body parameters are repeated form fields (one per
 * `{{n}}`), which the schema's one-value-per-name view cannot carry, so the route adds them.
 */
type ReplyAction = Extract<ConversationAction, { intent: 'reply' }>;
export type CommandAction =
  | Exclude<ConversationAction, { intent: 'typing' | 'sendTemplate' | 'reply' }>
  | (ReplyAction & { attachment?: OutboundAttachment | null })
  | (TemplateAction & { bodyParams: string[] });

async function openConversation(agent: SessionUser, conversationId: string | undefined, opts: { mayReopen?: boolean } = {}): Promise<Conversation> {
  const conversation = await findConversation(String(agent.workspace._id), conversationId);
  // A closed conversation's workflow has ended; a command would start a fresh one and reopen it,
  // which only a WhatsApp template (re-engaging the customer) may do.
  if (conversation.mode === 'closed' && !opts.mayReopen) throw conflict('error.conversationClosed');
  return conversation;
}

/** A fresh outbound message id for the next reply form. */
export function newReplyId(): string {
  return new mongoose.Types.ObjectId().toString();
}

function toAgentCommand(action: CommandAction, agent: SessionUser, template: PreparedTemplate | null): AgentCommand {
  const agentId = String(agent.user._id);
  const agentName = agent.user.name;
  switch (action.intent) {
    case 'takeOver':
      return { kind: 'takeOver', agentId, agentName };
    case 'reply':
      return {
        kind: 'reply',
        agentId,
        agentName,
        messageId: action.replyId ?? newReplyId(),
        text: action.text,
        ...(action.attachment ? { attachment: action.attachment } : {}),
      };
    case 'sendTemplate':
      if (!template) throw new Error('a template command needs its prepared template');
      return { kind: 'sendTemplate', agentId, agentName, messageId: action.replyId ?? newReplyId(), ...template };
    case 'handBack':
      return { kind: 'handBack', agentId };
    case 'close':
      return { kind: 'close', agentId };
  }
}

export async function runConversationCommand(
  agent: SessionUser,
  conversationId: string | undefined,
  action: CommandAction,
  signal: AbortSignal,
): Promise<void> {
  const conversation = await openConversation(agent, conversationId, { mayReopen: action.intent === 'sendTemplate' });
  if (action.intent === 'reply' && !action.text && !action.attachment) throw badRequest('error.messageEmpty');
  // The web widget shows text only: a file there would be lost on the visitor's side.
  if (action.intent === 'reply' && action.attachment && conversation.channelType === 'web') throw badRequest('error.attachmentNotSupported');
  // WhatsApp would refuse a free-form reply now; say so instead of queueing a message that fails.
  if (action.intent === 'reply' && isWindowClosed(conversation)) throw conflict('error.windowClosed');
  const template =
    action.intent === 'sendTemplate'
      ? await prepareTemplate(conversation, action, action.bodyParams)
      : null;
  // A template may re-engage a customer whose conversation has closed (it closes after a day of
  // quiet, as the window does), but only from their latest conversation: never reopen an old one
  // while another is open.
  const reopen = action.intent === 'sendTemplate' && conversation.mode === 'closed';
  if (reopen) {
    const contact = await ContactModel.findById(conversation.contactId, { currentConversationId: 1 }).lean();
    const current = contact?.currentConversationId ? String(contact.currentConversationId) : null;
    if (current && current !== String(conversation._id)) throw conflict('error.actionRejected', 'the customer has a newer conversation');
  }
  const workspaceId = String(agent.workspace._id);
  const chatbot = await ChatbotModel.findOne({ _id: conversation.chatbotId, workspaceId }).lean<Chatbot>();
  const client = await temporalClient().catch((err: unknown) => {
    throw unavailable(`Temporal unreachable: ${err instanceof Error ? err.message : String(err)}`);
  });
  const ref = { conversationId: String(conversation._id), workspaceId, timings: conversationTimings(config, chatbot) };
  const command = toAgentCommand(action, agent, template);
  try {
    await client.withAbortSignal(AbortSignal.any([signal, AbortSignal.timeout(COMMAND_TIMEOUT_MS)]), () =>
      runAgentCommand(client, config.TEMPORAL_TASK_QUEUE, ref, command, { reopen }),
    );
  } catch (err) {
    // The workflow ran and refused the command (its validator): the conversation changed meanwhile.
    if (err instanceof WorkflowUpdateFailedError) throw conflict('error.actionRejected', err.message);
    logger.warn({ err, conversationId: ref.conversationId, kind: command.kind }, 'agent command did not complete');
    throw unavailable('agent command did not complete');
  }
}

/** Shows the customer that an agent is typing (the widget's `agentTyping`). */
export async function announceTyping(agent: SessionUser, conversationId: string | undefined): Promise<void> {
  const conversation = await openConversation(agent, conversationId);
  const id = String(conversation._id);
  await publishEvent({
    workspaceId: String(agent.workspace._id),
    type: 'agentTyping',
    conversationId: id,
    data: { conversationId: id, contactId: String(conversation.contactId), agentName: agent.user.name },
  });
}
