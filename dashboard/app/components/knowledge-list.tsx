/**
 * The workspace's knowledge sources, newest first: name, kind, the chatbots each serves, its
 * status (with progress while processing and the reason when it failed), chunk count and, for
 * web sources, the last sync. Rows follow the worker's progress live (the page revalidates).
 */
import { Link } from '@remix-run/react';
import type { KnowledgeSourceRow } from '../lib/knowledge.server';
import { knowledgeKindKey } from '../lib/knowledge-labels';
import { useT } from '../lib/root-data';
import { KnowledgeFailure, KnowledgeProgress, KnowledgeStatusBadge, SyncSummary } from './knowledge-status';

export function KnowledgeList({ sources }: { sources: KnowledgeSourceRow[] }) {
  const tr = useT();
  if (sources.length === 0) return <p className="knowledge__empty">{tr('knowledge.empty')}</p>;
  return (
    <ul className="klist" data-testid="knowledge-list">
      {sources.map((s) => (
        <li key={s.id} className="klist__item" data-testid="knowledge-item" data-source-id={s.id} data-status={s.status} data-kind={s.kind}>
          <div className="klist__main">
            <Link to={`/knowledge/${s.id}`} className="klist__name" data-testid="knowledge-name">
              {s.name}
            </Link>
            <span className="klist__meta">
              <span className="klist__kind">{tr(knowledgeKindKey(s.kind))}</span>
              {s.detail ? <span className="klist__detail">{s.detail}</span> : null}
              {s.status === 'ready' || s.chunkCount > 0 ? (
                <span data-testid="knowledge-chunks" data-count={s.chunkCount}>
                  {tr('knowledge.chunkCount', { count: s.chunkCount })}
                </span>
              ) : null}
            </span>
            <span className="klist__bots">
              {s.chatbotNames.length > 0 ? tr('knowledge.usedByList', { names: s.chatbotNames.join(', ') }) : tr('knowledge.usedByNone')}
            </span>
            <SyncSummary at={s.lastSyncedAt} tally={s.lastSync} />
          </div>
          <div className="klist__state">
            <KnowledgeStatusBadge status={s.status} />
            {s.progress ? <KnowledgeProgress progress={s.progress} /> : null}
          </div>
          {s.status === 'failed' ? <KnowledgeFailure code={s.errorCode} error={s.error} /> : null}
        </li>
      ))}
    </ul>
  );
}
