/**
 * /settings/api-keys: the workspace's own AI provider keys (bring your own key). Owners and admins
 * add (or replace), test, limit, disable and delete them; agents are told the page is not theirs.
 * Thin: the work is in lib/api-keys.server.ts.
 */
import { useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { badRequest } from '@sapa/shared';
import type { KeyTestResult } from '@sapa/shared/ai/key-test';
import {
  addFormValues,
  changeLimit,
  changeStatus,
  loadApiKeysPage,
  parseAddKeyForm,
  parseLimitForm,
  removeApiKey,
  requireKeyAdmin,
  saveApiKey,
  testApiKeyNow,
} from '../lib/api-keys.server';
import { verifyCsrf } from '../lib/csrf.server';
import type { FieldErrors } from '../lib/forms.server';
import { withHttpErrors } from '../lib/http-errors.server';
import { resolveLocale } from '../lib/i18n.server';
import { useT } from '../lib/root-data';
import { getSession, requireUser } from '../lib/session.server';
import { AddApiKeyForm, ApiKeyCard, type AddKeyValues } from '../components/api-keys';

const PAGE = '/settings/api-keys';

/** What the last post left to show: a key's test, or a rejected form. Successes redirect instead. */
type Outcome =
  | { intent: 'test'; keyId: string; result: KeyTestResult }
  | { intent: 'add'; fieldErrors: FieldErrors; values: AddKeyValues }
  | { intent: 'limit'; keyId: string; fieldErrors: FieldErrors; value: string };

/** The notice after a redirect (`?done=added`), from a fixed list. */
const NOTICES = { added: 'apiKeys.added', replaced: 'apiKeys.replaced', deleted: 'apiKeys.deleted', limit: 'apiKeys.limitSaved', status: 'apiKeys.statusSaved' } as const;
type Notice = keyof typeof NOTICES;
const isNotice = (value: string | null): value is Notice => value !== null && Object.hasOwn(NOTICES, value);

export const loader = withHttpErrors(async ({ request }: LoaderFunctionArgs) => {
  const signedIn = await requireUser(request);
  const page = await loadApiKeysPage(signedIn, resolveLocale(request, signedIn.user));
  const done = new URL(request.url).searchParams.get('done');
  return { ...page, notice: isNotice(done) ? done : null };
});

export const action = withHttpErrors(async ({ request }: ActionFunctionArgs) => {
  const admin = await requireKeyAdmin(request);
  const form = await request.formData();
  verifyCsrf(await getSession(request), form);
  const locale = resolveLocale(request, admin.user);
  const done = (notice: Notice) => redirect(`${PAGE}?done=${notice}`);
  switch (String(form.get('intent') ?? '')) {
    case 'add': {
      const parsed = parseAddKeyForm(form, locale);
      if (!parsed.ok) return data<Outcome>({ intent: 'add', fieldErrors: parsed.fieldErrors, values: addFormValues(form) }, { status: 400 });
      const { replaced } = await saveApiKey(admin, parsed.value);
      return done(replaced ? 'replaced' : 'added');
    }
    case 'test': {
      const { keyId, result } = await testApiKeyNow(admin, form);
      return data<Outcome>({ intent: 'test', keyId, result });
    }
    case 'limit': {
      const parsed = parseLimitForm(form, locale);
      const keyId = String(form.get('keyId') ?? '');
      if (!parsed.ok) return data<Outcome>({ intent: 'limit', keyId, fieldErrors: parsed.fieldErrors, value: String(form.get('monthlyLimit') ?? '') }, { status: 400 });
      await changeLimit(admin, parsed.value.keyId, parsed.value.monthlyLimit);
      return done('limit');
    }
    case 'status':
      await changeStatus(admin, form);
      return done('status');
    case 'delete':
      await removeApiKey(admin, form);
      return done('deleted');
    default:
      throw badRequest('error.validation');
  }
});

export default function ApiKeysPage() {
  const { canManage, keys, providers, notice } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() ?? undefined;
  const navigation = useNavigation();
  const tr = useT();
  const busy = navigation.state !== 'idle' && navigation.formMethod === 'POST';
  return (
    <div className="api-keys" data-testid="api-keys-page">
      <header className="channels__header">
        <h1 className="channels__title">{tr('apiKeys.title')}</h1>
      </header>
      <p className="channels__intro">{tr('apiKeys.intro')}</p>
      {!canManage ? (
        <p className="channels__note" data-testid="admin-only-note">
          {tr('apiKeys.adminOnly')}
        </p>
      ) : (
        <>
          {notice ? (
            <p className="alert alert--success" role="status" data-testid="api-keys-notice" data-notice={notice}>
              {tr(NOTICES[notice])}
            </p>
          ) : null}
          {keys.length === 0 ? <p className="channels__empty">{tr('apiKeys.empty')}</p> : null}
          <ul className="api-key-list" data-testid="api-key-list">
            {keys.map((row) => (
              <ApiKeyCard
                key={row.id}
                row={row}
                busy={busy}
                testResult={outcome?.intent === 'test' && outcome.keyId === row.id ? outcome.result : undefined}
                limitErrors={outcome?.intent === 'limit' && outcome.keyId === row.id ? outcome : undefined}
              />
            ))}
          </ul>
          <AddApiKeyForm providers={providers} busy={busy} errors={outcome?.intent === 'add' ? outcome.fieldErrors : undefined} values={outcome?.intent === 'add' ? outcome.values : undefined} />
        </>
      )}
    </div>
  );
}
