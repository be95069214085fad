/**
 * The body of a knowledge source's page: what it is, the owner's actions on it (reprocess, the
 * chatbots it serves, a web source's re-sync schedule, delete) and the chunk viewer. Every action
 * is a plain form post that works without JavaScript.
 */
import { Form, Link } from '@remix-run/react';
import type { FieldErrors } from '../lib/forms.server';
import type { ChunkView, SourceDetails } from '../lib/knowledge.server';
import { RESYNC_OPTIONS, knowledgeKindKey, resyncKey } from '../lib/knowledge-labels';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';
import { ChatbotCheckboxes, SelectField } from './field-controls';
import { ValueRow } from './value-row';

export function SourceFacts({ source }: { source: SourceDetails }) {
  const tr = useT();
  const web = source.kind === 'url' || source.kind === 'sitemap';
  return (
    <dl className="value-list" data-testid="source-facts">
      <ValueRow label={tr('knowledge.kindLabel')} value={tr(knowledgeKindKey(source.kind))} />
      {source.fileName ? <ValueRow label={tr('knowledge.file')} value={`${source.fileName}${source.fileSize ? ` (${source.fileSize})` : ''}`} /> : null}
      {source.format ? <ValueRow label={tr('knowledge.format')} value={source.format.toUpperCase()} /> : null}
      {web ? <ValueRow label={tr('knowledge.url')} value={source.url} /> : null}
      {source.kind === 'sitemap' && source.maxPages ? <ValueRow label={tr('knowledge.maxPages')} value={String(source.maxPages)} /> : null}
      {source.kind === 'sitemap' ? <ValueRow label={tr('knowledge.pageCount')} value={String(source.pageCount)} /> : null}
      {source.kind === 'faq' ? <ValueRow label={tr('knowledge.faqCount')} value={String(source.faqCount)} /> : null}
      <ValueRow label={tr('knowledge.chunks')} value={String(source.chunkCount)} testId="source-chunk-count" />
      <ValueRow label={tr('knowledge.tokens')} value={String(source.tokenCount)} />
      {source.embedding ? <ValueRow label={tr('knowledge.embedding')} value={source.embedding} /> : null}
      {web ? <ValueRow label={tr('knowledge.resync')} value={tr(resyncKey(source.resync))} /> : null}
      {source.createdAt ? <ValueRow label={tr('knowledge.createdAt')} value={source.createdAt} /> : null}
    </dl>
  );
}

interface ActionProps {
  source: SourceDetails;
  chatbots: Array<{ id: string; name: string }>;
  errors: { intent: string; fieldErrors: FieldErrors } | undefined;
  busy: boolean;
}

