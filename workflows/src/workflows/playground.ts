/** One playground question (see activities/playground.ts): a workflow only so the dashboard can run it. */
import { proxyActivities } from '@temporalio/workflow';
import type { PlaygroundInput, PlaygroundResult } from '@sapa/shared/ai/playground';
import type { createPlaygroundActivities } from '../activities/playground';

const acts = proxyActivities<ReturnType<typeof createPlaygroundActivities>>({
  startToCloseTimeout: '3 minutes',
  // The engine retries providers itself; a second attempt here would only double the owner's wait.
  retry: { maximumAttempts: 1 },
});

export async function playgroundWorkflow(input: PlaygroundInput): Promise<PlaygroundResult | null> {
  return acts.playgroundAnswer(input);
}
