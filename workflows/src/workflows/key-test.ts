/** One "Test key" run (see activities/key-test.ts): a workflow only so the dashboard can run it. */
import { proxyActivities } from '@temporalio/workflow';
import type { KeyTestInput, KeyTestResult } from '@sapa/shared/ai/key-test';
import type { createKeyTestActivities } from '../activities/key-test';

const acts = proxyActivities<ReturnType<typeof createKeyTestActivities>>({
  startToCloseTimeout: '90 seconds',
  // One call is the test: a retry would only double what the owner waits (and pays) for.
  retry: { maximumAttempts: 1 },
});

export async function keyTestWorkflow(input: KeyTestInput): Promise<KeyTestResult | null> {
  return acts.testWorkspaceApiKey(input);
}
