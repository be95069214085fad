import { Link, useActionData, useLoaderData, useNavigation, useRouteError, type ShouldRevalidateFunction } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { DomainError } from '@sapa/shared';
import {
  announceTyping,
  conversationActionSchema,
  newReplyId,
  runConversationCommand,
  type CommandAction,
} from '../lib/agent-commands.server';
import { verifyCsrf } from '../lib/csrf.server';
import { parseForm } from '../lib/forms.server';
import { toHttpError, withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { loadThread, markRead } from '../lib/inbox.server';
import { getSession, requireUser } from '../lib/session.server';
import { isTypingSubmission } from '../lib/revalidation';
import { describeRouteError } from '../lib/route-error';
import { useT } from '../lib/root-data';
import { loadTemplatePicker } from '../lib/whatsapp-templates.server';
import { assertUploadFits, storeAttachment } from '../lib/attachments.server';
import { ChannelIcon } from '../components/channel-icon';
import { ConversationActions } from '../components/conversation-actions';
import { ErrorPanel } from '../components/error-panel';
import { ModeBadge } from '../components/mode-badge';
import { TemplatePicker } from '../components/template-picker';
import { Thread } from '../components/thread';
import conversationStyles from '../styles/conversation.css?url';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: conversationStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.conversation.contactName ? `${data.conversation.contactName} · Sapa` : 'Sapa' },
];

export const loader = withHttpErrors(async ({ request, params }: LoaderFunctionArgs) => {
  const { user, workspace } = await requireUser(request);
  const workspaceId = String(workspace._id);
  const thread = await loadThread(
    { workspaceId, locale: resolveLocale(request, user), timeZone: workspace.timezone },
    params.conversationId,
  );
  await markRead(workspaceId, thread.conversation.id);
  // Past WhatsApp's 24-hour window only approved templates go out: the picker needs them. A closed
  // conversation offers them too: a template is how a business re-engages a customer.
  const templates =
    thread.conversation.windowClosed
      ? await loadTemplatePicker({ id: thread.conversation.id, channelId: thread.conversation.channelId, workspaceId })
      : null;
  // The id the next reply will be delivered under: a form posted twice (a double click, a retry on
  // a bad connection) carries the same id, and the workflow delivers it once.
  return { ...thread, templates, replyId: newReplyId() };
});

/** Answers that keep the thread on screen with a message above the actions instead of an error page. */
const INLINE_STATUSES = new Set([400, 409, 413, 503]);

export const action = withHttpErrors(async ({ request, params }: ActionFunctionArgs) => {
  const agent = await requireUser(request);
  const locale = resolveLocale(request, agent.user);
  try {
    assertUploadFits(request);
  } catch (err) {
    // Too large to read: answered before the body is parsed (nothing changes, so no CSRF check is needed).
    if (!(err instanceof DomainError)) throw err;
    const { status, message } = toHttpError(err, locale);
    return data({ error: message, intent: 'reply', text: undefined }, { status });
  }
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const intent = String(form.get('intent') ?? '');
  // A rejected reply goes back into the box, so nothing the agent wrote is lost.
  const text = intent === 'reply' ? String(form.get('text') ?? '') : undefined;
  const parsed = parseForm(conversationActionSchema, form, locale);
  if (!parsed.ok) {
    const message = parsed.fieldErrors.text ?? Object.values(parsed.fieldErrors)[0] ?? '';
    return data({ error: message, intent, text }, { status: 400 });
  }
  try {
    if (parsed.value.intent === 'typing') {
      await announceTyping(agent, params.conversationId);
      return data({ error: null, intent, text });
    }
    const action: CommandAction =
      parsed.value.intent === 'sendTemplate'
        ? { ...parsed.value, bodyParams: form.getAll('bodyParam').map(String) }
        : parsed.value.intent === 'reply'
          ? { ...parsed.value, attachment: await storeAttachment(String(agent.workspace._id), form.get('attachment')) }
          : parsed.value;
    await runConversationCommand(agent, params.conversationId, action, request.signal);
  } catch (err) {
    if (!(err instanceof DomainError) || !INLINE_STATUSES.has(err.status)) throw err;
    const { status, message } = toHttpError(err, locale);
    return data({ error: message, intent, text }, { status });
  }
  // Post/redirect/get: a reload after the action does not repeat it.
  return redirect(`/inbox/${params.conversationId}`);
});

export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  isTypingSubmission(formData) ? false : defaultShouldRevalidate;

export default function ConversationPage() {
  const { conversation, messages, replyId, templates } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state === 'submitting' && navigation.formAction === `/inbox/${conversation.id}`;
  const contactName = conversation.contactName || tr('dash.visitor');
  const details = [
    conversation.mode === 'agent' && conversation.assignedAgentName
      ? tr('dash.assignedTo', { name: conversation.assignedAgentName })
      : null,
  ].filter(Boolean);
  return (
    <div className="conversation" key={conversation.id}>
      <header className="conversation__header" data-testid="conversation-header">
        <Link to="/inbox" className="conversation__back" aria-label={tr('dash.backToInbox')}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
            <path
              d="M15 5l-7 7 7 7"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
        </Link>
        <div className="conversation__who">
          <h2 className="conversation__name">{contactName}</h2>
          <p className="conversation__details">
            <span className="conversation__channel" data-testid="conversation-channel" data-channel={conversation.channelType}>
              <ChannelIcon type={conversation.channelType} size={14} />
              {tr(`dash.channel.${conversation.channelType}`)}
            </span>
            {details.length > 0 ? ` · ${details.join(' · ')}` : null}
          </p>
        </div>
        {conversation.contactBlocked ? (
          <span className="blocked-badge" data-testid="contact-blocked" title={tr('dash.contactBlockedHint')}>
            {tr('dash.contactBlocked')}
          </span>
        ) : null}
        <ModeBadge mode={conversation.mode} />
      </header>
      <Thread messages={messages} contactName={contactName} />
      <ConversationActions
        conversationId={conversation.id}
        replyId={replyId}
        mode={conversation.mode}
        allowAttachments={conversation.channelType !== 'web'}
        error={result?.error ?? null}
        rejectedReply={result?.intent === 'reply' && result.error ? result.text ?? '' : null}
        replyReplacement={templates ? <TemplatePicker picker={templates} replyId={replyId} busy={busy} /> : undefined}
      />
    </div>
  );
}

export function ErrorBoundary() {
  const tr = useT();
  const { status, message } = describeRouteError(useRouteError(), tr);
  return (
    <div className="conversation conversation--error">
      <ErrorPanel title={tr('dash.errorTitle')} message={message} status={status} />
    </div>
  );
}
