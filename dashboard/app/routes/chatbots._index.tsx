/**
 * /chatbots: the workspace's chatbots, the AI each answers with and how much knowledge it uses,
 * and (for owners and admins) the "New chatbot" form, within the plan's number of chatbots.
 */
import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { badRequest } from '@sapa/shared';
import { parseNewChatbot } from '../lib/chatbot-forms.server';
import { addChatbot, chatbotAllowance, listChatbots, requireChatbotEditor } from '../lib/chatbots.server';
import { verifyCsrf } from '../lib/csrf.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { canManageKnowledge } from '../lib/knowledge.server';
import { PLAN_LIMIT_STATUS, planLimitErrors } from '../lib/plan-limits.server';
import { useT } from '../lib/root-data';
import { getSession, requireUser } from '../lib/session.server';
import { NewChatbotForm, type NewChatbotResult } from '../components/new-chatbot-form';

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const { workspace, membership } = await requireUser(request);
  const workspaceId = String(workspace._id);
  const canManage = canManageKnowledge(membership);
  return {
    chatbots: await listChatbots(workspaceId),
    canManage,
    allowance: canManage ? await chatbotAllowance(workspaceId) : null,
    defaultLanguage: workspace.locale === 'en' ? ('en' as const) : ('id' as const),
  };
});

export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  const admin = await requireChatbotEditor(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  if (form.get('intent') !== 'create') throw badRequest('error.validation');
  const locale = resolveLocale(request, admin.user);
  const values = { name: String(form.get('name') ?? ''), language: String(form.get('language') ?? '') };
  const parsed = parseNewChatbot(form, locale);
  if (!parsed.ok) return data<NewChatbotResult>({ fieldErrors: parsed.fieldErrors, values, planLimit: false }, { status: 400 });
  try {
    const chatbotId = await addChatbot(admin, parsed.value);
    return redirect(`/chatbots/${chatbotId}/settings?created`);
  } catch (err) {
    const refused = planLimitErrors(err, locale);
    if (!refused) throw err;
    return data<NewChatbotResult>({ fieldErrors: refused, values, planLimit: true }, { status: PLAN_LIMIT_STATUS });
  }
});

export default function ChatbotsPage() {
  const { chatbots, canManage, allowance, defaultLanguage } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() ?? undefined;
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  return (
    <div className="channels">
      <header className="channels__header">
        <h1 className="channels__title">{tr('chatbots.title')}</h1>
      </header>
      <p className="channels__intro">{tr('chatbots.intro')}</p>
      {!canManage ? (
        <p className="channels__note" data-testid="admin-only-note">
          {tr('chatbots.adminOnlyNote')}
        </p>
      ) : null}
      <ul className="channel-list" data-testid="chatbot-list">
        {chatbots.map((c) => (
          <li key={c.id} className="chatbot-row" data-testid="chatbot-item" data-chatbot-id={c.id}>
            <span className="channel-row__main">
              <span className="channel-row__name">{c.name}</span>
              <span className="channel-row__meta">
                {c.provider === 'offline' ? tr('chatbots.offline') : `${tr(`chatbot.providerName.${c.provider}`)} · ${c.model}`}
                {' · '}
                {tr('chatbots.sourceCount', { count: c.sourceCount })}
              </span>
            </span>
            {canManage ? (
              <span className="chatbot-row__links">
                <Link to={`/chatbots/${c.id}/settings`} className="button button--secondary button--small" data-testid="chatbot-settings-link">
                  {tr('chatbot.settings')}
                </Link>
                <Link to={`/chatbots/${c.id}/playground`} className="button button--secondary button--small" data-testid="chatbot-playground-link">
                  {tr('playground.title')}
                </Link>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      {canManage && allowance ? <NewChatbotForm allowance={allowance} defaultLanguage={defaultLanguage} result={result} busy={busy} /> : null}
    </div>
  );
}
