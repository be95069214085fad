/**
 * One workflow per conversation (id `conversation/<id>`). It owns the conversation's mode
 * (`bot | waiting_for_agent | agent | closed`) and is the only writer of it: the gateway signals
 * customer messages, the dashboard sends agent commands as updates, and everything with side
 * effects happens in activities.
 *
 * In bot mode, customer lines that arrive close together are answered as one batch: a batch ends
 * after `batchWindowMs` of quiet, or `batchMaxWaitMs` after its first line at the latest.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  AGENT_COMMAND_UPDATE,
  INBOUND_SIGNAL,
  STATE_QUERY,
  type AgentCommand,
  type AgentCommandResult,
  type ConversationCarriedState,
  type ConversationStateView,
  type ConversationWorkflowInput,
  type InboundSignal,
} from '@sapa/shared/conversation';
import type { ConversationActivities } from '../activities/conversation';

/** Same number as the activity's `MEDIA_ATTEMPTS` (workflow code may not import activity code). */
const MEDIA_ATTEMPTS = 5;

export const inboundMessageSignal = defineSignal<[InboundSignal]>(INBOUND_SIGNAL);
export const agentCommandUpdate = defineUpdate<AgentCommandResult, [AgentCommand]>(AGENT_COMMAND_UPDATE);
export const stateQuery = defineQuery<ConversationStateView>(STATE_QUERY);

// Local activities: these are short database writes (and, for the offline answerer, an in-memory
// search), so running them in the worker without a round trip through the server per activity
// keeps a reply within a few hundred milliseconds. They are retried and idempotent all the same.
// A slow step (a call to an LLM provider) belongs in a regular activity.
const acts = proxyLocalActivities<ConversationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

// Downloading a customer's attachment can take a while: a regular activity, off the reply path.
const mediaActs = proxyActivities<ConversationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: MEDIA_ATTEMPTS },
});

// An answer from an AI provider can take seconds and is retried by the engine itself (backoff,
// fallback provider); Temporal retries the activity only if a worker dies mid-way.
const aiActs = proxyActivities<ConversationActivities>({
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3 },
});

/** Kinds the bot does not answer: they are shown in the inbox, that is all. */
const SILENT_KINDS = ['reaction', 'system'];

/** How many inbound ids are remembered to drop duplicate signals. */
const RECENT_IDS = 200;

