import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { connectTelegram, listChatbotChoices, newChannelFormId, telegramConnectSchema } from '../lib/channel-connect.server';
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
  return { channelId: newChannelFormId(), chatbots: await listChatbotChoices(String(workspace._id)) };
});

export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request, admin.user);
  // The token is a credential: a rejected form does not echo it.
  const values = { name: String(form.get('name') ?? ''), chatbotId: String(form.get('chatbotId') ?? '') };
  const parsed = parseForm(telegramConnectSchema, form, locale);
  if (!parsed.ok) return data({ fieldErrors: parsed.fieldErrors, values }, { status: 400 });
  const outcome = await connectTelegram(admin, parsed.value, locale);
  if (!outcome.ok) return data({ fieldErrors: outcome.fieldErrors, values }, { status: outcome.status });
  return redirect(`/channels/${outcome.channelId}`);
});

export default function NewTelegramChannel() {
  const { channelId, chatbots } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  const errors = result?.fieldErrors;
  return (
    <ChannelFormPage title={tr('dash.connectTelegram')} help={<p>{tr('dash.telegramHelp')}</p>}>
      <Form method="post" className="stack" data-testid="connect-form">
        <NewChannelFields channelId={channelId} chatbots={chatbots} errors={errors} values={result?.values} />
        <FormField
          label={tr('dash.botToken')}
          name="botToken"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          placeholder="123456789:AA…"
          error={errors?.botToken}
        />
        <button type="submit" className="button button--primary" disabled={busy}>
          {tr('dash.connect')}
        </button>
      </Form>
    </ChannelFormPage>
  );
}
