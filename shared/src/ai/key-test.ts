/**
 * "Test key": the contract between the dashboard and the worker. The dashboard cannot run the
 * provider adapters (they live in the worker), so the test is the short `keyTestWorkflow`, whose
 * one activity opens the key, makes a real, cheap call with it and records the outcome on the key.
 * Neither the input nor the result ever carries the key.
 */
import type { Client } from '@temporalio/client';
import { randomId } from '../crypto';
import type { ApiKeyStatus } from '../models/api-key';

export const KEY_TEST_WORKFLOW = 'keyTestWorkflow';

export interface KeyTestInput {
  workspaceId: string;
  keyId: string;
}

/** Why a test failed: the key is wrong, the provider could not be reached, it is rate limiting, or anything else. */
export const KEY_TEST_REASONS = ['invalid_key', 'unreachable', 'rate_limited', 'other'] as const;
export type KeyTestReason = (typeof KEY_TEST_REASONS)[number];

/** What one validation call found (the message is the provider's, scrubbed of the key). */
export type KeyCheckResult = { ok: true } | { ok: false; reason: KeyTestReason; message: string };

/** A finished test: the check, the key's status after it, and when it ran (ISO). */
export type KeyTestResult = KeyCheckResult & { status: ApiKeyStatus; testedAt: string };

/** Runs the test and waits for it; null when the key does not exist (in this workspace). */
export async function runKeyTest(client: Client, taskQueue: string, input: KeyTestInput): Promise<KeyTestResult | null> {
  return client.workflow.execute(KEY_TEST_WORKFLOW, {
    // Every click is its own test: a second click must not be answered with the first one's result.
    workflowId: `key-test/${input.keyId}/${randomId(9)}`,
    taskQueue,
    args: [input],
    workflowExecutionTimeout: '2 minutes',
  });
}
