/**
 * The "add knowledge" section of the Knowledge page: one tab per kind of source (a file, typed
 * text, Q&A pairs, one web page, a whole website), each a plain form that works without
 * JavaScript. The tabs are links (`?tab=`), so they work without it too.
 */
import { useState } from 'react';
import { Form, Link } from '@remix-run/react';
import type { FieldErrors } from '../lib/forms.server';
import { RESYNC_OPTIONS, resyncKey } from '../lib/knowledge-labels';
import { FAQ_FORM_ROWS, KNOWLEDGE_LIMITS } from '../lib/knowledge-limits';
import { useT } from '../lib/root-data';
import { useHydrated } from '../hooks/use-hydrated';
import { CsrfInput } from './csrf-input';
import { FormAlert } from './channel-form';
import { ChatbotCheckboxes, SelectField, TextAreaField } from './field-controls';
import { FormField } from './form-field';
import { KnowledgeUploadForm } from './knowledge-upload-form';

export const ADD_TABS = ['file', 'text', 'faq', 'url', 'site'] as const;
export type AddTab = (typeof ADD_TABS)[number];

/** The form each tab posts (`intent`). */
export const INTENT_OF_TAB: Record<AddTab, string> = { file: 'upload', text: 'addText', faq: 'addFaq', url: 'addUrl', site: 'addSite' };

export type FormValues = Record<string, string | string[]>;

/** What the action said about the last rejected add form. */
export interface AddResult {
  intent: string;
  fieldErrors: FieldErrors;
  values: FormValues;
}

interface AddSectionProps {
  tab: AddTab;
  chatbots: Array<{ id: string; name: string }>;
  result: AddResult | undefined;
  maxUploadBytes: number;
  maxPagesLimit: number;
  busy: boolean;
}

const one = (values: FormValues | undefined, key: string): string | undefined => {
  const value = values?.[key];
  return typeof value === 'string' ? value : undefined;
};
const many = (values: FormValues | undefined, key: string): string[] | undefined => {
  const value = values?.[key];
  return Array.isArray(value) ? value : undefined;
};

export function KnowledgeAddSection({ tab, chatbots, result, maxUploadBytes, maxPagesLimit, busy }: AddSectionProps) {
  const tr = useT();
  const mine = result?.intent === INTENT_OF_TAB[tab] ? result : undefined;
  const common = { chatbots, errors: mine?.fieldErrors, values: mine?.values, busy };
  return (
    <section className="card kadd" aria-labelledby="add-knowledge">
      <h2 className="kadd__title" id="add-knowledge">
        {tr('knowledge.add')}
      </h2>
      <nav className="kadd__tabs" aria-label={tr('knowledge.add')}>
        {ADD_TABS.map((t) => (
          <Link
            key={t}
            to={`?tab=${t}`}
            replace
            preventScrollReset
            className={`kadd__tab${t === tab ? ' kadd__tab--active' : ''}`}
            aria-current={t === tab ? 'page' : undefined}
            data-testid={`add-tab-${t}`}
          >
            {tr(`knowledge.tab.${t}`)}
          </Link>
        ))}
      </nav>
      <p className="kadd__hint">{tr(`knowledge.tabHint.${tab}`)}</p>
      {tab === 'file' ? <KnowledgeUploadForm {...common} maxUploadBytes={maxUploadBytes} /> : null}
      {tab === 'text' ? <TextForm {...common} /> : null}
      {tab === 'faq' ? <FaqForm {...common} /> : null}
      {tab === 'url' ? <UrlForm {...common} /> : null}
      {tab === 'site' ? <SiteForm {...common} maxPagesLimit={maxPagesLimit} /> : null}
    </section>
  );
}

export interface AddFormProps {
  chatbots: Array<{ id: string; name: string }>;
  errors: FieldErrors | undefined;
  values: FormValues | undefined;
  busy: boolean;
}

function SubmitButton({ busy, label }: { busy: boolean; label: string }) {
  return (
    <button type="submit" className="button button--primary" disabled={busy}>
      {label}
    </button>
  );
}

function TextForm({ chatbots, errors, values, busy }: AddFormProps) {
  const tr = useT();
  return (
    <Form method="post" className="stack kadd__form" data-testid="add-text-form">
      <CsrfInput />
      <input type="hidden" name="intent" value="addText" />
      <FormAlert errors={errors} />
      <FormField label={tr('knowledge.name')} name="name" required maxLength={KNOWLEDGE_LIMITS.nameChars} defaultValue={one(values, 'name')} error={errors?.name} />
      <TextAreaField
        label={tr('knowledge.text')}
        name="text"
        rows={10}
        required
        maxLength={KNOWLEDGE_LIMITS.textChars}
        hint={tr('knowledge.textHint')}
        defaultValue={one(values, 'text')}
        error={errors?.text}
      />
      <ChatbotCheckboxes chatbots={chatbots} checked={many(values, 'chatbotIds')} error={errors?.chatbotIds} />
      <SubmitButton busy={busy} label={tr('knowledge.addText')} />
    </Form>
  );
}

