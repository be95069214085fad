/**
 * One run per knowledge source (id `knowledge/<sourceId>`): plan the pages, process them in small
 * batches (extract → clean → chunk → embed → upsert, skipping pages whose content did not change),
 * then prune pages that disappeared and mark the source ready. A delete run removes every vector,
 * chunk and page of the source, then the source itself. All I/O is in activities; this function
 * only sequences them and decides what a failure means for the source.
 */
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { KnowledgeWorkflowInput } from '@sapa/shared/knowledge/workflow-client';
import type { KnowledgeActivities, PageTally } from '../activities/knowledge';

const acts = proxyActivities<KnowledgeActivities>({
  // A batch embeds a few pages (or a whole uploaded document) through a provider: give it time,
  // and make the activity heartbeat so a dead worker is noticed quickly.
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Pages handed to one activity: small enough to retry cheaply, large enough to keep history short. */
const PAGES_PER_BATCH = 8;

export async function knowledgeIngestWorkflow(input: KnowledgeWorkflowInput): Promise<void> {
  if (input.reason === 'delete') {
    await acts.deleteSource(input);
    return;
  }
  if (input.reason === 'relink') {
    await acts.relinkSource(input);
    return;
  }
  try {
    const plan = await acts.planSource(input);
    if (!plan) return; // the source was deleted meanwhile
    const tally: PageTally = { added: 0, changed: 0, unchanged: 0, removed: 0, skipped: plan.skipped.length, failures: plan.skipped };
    for (let i = 0; i < plan.pages.length; i += PAGES_PER_BATCH) {
      const batch = plan.pages.slice(i, i + PAGES_PER_BATCH);
      const result = await acts.processPages({ ...input, pages: batch, done: i, total: plan.pages.length });
      tally.added += result.added;
      tally.changed += result.changed;
      tally.unchanged += result.unchanged;
      tally.skipped += result.skipped;
      tally.failures.push(...result.failures);
    }
    await acts.finishSource({ ...input, keptPageKeys: plan.pages.map((p) => p.key), tally });
  } catch (err) {
    // Whatever went wrong (a document that cannot be read, a provider that kept failing), the
    // owner sees the source failed with the reason instead of a spinner forever.
    const failure = err instanceof ApplicationFailure ? err : (err as { cause?: unknown }).cause;
    const code = failure instanceof ApplicationFailure ? (failure.type ?? 'failed') : 'failed';
    const message = failure instanceof Error ? failure.message : String(err);
    await acts.failSource({ ...input, code, message });
  }
}
