/**
 * The pieces of the API keys page: one card per key (masked key, status, last test, usage this
 * month against the limit, and its forms: test, limit, disable/enable, delete with a second
 * confirmation) and the add form. Every action is a plain form post, so all of it works without
 * JavaScript.
 */
import { Form, useLocation } from '@remix-run/react';
import type { KeyTestResult } from '@sapa/shared/ai/key-test';
import type { ApiKeyProvider } from '@sapa/shared/models/api-key';
import type { FieldErrors } from '../lib/forms.server';
import type { ApiKeyRow } from '../lib/api-keys.server';
import { useT } from '../lib/root-data';
import { CsrfInput } from './csrf-input';
import { SelectField } from './field-controls';
import { FormField } from './form-field';

/** The hidden fields that say what a key form does and to which key. */
function KeyFormFields({ intent, keyId }: { intent: string; keyId: string }) {
  return (
    <>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="keyId" value={keyId} />
    </>
  );
}

export function ApiKeyCard({
  row,
  busy,
  testResult,
  limitErrors,
}: {
  row: ApiKeyRow;
  busy: boolean;
  /** This key's test, when the page was just posted by its Test button. */
  testResult?: KeyTestResult | undefined;
  /** The limit form's errors, when it was just posted for this key. */
  limitErrors?: { fieldErrors: FieldErrors; value: string } | undefined;
}) {
  const tr = useT();
  return (
    <li className="card api-key" data-testid="api-key-item" data-key-id={row.id} data-provider={row.provider} data-status={row.status}>
      <div className="api-key__head">
        <span className="api-key__provider">{tr(`chatbot.providerName.${row.provider}`)}</span>
        {row.label ? <span className="api-key__label">{row.label}</span> : null}
        <code className="api-key__masked" data-testid="api-key-masked">
          {row.masked}
        </code>
        <span className={`api-key__status api-key__status--${row.status}`} data-testid="api-key-status" data-status={row.status}>
          {tr(`apiKeys.status.${row.status}`)}
        </span>
      </div>
      {row.baseUrl ? <p className="api-key__meta">{row.baseUrl}</p> : null}
      <p className="api-key__meta" data-testid="api-key-tested">
        {row.lastTested ? tr('apiKeys.lastTested', { time: row.lastTested }) : tr('apiKeys.neverTested')}
        {row.lastTestError ? ` · ${tr('apiKeys.lastError', { error: row.lastTestError })}` : ''}
      </p>
      <div className="api-key__usage" data-testid="api-key-usage">
        <span>
          {tr('apiKeys.usage')}: {row.limit ? tr('apiKeys.usageOfLimit', { used: row.used, limit: row.limit }) : tr('apiKeys.usageNoLimit', { used: row.used })}
        </span>
        {row.limit ? <progress className="api-key__meter" max={1} value={row.usedShare} aria-label={tr('apiKeys.usage')} /> : null}
        {row.overLimit ? <span className="api-key__over">{tr('apiKeys.overLimit')}</span> : null}
      </div>
      {testResult ? <TestResult result={testResult} /> : null}
      <div className="api-key__actions">
        <Form method="post">
          <KeyFormFields intent="test" keyId={row.id} />
          <button type="submit" className="button button--secondary button--small" disabled={busy} data-testid="api-key-test">
            {tr('apiKeys.test')}
          </button>
        </Form>
        <details open={limitErrors ? true : undefined}>
          <summary className="button button--secondary button--small">{tr('apiKeys.editLimit')}</summary>
          <Form method="post" className="api-key__inline-form" data-testid="api-key-limit-form">
            <KeyFormFields intent="limit" keyId={row.id} />
            <FormField
              label={tr('apiKeys.limit')}
              name="monthlyLimit"
              inputMode="numeric"
              defaultValue={limitErrors ? limitErrors.value : row.limitValue}
              hint={tr('apiKeys.limitHint')}
              error={limitErrors?.fieldErrors.monthlyLimit}
            />
            <button type="submit" className="button button--primary button--small" disabled={busy}>
              {tr('apiKeys.saveLimit')}
            </button>
          </Form>
        </details>
        <Form method="post">
          <KeyFormFields intent="status" keyId={row.id} />
          <input type="hidden" name="status" value={row.status === 'disabled' ? 'active' : 'disabled'} />
          <button type="submit" className="button button--secondary button--small" disabled={busy} data-testid="api-key-toggle">
            {row.status === 'disabled' ? tr('apiKeys.enable') : tr('apiKeys.disable')}
          </button>
        </Form>
        <details>
          <summary className="button button--danger-outline button--small" data-testid="api-key-delete">
            {tr('apiKeys.delete')}
          </summary>
          <Form method="post" className="api-key__inline-form">
            <KeyFormFields intent="delete" keyId={row.id} />
            <p className="api-key__meta">{tr('apiKeys.deleteHint')}</p>
            <button type="submit" className="button button--danger-outline button--small" disabled={busy} data-testid="api-key-delete-confirm">
              {tr('apiKeys.deleteConfirm')}
            </button>
          </Form>
        </details>
      </div>
    </li>
  );
}

