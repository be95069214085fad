/**
 * The Temporal client side of knowledge ingestion, used by the dashboard (add, reprocess, delete,
 * link, re-sync schedule) and the demo seed. One workflow id per source, `knowledge/<sourceId>`:
 * a reprocess or a delete replaces a run in progress; a re-link joins it (the run applies the
 * source's current chatbots when it finishes).
 */
import type { Client } from '@temporalio/client';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { ResyncSchedule } from '../models/knowledge-source';

export const KNOWLEDGE_WORKFLOW = 'knowledgeIngestWorkflow';

export type KnowledgeRunReason = 'create' | 'reprocess' | 'resync' | 'relink' | 'delete';

export interface KnowledgeWorkflowInput {
  sourceId: string;
  workspaceId: string;
  reason: KnowledgeRunReason;
}

export const knowledgeWorkflowId = (sourceId: string) => `knowledge/${sourceId}`;
export const resyncScheduleId = (sourceId: string) => `knowledge-resync/${sourceId}`;

const INTERVALS = { daily: '1 day', weekly: '7 days' } as const satisfies Record<Exclude<ResyncSchedule, 'off'>, string>;

/** Start (or restart) the source's ingestion workflow. */
export async function startKnowledgeRun(client: Client, taskQueue: string, input: KnowledgeWorkflowInput): Promise<void> {
  await client.workflow.start(KNOWLEDGE_WORKFLOW, {
    workflowId: knowledgeWorkflowId(input.sourceId),
    taskQueue,
    args: [input],
    // Relinking only needs the labels applied, which a run in progress does when it finishes.
    workflowIdConflictPolicy: input.reason === 'relink' ? 'USE_EXISTING' : 'TERMINATE_EXISTING',
  });
}

/** Wait for the source's current run to end (tests and the demo seed). */
export async function waitForKnowledgeRun(client: Client, sourceId: string): Promise<void> {
  await client.workflow.getHandle(knowledgeWorkflowId(sourceId)).result();
}

/**
 * Make the source's Temporal Schedule match its setting: none when off, else every day or week.
 * A re-sync that finds the previous one still running is skipped.
 */
export async function applyResyncSchedule(
  client: Client,
  taskQueue: string,
  source: { sourceId: string; workspaceId: string; resync: ResyncSchedule },
): Promise<void> {
  const scheduleId = resyncScheduleId(source.sourceId);
  const handle = client.schedule.getHandle(scheduleId);
  if (source.resync === 'off') {
    await handle.delete().catch((err: unknown) => {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    });
    return;
  }
  const spec = { intervals: [{ every: INTERVALS[source.resync] }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: KNOWLEDGE_WORKFLOW,
    workflowId: `${knowledgeWorkflowId(source.sourceId)}/resync`,
    taskQueue,
    args: [{ sourceId: source.sourceId, workspaceId: source.workspaceId, reason: 'resync' } satisfies KnowledgeWorkflowInput],
  };
  try {
    await handle.update((previous) => ({ ...previous, spec, action }));
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
  }
}
