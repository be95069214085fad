import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import {
  connectWhatsappCloud,
  listChatbotChoices,
  newChannelFormId,
  whatsappCloudConnectSchema,
} from '../lib/channel-connect.server';
import { verifyCsrf } from '../lib/csrf.server';
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
  // The new channel's id: a form posted twice creates one channel (see channel-connect.server.ts).
  return { channelId: newChannelFormId(), chatbots: await listChatbotChoices(String(workspace._id)) };
});

export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request, admin.user);
  // Put back into a rejected form. The access token and app secret are not: they are typed again.
  const values = {
    name: String(form.get('name') ?? ''),
    phoneNumberId: String(form.get('phoneNumberId') ?? ''),
    wabaId: String(form.get('wabaId') ?? ''),
    verifyToken: String(form.get('verifyToken') ?? ''),
    chatbotId: String(form.get('chatbotId') ?? ''),
  };
  const parsed = parseForm(whatsappCloudConnectSchema, form, locale);
  if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors, values }, { status: 400 });
  const outcome = await connectWhatsappCloud(admin, parsed.value, locale);
  if (!outcome.ok) return data({ fieldErrors: outcome.fieldErrors, values }, { status: outcome.status });
  return redirect(`/channels/${outcome.channelId}`);
});

const secretInput = { type: 'password', autoComplete: 'off', spellCheck: false } as const;

export default function NewWhatsappCloudChannel() {
  const { channelId, chatbots } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const errors = result?.fieldErrors;
  return (
    <ChannelFormPage title={tr('dash.connectWhatsappCloud')} help={<p>{tr('dash.whatsappCloudHelp')}</p>}>
      <Form method="post" className="stack" data-testid="connect-form">
        <NewChannelFields channelId={channelId} chatbots={chatbots} errors={errors} values={result?.values} />
        <FormField
          label={tr('dash.phoneNumberId')}
          name="phoneNumberId"
          inputMode="numeric"
          required
          defaultValue={result?.values.phoneNumberId}
          error={errors?.phoneNumberId}
        />
        <FormField label={tr('dash.wabaId')} name="wabaId" inputMode="numeric" required defaultValue={result?.values.wabaId} error={errors?.wabaId} />
        <FormField label={tr('dash.accessToken')} name="accessToken" {...secretInput} required error={errors?.accessToken} />
        <FormField label={tr('dash.appSecret')} name="appSecret" {...secretInput} required error={errors?.appSecret} />
        <FormField
          label={tr('dash.verifyToken')}
          name="verifyToken"
          autoComplete="off"
          hint={tr('dash.verifyTokenHint')}
          defaultValue={result?.values.verifyToken}
          error={errors?.verifyToken}
        />
        <button type="submit" className="button button--primary" disabled={busy}>
          {tr('dash.connect')}
        </button>
      </Form>
    </ChannelFormPage>
  );
}
