/**
 * The Temporal client side of the conversation workflow, used by the gateway (inbound messages)
 * and the dashboard (agent commands). Start arguments are built in one place so every caller
 * starts the workflow the same way.
 */
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import type { Config } from './config';
import {
  AGENT_COMMAND_UPDATE,
  CONVERSATION_WORKFLOW,
  INBOUND_SIGNAL,
  conversationWorkflowId,
  type AgentCommand,
  type AgentCommandResult,
  type ConversationTimings,
  type ConversationWorkflowInput,
  type InboundSignal,
} from './conversation';

/** The workflow's signature, for typing client calls without importing workflow code. */
type ConversationWorkflowType = (input: ConversationWorkflowInput) => Promise<void>;

export async function connectTemporal(config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '5s' });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

type TimingSource = Pick<Config, 'BATCH_WINDOW_MS' | 'BATCH_MAX_WAIT_MS' | 'INACTIVITY_CLOSE_MS' | 'CONVERSATION_HISTORY_LIMIT'>;
type ChatbotTimings = { batchWindowMs?: number | null; batchMaxWaitMs?: number | null; inactivityCloseMs?: number | null };

/** Timings from config, overridden by the chatbot's own settings where it has them. */
export function conversationTimings(config: TimingSource, chatbot?: ChatbotTimings | null): ConversationTimings {
  return {
    batchWindowMs: chatbot?.batchWindowMs ?? config.BATCH_WINDOW_MS,
    batchMaxWaitMs: chatbot?.batchMaxWaitMs ?? config.BATCH_MAX_WAIT_MS,
    inactivityCloseMs: chatbot?.inactivityCloseMs ?? config.INACTIVITY_CLOSE_MS,
    historyLimit: config.CONVERSATION_HISTORY_LIMIT,
  };
}

export interface ConversationRef {
  conversationId: string;
  workspaceId: string;
  timings: ConversationTimings;
}

function startOptions(ref: ConversationRef, taskQueue: string) {
  const input: ConversationWorkflowInput = {
    conversationId: ref.conversationId,
    workspaceId: ref.workspaceId,
    timings: ref.timings,
  };
  return { workflowId: conversationWorkflowId(ref.conversationId), taskQueue, args: [input] as [ConversationWorkflowInput] };
}

/**
 * Deliver a stored inbound message to its conversation's workflow, starting the workflow if needed.
 * Gives up after `timeoutMs` (instead of the client's long retries) so the gateway can answer 503
 * while Temporal is down and the provider retries later.
 */
export async function signalInboundMessage(client: Client, taskQueue: string, ref: ConversationRef, signal: InboundSignal, timeoutMs = 5000) {
  await client.connection.withDeadline(Date.now() + timeoutMs, () =>
    client.workflow.signalWithStart(CONVERSATION_WORKFLOW, {
      ...startOptions(ref, taskQueue),
      signal: INBOUND_SIGNAL,
      signalArgs: [signal],
    }),
  );
}

/**
 * Apply an agent command and wait until the workflow has carried it out. `reopen`: the command may
 * start a closed conversation again (a WhatsApp template re-engaging a customer after the window
 * and the conversation have closed); the new run reopens it before applying the command.
 */
export async function runAgentCommand(
  client: Client,
  taskQueue: string,
  ref: ConversationRef,
  command: AgentCommand,
  opts: { reopen?: boolean } = {},
): Promise<AgentCommandResult> {
  const startWorkflowOperation = new WithStartWorkflowOperation<ConversationWorkflowType>(CONVERSATION_WORKFLOW, {
    ...startOptions(ref, taskQueue),
    workflowIdConflictPolicy: 'USE_EXISTING',
    // Otherwise a conversation whose workflow has ended is closed: commands must not start it again.
    workflowIdReusePolicy: opts.reopen ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
  });
  return client.workflow.executeUpdateWithStart<ConversationWorkflowType, AgentCommandResult, [AgentCommand]>(AGENT_COMMAND_UPDATE, {
    args: [command],
    startWorkflowOperation,
  });
}

/** Whether the Temporal frontend answers right now (for readiness checks). */
export async function pingTemporal(client: Client, timeoutMs = 1000): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () =>
      client.workflowService.getSystemInfo({}),
    );
    return true;
  } catch {
    return false;
  }
}
