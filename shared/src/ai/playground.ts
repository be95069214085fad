/**
 * The playground's contract between the dashboard and the worker: the owner's question to a
 * chatbot, and the answer with what retrieval found. Run as the short `playgroundWorkflow`.
 */
import type { Client } from '@temporalio/client';
import type { Locale } from '../i18n';

export const PLAYGROUND_WORKFLOW = 'playgroundWorkflow';

export interface PlaygroundInput {
  /** Unique per question (the usage record's key). */
  runId: string;
  workspaceId: string;
  chatbotId: string;
  question: string;
  /** Earlier turns of this playground session, oldest first. */
  history: Array<{ author: 'customer' | 'bot'; text: string }>;
  locale?: Locale;
}

export interface PlaygroundPassage {
  chunkId: string;
  title: string;
  heading: string;
  url?: string;
  page?: number;
  text: string;
  /** Combined score and its two halves (0–1). */
  score: number;
  dense: number;
  lexical: number;
}

export interface PlaygroundResult {
  kind: 'answer' | 'no_answer' | 'failed';
  text: string;
  language: Locale;
  citations: Array<{ title: string; url?: string }>;
  passages: PlaygroundPassage[];
  usage: { provider: string; model: string; inputTokens: number; outputTokens: number; latencyMs: number; attempts: number; fallback: boolean };
  error?: string;
}

export async function runPlayground(client: Client, taskQueue: string, input: PlaygroundInput): Promise<PlaygroundResult | null> {
  return client.workflow.execute(PLAYGROUND_WORKFLOW, {
    workflowId: `playground/${input.runId}`,
    taskQueue,
    args: [input],
    workflowExecutionTimeout: '4 minutes',
  });
}
