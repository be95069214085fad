/**
 * /knowledge: the workspace's knowledge sources, live, and (for owners and admins) the forms that
 * add a file, typed text, Q&A pairs, a web page or a website. A source beyond the plan's limit is
 * refused on its form, in the owner's language.
 */
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { badRequest } from '@sapa/shared';
import { verifyCsrf } from '../lib/csrf.server';
import { config } from '../lib/env.server';
import type { FieldErrors } from '../lib/forms.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { ADD_INTENTS, formFields, parseNewSource, type AddIntent } from '../lib/knowledge-forms.server';
import {
  CLOSE_CONNECTION,
  canManageKnowledge,
  createSource,
  loadKnowledgeList,
  refuseOversizedUpload,
  requireKnowledgeEditor,
  uploadFromForm,
} from '../lib/knowledge.server';
import { PLAN_LIMIT_STATUS, planLimitErrors } from '../lib/plan-limits.server';
import { useT } from '../lib/root-data';
import { getSession, requireUser } from '../lib/session.server';
import { KNOWLEDGE_EVENTS, useLiveRevalidation } from '../hooks/use-live-revalidation';
import { ADD_TABS, INTENT_OF_TAB, KnowledgeAddSection, type AddTab, type FormValues } from '../components/knowledge-add';
import { KnowledgeList } from '../components/knowledge-list';
import { LiveIndicator } from '../components/live-indicator';

const tabOf = (value: string | null): AddTab => (ADD_TABS as readonly string[]).includes(value ?? '') ? (value as AddTab) : 'file';
const TAB_OF_INTENT = Object.fromEntries(Object.entries(INTENT_OF_TAB).map(([tab, intent]) => [intent, tab])) as Record<AddIntent, AddTab>;

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const { user, workspace, membership } = await requireUser(request);
  const view = await loadKnowledgeList({ workspaceId: String(workspace._id), locale: resolveLocale(request, user), timeZone: workspace.timezone });
  const url = new URL(request.url);
  return { ...view, canManage: canManageKnowledge(membership), tab: tabOf(url.searchParams.get('tab')), added: url.searchParams.get('added') ?? '' };
});

type Rejected = { intent: string; fieldErrors: FieldErrors; values: FormValues };

/** What a rejected form had typed in, put back into it (files and the token are not). */
function typedValues(form: FormData): FormValues {
  const { csrf: _token, intent: _intent, ...values } = formFields(form, ['chatbotIds', 'question', 'answer']);
  return values;
}

export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  const admin = await requireKnowledgeEditor(request);
  const locale = resolveLocale(request, admin.user);
  const rejected = (intent: string, fieldErrors: FieldErrors, status: number, values: FormValues = {}) =>
    data<Rejected>({ intent, fieldErrors, values }, { status });
  // Refused before the body is parsed: nothing of it is kept.
  const oversized = await refuseOversizedUpload(request, locale);
  if (oversized && !oversized.ok) {
    return data<Rejected>({ intent: 'upload', fieldErrors: oversized.fieldErrors, values: {} }, { status: oversized.status, headers: CLOSE_CONNECTION });
  }

  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const intent = String(form.get('intent') ?? '');
  if (!(ADD_INTENTS as readonly string[]).includes(intent)) throw badRequest('error.validation');
  const addIntent = intent as AddIntent;
  const back = (sourceId: string) => redirect(`/knowledge?tab=${TAB_OF_INTENT[addIntent]}&added=${sourceId}`);

  try {
    if (addIntent === 'upload') {
      const outcome = await uploadFromForm(form, admin, locale);
      // A file is never echoed back; the chatbot choice is.
      return outcome.ok ? back(outcome.value.sourceId) : rejected(intent, outcome.fieldErrors, outcome.status, typedValues(form));
    }
    const parsed = parseNewSource(addIntent, form, locale, { maxPagesLimit: config.CRAWL_MAX_PAGES });
    if (!parsed.ok) return rejected(intent, parsed.fieldErrors, parsed.status, typedValues(form));
    return back(await createSource(admin, parsed.value));
  } catch (err) {
    // The plan has no room for another source: said on the form, with what was typed kept.
    const refused = planLimitErrors(err, locale);
    if (!refused) throw err;
    return rejected(intent, refused, PLAN_LIMIT_STATUS, typedValues(form));
  }
});

export default function KnowledgePage() {
  const { sources, chatbots, lastEventId, canManage, tab, added, maxUploadBytes, maxPagesLimit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() ?? undefined;
  const navigation = useNavigation();
  const live = useLiveRevalidation(lastEventId, KNOWLEDGE_EVENTS);
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const addedName = added ? sources.find((s) => s.id === added)?.name : undefined;
  return (
    <div className="knowledge">
      <header className="channels__header">
        <h1 className="channels__title">{tr('knowledge.title')}</h1>
        <LiveIndicator status={live} />
      </header>
      <p className="channels__intro">{tr('knowledge.intro')}</p>
      {!canManage ? (
        <p className="channels__note" data-testid="admin-only-note">
          {tr('knowledge.adminOnlyNote')}
        </p>
      ) : null}
      {addedName && !result ? (
        <p className="alert alert--success knowledge__added" role="status" data-testid="added">
          {tr('knowledge.added', { name: addedName })}
        </p>
      ) : null}
      {canManage ? (
        <KnowledgeAddSection
          // A new form after each add: the fields start empty again.
          key={added}
          tab={tab}
          chatbots={chatbots}
          result={result}
          maxUploadBytes={maxUploadBytes}
          maxPagesLimit={maxPagesLimit}
          busy={busy}
        />
      ) : null}
      <h2 className="knowledge__list-title">{tr('knowledge.sources', { count: sources.length })}</h2>
      <KnowledgeList sources={sources} />
    </div>
  );
}
