import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { connectWhatsappWeb, listChatbotChoices, newChannelFormId, whatsappWebConnectSchema } from '../lib/channel-connect.server';
import { verifyCsrf } from '../lib/csrf.server';
import { config } from '../lib/env.server';
import { parseForm } from '../lib/forms.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { requireAdmin } from '../lib/roles.server';
import { useT } from '../lib/root-data';
import { getSession } from '../lib/session.server';
import { ChannelFormPage, NewChannelFields } from '../components/channel-form';
import { FormField } from '../components/form-field';

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const { workspace } = await requireAdmin(request);
  return {
    channelId: newChannelFormId(),
    chatbots: await listChatbotChoices(String(workspace._id)),
    baileysEnabled: config.BAILEYS_ENABLED,
  };
});

export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request, admin.user);
  const values = {
    name: String(form.get('name') ?? ''),
    phoneNumber: String(form.get('phoneNumber') ?? ''),
    chatbotId: String(form.get('chatbotId') ?? ''),
  };
  const parsed = parseForm(whatsappWebConnectSchema, form, locale);
  if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors, values }, { status: 400 });
  const outcome = await connectWhatsappWeb(admin, parsed.value);
  if (!outcome.ok) return data({ fieldErrors: outcome.fieldErrors, values }, { status: outcome.status });
  // The channel's page shows the QR (or the pairing code) as soon as the session host has one.
  return redirect(`/channels/${outcome.channelId}`);
});

export default function NewWhatsappWebChannel() {
  const { channelId, chatbots, baileysEnabled } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const errors = result?.fieldErrors;
  return (
    <ChannelFormPage
      title={tr('dash.connectWhatsappWeb')}
      help={
        <>
          <p>{tr('dash.channelTypeHint.whatsapp_baileys')}</p>
          <p>{tr('dash.whatsappWebRisk')}</p>
        </>
      }
    >
      {!baileysEnabled ? <p className="alert alert--error">{tr('dash.baileysDisabled')}</p> : null}
      <Form method="post" className="stack" data-testid="connect-form">
        <NewChannelFields channelId={channelId} chatbots={chatbots} errors={errors} values={result?.values} />
        <FormField
          label={tr('dash.pairingPhone')}
          name="phoneNumber"
          inputMode="tel"
          autoComplete="tel"
          hint={tr('dash.pairingPhoneHint')}
          defaultValue={result?.values.phoneNumber}
          error={errors?.phoneNumber}
        />
        <button type="submit" className="button button--primary" disabled={busy}>
          {tr('dash.connect')}
        </button>
      </Form>
    </ChannelFormPage>
  );
}
