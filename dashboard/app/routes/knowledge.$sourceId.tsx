/**
 * /knowledge/:sourceId: one knowledge source, live: its details, status, the chunks it was cut
 * into, and (for owners and admins) reprocess, re-link, re-sync schedule and delete.
 */
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { badRequest } from '@sapa/shared';
import { verifyCsrf } from '../lib/csrf.server';
import type { FieldErrors } from '../lib/forms.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { chunkPageOf, parseRelink, parseResync } from '../lib/knowledge-forms.server';
import {
  canManageKnowledge,
  changeResync,
  deleteSource,
  loadSourcePage,
  relinkSource,
  reprocessSource,
  requireKnowledgeEditor,
} from '../lib/knowledge.server';
import { useT } from '../lib/root-data';
import { getSession, requireUser } from '../lib/session.server';
import { KNOWLEDGE_EVENTS, useLiveRevalidation } from '../hooks/use-live-revalidation';
import { ChunkViewer, SourceActions, SourceFacts } from '../components/knowledge-source-panels';
import { KnowledgeFailure, KnowledgeProgress, KnowledgeStatusBadge, SyncSummary } from '../components/knowledge-status';
import { LiveIndicator } from '../components/live-indicator';

export const loader = withHttpErrors(async ({ request, params }: LoaderFunctionArgs) => {
  const { user, workspace, membership } = await requireUser(request);
  const view = await loadSourcePage(
    { workspaceId: String(workspace._id), locale: resolveLocale(request, user), timeZone: workspace.timezone },
    params.sourceId,
    chunkPageOf(new URL(request.url)),
  );
  return { ...view, canManage: canManageKnowledge(membership), saved: new URL(request.url).searchParams.has('saved') };
});

type Rejected = { intent: string; fieldErrors: FieldErrors };

export const action = withHttpErrors(async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireKnowledgeEditor(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request, admin.user);
  const intent = String(form.get('intent') ?? '');
  const sourceId = params.sourceId;
  const backHere = redirect(`/knowledge/${sourceId}?saved`);
  switch (intent) {
    case 'reprocess':
      await reprocessSource(admin, sourceId);
      return backHere;
    case 'relink': {
      const parsed = parseRelink(form, locale);
      if (!parsed.ok) return data<Rejected>({ intent, fieldErrors: parsed.fieldErrors }, { status: parsed.status });
      await relinkSource(admin, sourceId, parsed.value);
      return backHere;
    }
    case 'resync': {
      const parsed = parseResync(form, locale);
      if (!parsed.ok) return data<Rejected>({ intent, fieldErrors: parsed.fieldErrors }, { status: parsed.status });
      await changeResync(admin, sourceId, parsed.value);
      return backHere;
    }
    case 'delete':
      await deleteSource(admin, sourceId);
      return redirect('/knowledge');
    default:
      throw badRequest('error.validation');
  }
});

export default function KnowledgeSourcePage() {
  const { source, chatbots, chunks, chunkPage, chunkPages, chunkTotal, chunkOffset, lastEventId, canManage, saved } = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>() ?? undefined;
  const navigation = useNavigation();
  const live = useLiveRevalidation(lastEventId, KNOWLEDGE_EVENTS);
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  return (
    <div className="channel-page" data-testid="source-page" data-source-id={source.id} data-status={source.status}>
      <Link to="/knowledge" className="channel-page__back">
        ← {tr('knowledge.back')}
      </Link>
      <section className="card channel-card">
        <header className="channel-card__header">
          <div className="channel-card__who">
            <h1 className="channel-card__title">{source.name}</h1>
            <p className="channel-card__meta">
              {source.chatbotNames.length > 0 ? tr('knowledge.usedByList', { names: source.chatbotNames.join(', ') }) : tr('knowledge.usedByNone')}
            </p>
            <SyncSummary at={source.lastSyncedAt} tally={source.lastSync} />
          </div>
          <div className="channel-card__health">
            <KnowledgeStatusBadge status={source.status} />
            {source.progress ? <KnowledgeProgress progress={source.progress} /> : null}
            <LiveIndicator status={live} />
          </div>
        </header>
        {saved ? (
          <p className="alert alert--success" role="status" data-testid="saved">
            {tr('dash.saved')}
          </p>
        ) : null}
        {source.status === 'failed' ? <KnowledgeFailure code={source.errorCode} error={source.error} /> : null}
        <SourceFacts source={source} />
        {canManage ? <SourceActions source={source} chatbots={chatbots} errors={errors} busy={busy} /> : null}
        <ChunkViewer chunks={chunks} page={chunkPage} pages={chunkPages} total={chunkTotal} offset={chunkOffset} />
      </section>
    </div>
  );
}