function FaqForm({ chatbots, errors, values, busy }: AddFormProps) {
  const tr = useT();
  const hydrated = useHydrated();
  const questions = many(values, 'question') ?? [];
  const answers = many(values, 'answer') ?? [];
  const [rows, setRows] = useState(Math.max(FAQ_FORM_ROWS, questions.length, answers.length));
  return (
    <Form method="post" className="stack kadd__form" data-testid="add-faq-form">
      <CsrfInput />
      <input type="hidden" name="intent" value="addFaq" />
      <FormAlert errors={errors} />
      <FormField label={tr('knowledge.name')} name="name" required maxLength={KNOWLEDGE_LIMITS.nameChars} defaultValue={one(values, 'name')} error={errors?.name} />
      <ol className="faq-rows">
        {Array.from({ length: rows }, (_, i) => (
          <li key={i} className="faq-rows__row" data-testid="faq-row">
            <FormField
              label={tr('knowledge.question', { n: i + 1 })}
              name="question"
              maxLength={KNOWLEDGE_LIMITS.questionChars}
              defaultValue={questions[i] ?? ''}
            />
            <TextAreaField label={tr('knowledge.answer')} name="answer" rows={2} maxLength={KNOWLEDGE_LIMITS.answerChars} defaultValue={answers[i] ?? ''} />
          </li>
        ))}
      </ol>
      {errors?.faq ? <p className="field__error">{errors.faq}</p> : null}
      {hydrated && rows < KNOWLEDGE_LIMITS.faqPairs ? (
        <button type="button" className="button button--secondary button--small" onClick={() => setRows((n) => n + 1)} data-testid="faq-add-row">
          {tr('knowledge.addRow')}
        </button>
      ) : null}
      <ChatbotCheckboxes chatbots={chatbots} checked={many(values, 'chatbotIds')} error={errors?.chatbotIds} />
      <SubmitButton busy={busy} label={tr('knowledge.addFaq')} />
    </Form>
  );
}

function ResyncSelect({ value, error }: { value: string | undefined; error: string | undefined }) {
  const tr = useT();
  return (
    <SelectField
      label={tr('knowledge.resync')}
      name="resync"
      defaultValue={value ?? 'off'}
      error={error}
      hint={tr('knowledge.resyncHint')}
      options={RESYNC_OPTIONS.map((r) => ({ value: r, label: tr(resyncKey(r)) }))}
    />
  );
}

function UrlForm({ chatbots, errors, values, busy }: AddFormProps) {
  const tr = useT();
  return (
    <Form method="post" className="stack kadd__form" data-testid="add-url-form">
      <CsrfInput />
      <input type="hidden" name="intent" value="addUrl" />
      <FormAlert errors={errors} />
      <FormField
        label={tr('knowledge.url')}
        name="url"
        type="url"
        inputMode="url"
        required
        maxLength={KNOWLEDGE_LIMITS.urlChars}
        placeholder="https://toko-anda.com/faq"
        defaultValue={one(values, 'url')}
        error={errors?.url}
      />
      <FormField
        label={tr('knowledge.nameOptional')}
        name="name"
        maxLength={KNOWLEDGE_LIMITS.nameChars}
        hint={tr('knowledge.nameFromUrl')}
        defaultValue={one(values, 'name')}
        error={errors?.name}
      />
      <ResyncSelect value={one(values, 'resync')} error={errors?.resync} />
      <ChatbotCheckboxes chatbots={chatbots} checked={many(values, 'chatbotIds')} error={errors?.chatbotIds} />
      <SubmitButton busy={busy} label={tr('knowledge.addUrl')} />
    </Form>
  );
}

function SiteForm({ chatbots, errors, values, busy, maxPagesLimit }: AddFormProps & { maxPagesLimit: number }) {
  const tr = useT();
  return (
    <Form method="post" className="stack kadd__form" data-testid="add-site-form">
      <CsrfInput />
      <input type="hidden" name="intent" value="addSite" />
      <FormAlert errors={errors} />
      <FormField
        label={tr('knowledge.siteUrl')}
        name="url"
        type="url"
        inputMode="url"
        required
        maxLength={KNOWLEDGE_LIMITS.urlChars}
        placeholder="https://toko-anda.com"
        hint={tr('knowledge.siteUrlHint')}
        defaultValue={one(values, 'url')}
        error={errors?.url}
      />
      <FormField
        label={tr('knowledge.nameOptional')}
        name="name"
        maxLength={KNOWLEDGE_LIMITS.nameChars}
        hint={tr('knowledge.nameFromUrl')}
        defaultValue={one(values, 'name')}
        error={errors?.name}
      />
      <FormField
        label={tr('knowledge.maxPages')}
        name="maxPages"
        type="number"
        min={1}
        max={maxPagesLimit}
        required
        hint={tr('knowledge.maxPagesHint', { max: maxPagesLimit })}
        defaultValue={one(values, 'maxPages') ?? String(Math.min(50, maxPagesLimit))}
        error={errors?.maxPages}
      />
      <ResyncSelect value={one(values, 'resync')} error={errors?.resync} />
      <ChatbotCheckboxes chatbots={chatbots} checked={many(values, 'chatbotIds')} error={errors?.chatbotIds} />
      <SubmitButton busy={busy} label={tr('knowledge.addSite')} />
    </Form>
  );
}
