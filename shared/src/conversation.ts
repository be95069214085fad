/**
 * The contract of the conversation workflow, shared by the gateway and the dashboard (which start
 * and signal it) and the worker (which runs it). Names are plain strings so callers need not import
 * workflow code.
 */
export const CONVERSATION_MODES = ['bot', 'waiting_for_agent', 'agent', 'closed'] as const;
export type ConversationMode = (typeof CONVERSATION_MODES)[number];

export const CONVERSATION_WORKFLOW = 'conversationWorkflow';
export const conversationWorkflowId = (conversationId: string) => `conversation/${conversationId}`;

/**
 * Signal: a customer message was stored (the gateway sends it with signalWithStart). It carries what
 * the workflow needs to record the message on the conversation and the realtime stream without
 * reading it back.
 */
export const INBOUND_SIGNAL = 'inboundMessage';
export interface InboundSignal {
  messageId: string;
  text: string;
  /** The message's kind (`text`, `image`, `voice`, `reaction`…); absent means text. */
  kind?: string;
  /** `business`: typed on the business's own phone (WhatsApp Web): an agent message that pauses the bot. */
  author?: 'customer' | 'business';
  /** The message has an attachment still to fetch from the provider. */
  mediaPending?: boolean;
  /** The provider's id (the widget's client message id). */
  channelMessageId: string;
  contactId: string;
  authorName: string;
  /** ISO time the message was stored. */
  createdAt: string;
}

/** A file an agent sends, already in the media store; `text` becomes its caption. */
export interface OutboundAttachment {
  storageKey: string;
  mimeType: string;
  fileName: string;
  size: number;
  kind: 'image' | 'video' | 'audio' | 'document';
}

/** Update: an agent acts on the conversation. Resolves once the workflow has applied it. */
export const AGENT_COMMAND_UPDATE = 'agentCommand';
export type AgentCommand =
  | { kind: 'takeOver'; agentId: string; agentName: string }
  | { kind: 'reply'; agentId: string; agentName: string; messageId: string; text: string; attachment?: OutboundAttachment }
  /** An approved WhatsApp template: the only message allowed once the 24-hour window has closed. */
  | {
      kind: 'sendTemplate';
      agentId: string;
      agentName: string;
      messageId: string;
      template: { name: string; language: string; bodyParams: string[] };
      /** What the template says with its parameters filled in, for the inbox. */
      previewText: string;
    }
  | { kind: 'handBack'; agentId: string }
  | { kind: 'close'; agentId: string };
export interface AgentCommandResult {
  mode: ConversationMode;
}

/** Query: the workflow's view of the conversation, for tests and diagnostics. */
export const STATE_QUERY = 'state';

export interface ConversationTimings {
  /** Quiet time that ends a batch of customer messages. */
  batchWindowMs: number;
  /** Longest a batch may wait from its first message. */
  batchMaxWaitMs: number;
  /** No activity for this long closes the conversation. */
  inactivityCloseMs: number;
  /** History length after which the run continues as new. */
  historyLimit: number;
}

/** Carried across continue-as-new. */
export interface ConversationCarriedState {
  mode: ConversationMode;
  pendingMessageIds: string[];
  pendingTexts: string[];
  /** Stored messages not yet recorded on the conversation (unread count, preview, realtime). */
  unrecorded: InboundSignal[];
  /** Recent inbound message ids: a duplicate signal for one of these is dropped. */
  recentMessageIds: string[];
  /** The provider id of the customer's latest message (read receipts, typing indicators). */
  lastChannelMessageId?: string;
  /** Set after the bot offered a human: a "ya" in reply accepts the offer. */
  offeredHuman: boolean;
  lastActivityAt: number;
}

export interface ConversationWorkflowInput {
  conversationId: string;
  workspaceId: string;
  timings: ConversationTimings;
  carried?: ConversationCarriedState;
}

export interface ConversationStateView {
  mode: ConversationMode;
  pending: number;
  handledMessages: number;
  /** Whether this run continued an earlier one (continue-as-new). */
  continuedAsNew: boolean;
}
