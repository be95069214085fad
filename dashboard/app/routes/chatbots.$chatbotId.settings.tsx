/**
 * /chatbots/:chatbotId/settings: the chatbot's AI provider, model (with what each listed model
 * costs), prompt and fallback, and how it retrieves and chunks knowledge. Saving validates with
 * the shared schemas the worker reads with. Chunking and embedding apply when a source is
 * processed, so the page offers to reprocess all of the chatbot's sources (and says so right
 * after such a change).
 */
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { badRequest } from '@sapa/shared';
import { parseChatbotSettings, type SettingsValues } from '../lib/chatbot-forms.server';
import { findChatbot, loadChatbotSettings, requireChatbotEditor, saveChatbotSettings } from '../lib/chatbots.server';
import { verifyCsrf } from '../lib/csrf.server';
import type { FieldErrors } from '../lib/forms.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { reprocessChatbotSources } from '../lib/knowledge.server';
import { useT } from '../lib/root-data';
import { getSession } from '../lib/session.server';
import { ChatbotSettingsForm, ReprocessAllForm, settingsValues } from '../components/chatbot-settings-form';

export const loader = withHttpErrors(async ({ request, params }: LoaderFunctionArgs) => {
  const { user, workspace } = await requireChatbotEditor(request);
  const view = await loadChatbotSettings(String(workspace._id), params.chatbotId, resolveLocale(request, user));
  const search = new URL(request.url).searchParams;
  return {
    view,
    saved: search.has('saved'),
    created: search.has('created'),
    reprocessSuggested: search.has('reprocess'),
    reprocessed: search.has('reprocessed') ? Number(search.get('reprocessed')) || 0 : null,
  };
});

type Rejected = { fieldErrors: FieldErrors; values: SettingsValues };

export const action = withHttpErrors(async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireChatbotEditor(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request, admin.user);
  const here = `/chatbots/${params.chatbotId}/settings`;
  switch (String(form.get('intent') ?? '')) {
    case 'save': {
      const parsed = parseChatbotSettings(form, locale);
      if (!parsed.ok) return data<Rejected>({ fieldErrors: parsed.fieldErrors, values: parsed.values }, { status: 400 });
      const { reprocessSuggested } = await saveChatbotSettings(admin, params.chatbotId, parsed);
      return redirect(`${here}?saved${reprocessSuggested ? '&reprocess' : ''}`);
    }
    case 'reprocessAll': {
      const workspaceId = String(admin.workspace._id);
      const chatbot = await findChatbot(workspaceId, params.chatbotId);
      const count = await reprocessChatbotSources(workspaceId, String(chatbot._id));
      return redirect(`${here}?reprocessed=${count}`);
    }
    default:
      throw badRequest('error.validation');
  }
});

export default function ChatbotSettingsPage() {
  const { view, saved, created, reprocessSuggested, reprocessed } = useLoaderData<typeof loader>();
  const rejected = useActionData<typeof action>() ?? undefined;
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const values = rejected?.values ?? settingsValues(view.ai, view.retrieval);
  return (
    <div className="stack" data-testid="chatbot-settings">
      {created && !saved && !rejected ? (
        <p className="alert alert--success" role="status" data-testid="created">
          {tr('chatbots.new.created', { name: view.chatbot.name })}
        </p>
      ) : null}
      {saved && !rejected ? (
        <p className="alert alert--success" role="status" data-testid="saved">
          {tr('dash.saved')}
        </p>
      ) : null}
      {reprocessed !== null ? (
        <p className="alert alert--success" role="status" data-testid="reprocessed">
          {tr('chatbot.reprocessStarted', { count: reprocessed })}
        </p>
      ) : null}
      {/* Right after a change to chunking or embedding, the way to apply it comes first. */}
      {reprocessSuggested ? <ReprocessAllForm sourceCount={view.sourceCount} busy={busy} highlight /> : null}
      {/* A new form after each save: the fields show what was stored. */}
      <ChatbotSettingsForm key={saved ? 'saved' : 'edit'} view={view} values={values} errors={rejected?.fieldErrors} busy={busy} />
      {!reprocessSuggested ? <ReprocessAllForm sourceCount={view.sourceCount} busy={busy} highlight={false} /> : null}
    </div>
  );
}
