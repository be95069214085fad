import { Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { badRequest } from '@sapa/shared';
import {
  repairWhatsappWeb,
  telegramCredentialsSchema,
  updateTelegramCredentials,
  updateWhatsappCloudCredentials,
  whatsappCloudCredentialsSchema,
  whatsappWebRepairSchema,
  type ConnectOutcome,
} from '../lib/channel-connect.server';
import { deleteChannel, disconnectChannel, findChannel, loadChannelPage } from '../lib/channels.server';
import { verifyCsrf } from '../lib/csrf.server';
import { config } from '../lib/env.server';
import { parseForm, type FieldErrors } from '../lib/forms.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { requireAdmin } from '../lib/roles.server';
import { useT } from '../lib/root-data';
import { getSession } from '../lib/session.server';
import { useLiveRevalidation } from '../hooks/use-live-revalidation';
import { ChannelDangerZone } from '../components/channel-danger-zone';
import { ChannelIcon } from '../components/channel-icon';
import { TelegramPanel, WebWidgetPanel, WhatsappCloudPanel, WhatsappWebPanel } from '../components/channel-panels';
import { HealthBadge } from '../components/health-badge';
import { LiveIndicator } from '../components/live-indicator';
import { saveAllowedOrigins } from '../lib/widget-settings.server';

export const loader = withHttpErrors(async ({ request, params }: LoaderFunctionArgs) => {
  const { user, workspace } = await requireAdmin(request);
  const page = await loadChannelPage(
    { workspaceId: String(workspace._id), locale: resolveLocale(request, user), timeZone: workspace.timezone },
    params.channelId,
  );
  return { ...page, baileysEnabled: config.BAILEYS_ENABLED, saved: new URL(request.url).searchParams.has('saved') };
});

type Rejected = { intent: string; fieldErrors: FieldErrors; values?: Record<string, string> };

export const action = withHttpErrors(async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request, admin.user);
  const intent = String(form.get('intent') ?? '');
  const channelId = params.channelId;
  const rejected = (fieldErrors: FieldErrors, status: number, values?: Record<string, string>) =>
    data<Rejected>({ intent, fieldErrors, ...(values ? { values } : {}) }, { status });
  const fromOutcome = (outcome: ConnectOutcome) => (outcome.ok ? null : rejected(outcome.fieldErrors, outcome.status));
  const backHere = redirect(`/channels/${channelId}?saved`);

  switch (intent) {
    case 'updateCredentials': {
      // One intent for every type: the form on the page matches the channel's type.
      const channel = await findChannel(String(admin.workspace._id), channelId);
      if (channel.type === 'whatsapp_cloud') {
        const parsed = parseForm(whatsappCloudCredentialsSchema, form, locale);
        if (!parsed.ok) return rejected(parsed.fieldErrors, 400);
        return fromOutcome(await updateWhatsappCloudCredentials(admin, channelId, parsed.value, locale)) ?? backHere;
      }
      if (channel.type === 'telegram') {
        const parsed = parseForm(telegramCredentialsSchema, form, locale);
        if (!parsed.ok) return rejected(parsed.fieldErrors, 400);
        return fromOutcome(await updateTelegramCredentials(admin, channelId, parsed.value, locale)) ?? backHere;
      }
      throw badRequest('error.validation');
    }
    case 'repair': {
      const parsed = parseForm(whatsappWebRepairSchema, form, locale);
      if (!parsed.ok) return rejected(parsed.fieldErrors, 400);
      await repairWhatsappWeb(admin, channelId, parsed.value);
      return redirect(`/channels/${channelId}`);
    }
    case 'saveOrigins': {
      const text = String(form.get('allowedOrigins') ?? '');
      const outcome = await saveAllowedOrigins(admin, channelId, text, locale);
      return outcome.ok ? backHere : rejected(outcome.fieldErrors, 400, { allowedOrigins: text });
    }
    case 'disconnect':
      await disconnectChannel(admin, channelId);
      return redirect(`/channels/${channelId}`);
    case 'delete':
      await deleteChannel(admin, channelId);
      return redirect('/channels');
    default:
      throw badRequest('error.validation');
  }
});

export default function ChannelPage() {
  const { channel, details, lastEventId, baileysEnabled, saved } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() ?? undefined;
  const navigation = useNavigation();
  const live = useLiveRevalidation(lastEventId);
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const panel = { channel, result, busy };
  return (
    <div className="channel-page" data-testid="channel-page" data-channel-id={channel.id} data-type={channel.type}>
      <Link to="/channels" className="channel-page__back">
        ← {tr('dash.backToChannels')}
      </Link>
      <section className="card channel-card">
        <header className="channel-card__header">
          <ChannelIcon type={channel.type} size={28} />
          <div className="channel-card__who">
            <h1 className="channel-card__title">{channel.name}</h1>
            <p className="channel-card__meta">
              {tr(`dash.channelType.${channel.type}`)}
              {channel.chatbotName ? ` · ${tr('dash.chatbot')}: ${channel.chatbotName}` : ''}
            </p>
          </div>
          <div className="channel-card__health">
            <HealthBadge status={channel.health.status} reason={channel.health.reason} />
            {channel.healthSince ? <span className="channel-card__since">{tr('dash.healthSince', { time: channel.healthSince })}</span> : null}
            <LiveIndicator status={live} />
          </div>
        </header>
        {saved && details.type !== 'web' ? (
          <p className="alert alert--success" role="status" data-testid="saved">
            {tr('dash.saved')}
          </p>
        ) : null}
        {details.type === 'whatsapp_cloud' ? <WhatsappCloudPanel {...panel} details={details} /> : null}
        {details.type === 'telegram' ? <TelegramPanel {...panel} details={details} /> : null}
        {details.type === 'whatsapp_baileys' ? <WhatsappWebPanel {...panel} details={details} baileysEnabled={baileysEnabled} /> : null}
        {details.type === 'web' ? <WebWidgetPanel {...panel} details={details} saved={saved} /> : null}
        {channel.type !== 'web' ? <ChannelDangerZone status={channel.health.status} busy={busy} /> : null}
      </section>
    </div>
  );
}