export async function conversationWorkflow(input: ConversationWorkflowInput): Promise<void> {
  const { conversationId, workspaceId, timings } = input;
  const ref = { conversationId, workspaceId };
  const state: ConversationCarriedState = input.carried ?? {
    mode: 'bot',
    pendingMessageIds: [],
    pendingTexts: [],
    unrecorded: [],
    recentMessageIds: [],
    offeredHuman: false,
    lastActivityAt: Date.now(),
  };
  const commands: Array<{ id: number; command: AgentCommand }> = [];
  let nextCommandId = 0;
  let appliedCommandId = 0;
  let firstPendingAt = Date.now();
  let newInbound = false;
  let phoneTakeover = false;
  const mediaFetches: Promise<void>[] = [];
  let handled = 0;
  let transitions = 0;
  /** A key unique to one mode change of this conversation, stable across activity retries and replays. */
  const transitionKey = () => `${workflowInfo().runId}:${++transitions}`;

  setHandler(inboundMessageSignal, (signal) => {
    const { messageId, text } = signal;
    if (state.recentMessageIds.includes(messageId)) return; // a re-delivered message: already queued or answered
    state.unrecorded.push(signal);
    state.recentMessageIds.push(messageId);
    if (state.recentMessageIds.length > RECENT_IDS) state.recentMessageIds.shift();
    state.lastActivityAt = Date.now();
    if (signal.author === 'business') {
      // The owner answered from their own phone: they have taken the conversation over.
      phoneTakeover = true;
      return;
    }
    if (SILENT_KINDS.includes(signal.kind ?? 'text')) return;
    state.lastChannelMessageId = signal.channelMessageId;
    if (state.pendingMessageIds.length === 0) firstPendingAt = Date.now();
    state.pendingMessageIds.push(messageId);
    // A photo without a caption or a voice note has no words: kept as '' so the bot can say it cannot read it.
    state.pendingTexts.push(text);
    newInbound = true;
  });

  setHandler(
    agentCommandUpdate,
    async (command) => {
      const id = ++nextCommandId;
      commands.push({ id, command });
      await condition(() => appliedCommandId >= id);
      return { mode: state.mode };
    },
    {
      validator: (command) => {
        if (state.mode === 'closed') throw new Error('conversation is closed');
        if (command.kind === 'reply' && !command.text.trim() && !command.attachment) throw new Error('reply is empty');
      },
    },
  );

  setHandler(stateQuery, () => ({
    mode: state.mode,
    pending: state.pendingMessageIds.length,
    handledMessages: handled,
    continuedAsNew: Boolean(workflowInfo().continuedFromExecutionRunId),
  }));

  if (!input.carried) {
    // A message can reach a conversation just as it closes; the new run reopens it.
    await acts.reopenIfClosed({ ...ref, key: workflowInfo().runId });
  }

  while (state.mode !== 'closed') {
    const historyFull = workflowInfo().historyLength > timings.historyLimit || workflowInfo().continueAsNewSuggested;
    // Continue as new between steps, when no agent command is queued or in flight (an update
    // handler must finish in the run that accepted it); otherwise the loop applies them first.
    if (historyFull && commands.length === 0 && allHandlersFinished()) {
      await Promise.all(mediaFetches);
      await continueAsNew<typeof conversationWorkflow>({ ...input, carried: state });
    }

    const hasWork = () => commands.length > 0 || state.pendingMessageIds.length > 0 || state.unrecorded.length > 0 || phoneTakeover;
    const quietFor = Math.max(1, state.lastActivityAt + timings.inactivityCloseMs - Date.now());
    // An inactivity limit of 0 means conversations never close by themselves.
    const woke = timings.inactivityCloseMs > 0 ? await condition(hasWork, quietFor) : (await condition(hasWork), true);
    if (!woke) {
      await closeConversation('inactive');
      break;
    }

    await recordNewMessages();
    if (phoneTakeover) {
      phoneTakeover = false;
      if (state.mode === 'bot' || state.mode === 'waiting_for_agent') {
        await acts.setMode({ ...ref, mode: 'agent', reason: 'phone_reply', key: transitionKey() });
        state.mode = 'agent';
        state.offeredHuman = false;
      }
    }
    if (commands.length > 0) {
      await applyCommand(commands.shift()!);
      continue;
    }

    if (state.pendingMessageIds.length === 0) continue;
    if (state.mode !== 'bot') {
      // An agent is (or will be) on it: customer lines wait in the inbox, not for the bot.
      handled += state.pendingMessageIds.length;
      state.pendingMessageIds = [];
      state.pendingTexts = [];
      continue;
    }

    await waitForBatchToSettle();
    if (commands.length > 0) continue; // an agent stepped in while the batch was forming
    await answerBatch();
  }

  await Promise.all(mediaFetches);
  // Let in-flight updates see the final mode before the run ends.
  for (const c of commands.splice(0)) appliedCommandId = Math.max(appliedCommandId, c.id);
  await condition(allHandlersFinished);

  async function waitForBatchToSettle() {
    const deadline = firstPendingAt + timings.batchMaxWaitMs;
    if (timings.batchWindowMs <= 0) return;
    for (;;) {
      newInbound = false;
      const remaining = Math.min(timings.batchWindowMs, deadline - Date.now());
      if (remaining <= 0) return;
      const more = await condition(() => newInbound || commands.length > 0, remaining);
      if (!more || commands.length > 0) return;
      await recordNewMessages();
    }
  }

  /** Agents and the widget see customer messages as they come, not when the batch is answered. */
  async function recordNewMessages() {
    if (state.unrecorded.length === 0) return;
    const messages = state.unrecorded.splice(0);
    await acts.recordInbound({ ...ref, messages });
    for (const m of messages) {
      if (m.mediaPending) {
        // Failures are recorded on the message by the activity's last attempt; never stop the conversation.
        mediaFetches.push(mediaActs.fetchInboundMedia({ ...ref, messageId: m.messageId }).catch(() => undefined));
      }
    }
  }

  async function answerBatch() {
    const messageIds = state.pendingMessageIds.splice(0);
    const texts = state.pendingTexts.splice(0);
    const lastId = messageIds[messageIds.length - 1]!;
    const words = texts.filter((t) => t.trim() !== '');
    if (words.length === 0) {
      // Only attachments without words (a photo, a voice note): say what the bot can do instead of guessing.
      handled += messageIds.length;
      await acts.deliverMessage({ ...ref, messageId: `${lastId}:cannot-read`, author: 'bot', catalog: { key: 'bot.cannotRead' } });
      return;
    }
    const replyId = `${lastId}:reply`;
    const text = words.join('\n');
    let decision = await acts.decideReply({
      ...ref,
      messageIds,
      text,
      replyId,
      offeredHuman: state.offeredHuman,
      ...(state.lastChannelMessageId ? { lastChannelMessageId: state.lastChannelMessageId } : {}),
    });
    if (decision.kind === 'generate') {
      const { language } = decision;
      // Never leave the customer without a reply or a person: a worker that keeps dying counts as a failure.
      decision = await aiActs
        .generateReply({ ...ref, messageIds, text, replyId, language })
        .catch(() => ({ kind: 'failed' as const, reason: 'ai_unavailable' as const, language }));
    }
    handled += messageIds.length;
    if (decision.kind === 'handoff' || decision.kind === 'failed') {
      state.offeredHuman = false;
      await acts.setMode({ ...ref, mode: 'waiting_for_agent', reason: decision.reason, key: transitionKey() });
      state.mode = 'waiting_for_agent';
      // A customer is not told about the business's credits or plan: only that the team will reply.
      const message = decision.kind === 'handoff' ? 'bot.handoffRequested' : decision.reason === 'ai_unavailable' ? 'bot.aiUnavailable' : 'bot.teamWillReply';
      await acts.deliverMessage({ ...ref, messageId: `${lastId}:handoff`, author: 'bot', catalog: { key: message }, locale: decision.language });
      return;
    }
    if (decision.kind === 'generate') return; // unreachable: generateReply never asks again
    state.offeredHuman = decision.kind === 'no_answer';
    await acts.deliverMessage({
      ...ref,
      messageId: replyId,
      author: 'bot',
      text: decision.text,
      citations: decision.citations,
      grounded: decision.kind === 'answer',
      offerHumanButton: decision.kind === 'no_answer',
    });
  }

  async function applyCommand({ id, command }: { id: number; command: AgentCommand }) {
    try {
      switch (command.kind) {
        case 'takeOver':
          await takeOver(command.agentId, command.agentName);
          break;
        case 'reply':
          if (state.mode !== 'agent') await takeOver(command.agentId, command.agentName);
          await acts.deliverMessage({
            ...ref,
            messageId: command.messageId,
            author: 'agent',
            authorName: command.agentName,
            agentId: command.agentId,
            text: command.text,
            ...(command.attachment ? { media: command.attachment } : {}),
          });
          break;
        case 'sendTemplate':
          if (state.mode !== 'agent') await takeOver(command.agentId, command.agentName);
          await acts.deliverMessage({
            ...ref,
            messageId: command.messageId,
            author: 'agent',
            authorName: command.agentName,
            agentId: command.agentId,
            text: command.previewText,
            template: command.template,
          });
          break;
        case 'handBack':
          if (state.mode !== 'bot') {
            const key = transitionKey();
            await acts.setMode({ ...ref, mode: 'bot', reason: 'hand_back', key });
            state.mode = 'bot';
            state.offeredHuman = false;
            await acts.deliverMessage({ ...ref, messageId: `handback:${key}`, author: 'system', catalog: { key: 'bot.handedBack' } });
          }
          break;
        case 'close':
          await closeConversation('agent');
          break;
      }
      state.lastActivityAt = Date.now();
    } finally {
      appliedCommandId = id;
    }
  }

  async function takeOver(agentId: string, agentName: string) {
    if (state.mode === 'agent') return;
    const key = transitionKey();
    await acts.setMode({ ...ref, mode: 'agent', agentId, agentName, reason: 'take_over', key });
    state.mode = 'agent';
    state.offeredHuman = false;
    await acts.deliverMessage({
      ...ref,
      messageId: `join:${key}`,
      author: 'system',
      catalog: { key: 'bot.agentJoined', vars: { name: agentName } },
    });
  }

  async function closeConversation(reason: 'agent' | 'inactive') {
    await recordNewMessages();
    await acts.deliverMessage({
      ...ref,
      messageId: `close:${workflowInfo().runId}`,
      author: 'system',
      catalog: { key: reason === 'inactive' ? 'bot.closedInactive' : 'bot.closed' },
    });
    await acts.closeConversation({ ...ref, reason, key: transitionKey() });
    state.mode = 'closed';
  }
}