function TestResult({ result }: { result: KeyTestResult }) {
  const tr = useT();
  return (
    <p
      className={`alert api-key__result ${result.ok ? 'alert--success' : 'alert--error'}`}
      role="status"
      data-testid="api-key-test-result"
      data-ok={String(result.ok)}
      data-reason={result.ok ? undefined : result.reason}
    >
      {result.ok ? tr('apiKeys.testOk') : tr('apiKeys.testFailed', { reason: tr(`apiKeys.reason.${result.reason}`) })}
      {!result.ok && result.message ? <span className="api-key__meta"> ({result.message})</span> : null}
    </p>
  );
}

export type AddKeyValues = Partial<Record<'provider' | 'label' | 'baseUrl' | 'monthlyLimit', string>>;

export function AddApiKeyForm({
  providers,
  busy,
  errors,
  values,
}: {
  providers: readonly ApiKeyProvider[];
  busy: boolean;
  errors?: FieldErrors | undefined;
  values?: AddKeyValues | undefined;
}) {
  const tr = useT();
  const location = useLocation();
  return (
    <section className="card api-key-add" aria-labelledby="add-api-key">
      <h2 className="api-key-add__title" id="add-api-key">
        {tr('apiKeys.addTitle')}
      </h2>
      <p className="api-key-add__note">{tr('apiKeys.replaceNote')}</p>
      {/* A fresh form after every save and every rejection: a pasted key never stays in the page. */}
      <Form method="post" className="stack" data-testid="api-key-add-form" autoComplete="off" key={`${location.key}:${JSON.stringify(values ?? {})}`}>
        <CsrfInput />
        <input type="hidden" name="intent" value="add" />
        <SelectField
          label={tr('apiKeys.provider')}
          name="provider"
          options={providers.map((p) => ({ value: p, label: tr(`chatbot.providerName.${p}`) }))}
          defaultValue={values?.provider ?? providers[0]}
          error={errors?.provider}
        />
        <FormField label={tr('apiKeys.label')} name="label" maxLength={80} defaultValue={values?.label ?? ''} hint={tr('apiKeys.labelHint')} error={errors?.label} />
        <FormField
          label={tr('apiKeys.key')}
          name="key"
          type="password"
          required
          autoComplete="new-password"
          spellCheck={false}
          hint={tr('apiKeys.keyHint')}
          error={errors?.key}
        />
        <FormField label={tr('apiKeys.baseUrl')} name="baseUrl" type="url" defaultValue={values?.baseUrl ?? ''} hint={tr('apiKeys.baseUrlHint')} error={errors?.baseUrl} />
        <FormField
          label={tr('apiKeys.limit')}
          name="monthlyLimit"
          inputMode="numeric"
          defaultValue={values?.monthlyLimit ?? ''}
          hint={tr('apiKeys.addLimitHint')}
          error={errors?.monthlyLimit}
        />
        <div>
          <button type="submit" className="button button--primary" disabled={busy} data-testid="api-key-add-submit">
            {tr('apiKeys.add')}
          </button>
        </div>
      </Form>
    </section>
  );
}
