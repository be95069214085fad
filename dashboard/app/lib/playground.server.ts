/**
 * The chatbot playground: the owner asks a question and sees what a customer would get (the
 * answer, its citations) and why (every passage retrieval found with its scores, the provider,
 * model, tokens and latency). The worker answers through `playgroundWorkflow` with the same engine
 * as real replies; the page keeps this session's transcript and posts it back with each question.
 */
import { randomId, runPlayground, unavailable, notFound, type Locale, type PlaygroundResult } from '@sapa/shared';
import { appendTurns, type PlaygroundTurn } from './chatbot-forms.server';
import { findChatbot } from './chatbots.server';
import { config, logger, temporalClient } from './env.server';
import type { SessionUser } from './session.server';

/**
 * How long the owner waits before being told to try again. Real providers answer in seconds; a
 * worker that is down would otherwise keep the request open for the workflow's whole timeout.
 */
const ANSWER_WAIT_MS = 90_000;

export interface PlaygroundExchange {
  question: string;
  result: PlaygroundResult;
  /** The transcript including this exchange (posted back with the next question). */
  transcript: PlaygroundTurn[];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function askPlayground(
  admin: SessionUser,
  chatbotId: string | undefined,
  input: { question: string; transcript: PlaygroundTurn[]; locale: Locale },
): Promise<PlaygroundExchange> {
  const workspaceId = String(admin.workspace._id);
  const chatbot = await findChatbot(workspaceId, chatbotId);
  const client = await temporalClient();
  let result: PlaygroundResult | null;
  try {
    result = await withTimeout(
      runPlayground(client, config.TEMPORAL_TASK_QUEUE, {
        runId: randomId(12),
        workspaceId,
        chatbotId: String(chatbot._id),
        question: input.question,
        history: input.transcript,
        locale: input.locale,
      }),
      ANSWER_WAIT_MS,
    );
  } catch (err) {
    logger.warn({ err, chatbotId: String(chatbot._id) }, 'playground question failed');
    throw unavailable('playground did not answer');
  }
  // The chatbot was deleted while the question ran.
  if (!result) throw notFound('error.chatbotNotFound');
  const turns: PlaygroundTurn[] = [{ author: 'customer', text: input.question }];
  if (result.kind === 'answer') turns.push({ author: 'bot', text: result.text });
  return { question: input.question, result, transcript: appendTurns(input.transcript, ...turns) };
}