export function SourceActions({ source, chatbots, errors, busy }: ActionProps) {
  const tr = useT();
  const deleting = source.status === 'deleting';
  const web = source.kind === 'url' || source.kind === 'sitemap';
  const errorsFor = (intent: string) => (errors?.intent === intent ? errors.fieldErrors : undefined);
  if (deleting) return <p className="channels__note">{tr('knowledge.deletingNote')}</p>;
  return (
    <>
      <section className="channel-section" aria-labelledby="reprocess-title">
        <h2 className="channel-section__title" id="reprocess-title">
          {tr('knowledge.reprocess')}
        </h2>
        <Form method="post" className="inline-form">
          <CsrfInput />
          <input type="hidden" name="intent" value="reprocess" />
          <p className="channel-section__help">{tr('knowledge.reprocessHint')}</p>
          <button type="submit" className="button button--secondary" disabled={busy} data-testid="reprocess">
            {tr('knowledge.reprocess')}
          </button>
        </Form>
      </section>
      <section className="channel-section" aria-labelledby="relink-title">
        <h2 className="channel-section__title" id="relink-title">
          {tr('knowledge.usedBy')}
        </h2>
        <Form method="post" className="stack" data-testid="relink-form">
          <CsrfInput />
          <input type="hidden" name="intent" value="relink" />
          <ChatbotCheckboxes chatbots={chatbots} checked={source.chatbotIds} error={errorsFor('relink')?.chatbotIds} legendHidden />
          <button type="submit" className="button button--secondary kaction" disabled={busy}>
            {tr('dash.save')}
          </button>
        </Form>
      </section>
      {web ? (
        <section className="channel-section" aria-labelledby="resync-title">
          <h2 className="channel-section__title" id="resync-title">
            {tr('knowledge.resync')}
          </h2>
          <Form method="post" className="stack" data-testid="resync-form">
            <CsrfInput />
            <input type="hidden" name="intent" value="resync" />
            <SelectField
              label={tr('knowledge.resync')}
              name="resync"
              defaultValue={source.resync}
              hint={tr('knowledge.resyncHint')}
              error={errorsFor('resync')?.resync}
              options={RESYNC_OPTIONS.map((r) => ({ value: r, label: tr(resyncKey(r)) }))}
            />
            <button type="submit" className="button button--secondary kaction" disabled={busy}>
              {tr('dash.save')}
            </button>
          </Form>
        </section>
      ) : null}
      <section className="channel-section channel-section--danger" aria-labelledby="delete-title">
        <h2 className="channel-section__title" id="delete-title">
          {tr('dash.dangerZone')}
        </h2>
        <details className="danger-row">
          <summary className="button button--danger-outline danger-row__summary" data-testid="delete-source">
            {tr('knowledge.delete')}
          </summary>
          <Form method="post" className="danger-row__confirm">
            <CsrfInput />
            <input type="hidden" name="intent" value="delete" />
            <p className="danger-row__hint">{tr('knowledge.deleteHint')}</p>
            <button type="submit" className="button button--danger-outline" disabled={busy} data-testid="delete-source-confirm">
              {tr('knowledge.deleteConfirm')}
            </button>
          </Form>
        </details>
      </section>
    </>
  );
}

/** The source's chunks as retrieval sees them, a page at a time (`?page=`). */
export function ChunkViewer({ chunks, page, pages, total, offset }: { chunks: ChunkView[]; page: number; pages: number; total: number; offset: number }) {
  const tr = useT();
  return (
    <section className="channel-section" aria-labelledby="chunks-title" id="chunks">
      <h2 className="channel-section__title" id="chunks-title">
        {tr('knowledge.chunkViewer', { count: total })}
      </h2>
      {total === 0 ? <p className="channel-section__help">{tr('knowledge.noChunks')}</p> : null}
      <ol className="chunks" data-testid="chunk-list" start={offset + 1}>
        {chunks.map((c) => (
          <li key={c.id} className="chunk" data-testid="chunk" data-chunk-id={c.id}>
            <header className="chunk__meta">
              {c.heading ? <span className="chunk__heading">{c.heading}</span> : null}
              {c.page !== null ? <span>{tr('knowledge.page', { page: c.page })}</span> : null}
              {c.url ? (
                <a href={c.url} target="_blank" rel="noreferrer noopener" className="chunk__url">
                  {c.url}
                </a>
              ) : null}
              <span className="chunk__tokens">{tr('knowledge.tokenCount', { count: c.tokens })}</span>
            </header>
            <p className="chunk__text">{c.text}</p>
          </li>
        ))}
      </ol>
      {pages > 1 ? (
        <nav className="pager" aria-label={tr('knowledge.chunkPages')} data-testid="chunk-pager">
          {page > 1 ? (
            <Link to={`?page=${page - 1}#chunks`} className="button button--secondary button--small" rel="prev">
              ← {tr('knowledge.previous')}
            </Link>
          ) : null}
          <span className="pager__status">{tr('knowledge.pageOf', { page, pages })}</span>
          {page < pages ? (
            <Link to={`?page=${page + 1}#chunks`} className="button button--secondary button--small" rel="next">
              {tr('knowledge.next')} →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}
