/**
 * A knowledge source's state as the list and its page show it: the status badge, the progress of
 * a run (`processing n/m`), why it failed (explained per error code, the worker's own words in
 * small print) and a site's last sync.
 */
import type { KnowledgeStatus } from '@sapa/shared/models/knowledge-source';
import type { SyncTally } from '../lib/knowledge.server';
import { knowledgeErrorKey, knowledgeStatusKey } from '../lib/knowledge-labels';
import { useT } from '../lib/root-data';

export function KnowledgeStatusBadge({ status }: { status: KnowledgeStatus }) {
  const tr = useT();
  return (
    <span className={`kstatus kstatus--${status}`} data-testid="knowledge-status" data-status={status}>
      {tr(knowledgeStatusKey(status))}
    </span>
  );
}

/** While processing: a bar and `n/m` once the run knows how much there is to do. */
export function KnowledgeProgress({ progress }: { progress: { done: number; total: number } }) {
  const tr = useT();
  const known = progress.total > 0;
  return (
    <span className="kprogress" data-testid="knowledge-progress" data-done={progress.done} data-total={progress.total}>
      <progress className="kprogress__bar" {...(known ? { value: progress.done, max: progress.total } : {})} aria-label={tr('knowledge.status.processing')} />
      <span className="kprogress__text">
        {known ? tr('knowledge.progress', { done: progress.done, total: progress.total }) : tr('knowledge.progressPlanning')}
      </span>
    </span>
  );
}

export function KnowledgeFailure({ code, error }: { code: string; error: string }) {
  const tr = useT();
  return (
    <div className="kfailure" data-testid="knowledge-error" data-code={code}>
      <p className="kfailure__reason">{tr(knowledgeErrorKey(code))}</p>
      {error ? <p className="kfailure__raw">{error}</p> : null}
    </div>
  );
}

/** "Last synced …: 3 added, 1 changed, …" for sites and pages. */
export function SyncSummary({ at, tally }: { at: string; tally: SyncTally | null }) {
  const tr = useT();
  if (!at) return null;
  return (
    <span className="ksync" data-testid="knowledge-sync">
      {tr('knowledge.lastSynced', { time: at })}
      {tally ? ` · ${tr('knowledge.syncTally', { ...tally })}` : ''}
    </span>
  );
}
