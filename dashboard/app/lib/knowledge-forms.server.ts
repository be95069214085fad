/**
 * The knowledge forms' validation, free of the database and Temporal so it can be tested on its
 * own: adding typed text, Q&A pairs, a web page or a whole site, an uploaded file, re-linking a
 * source to chatbots and its re-sync schedule. Schemas give catalog keys as messages (see
 * forms.server.ts); every failure names the field it belongs to.
 */
import { z } from 'zod';
import { RESYNC_SCHEDULES, t, type Locale, type MessageKey, type ResyncSchedule } from '@sapa/shared';
import type { FieldErrors } from './forms.server';
import { formatBytes } from './knowledge-labels';
import { KNOWLEDGE_LIMITS } from './knowledge-limits';

export type KnowledgeFormResult<T> = { ok: true; value: T } | { ok: false; status: number; fieldErrors: FieldErrors };

/** A new source as the forms describe it; `file` sources come from `parseUpload`. */
export type NewSourceInput =
  | { kind: 'text'; chatbotIds: string[]; name: string; text: string }
  | { kind: 'faq'; chatbotIds: string[]; name: string; faq: Array<{ question: string; answer: string }> }
  | { kind: 'url'; chatbotIds: string[]; name: string; url: string; resync: ResyncSchedule }
  | { kind: 'sitemap'; chatbotIds: string[]; name: string; url: string; maxPages: number; resync: ResyncSchedule };

export interface NewFileInput {
  kind: 'file';
  chatbotIds: string[];
  name: string;
  size: number;
  bytes: Buffer;
}

/** Which add form was posted (the `intent` field). */
export const ADD_INTENTS = ['addText', 'addFaq', 'addUrl', 'addSite', 'upload'] as const;
export type AddIntent = (typeof ADD_INTENTS)[number];

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'error.validation');
const chatbotIds = z
  .array(objectId)
  .min(1, 'knowledge.chatbotRequired')
  .max(KNOWLEDGE_LIMITS.chatbots, 'error.validation')
  .transform((ids) => [...new Set(ids)]);
const name = z.string().trim().min(1, 'knowledge.nameRequired').max(KNOWLEDGE_LIMITS.nameChars, 'error.fieldTooLong');
const optionalName = z.string().trim().max(KNOWLEDGE_LIMITS.nameChars, 'error.fieldTooLong').default('');
const httpUrl = z
  .string()
  .trim()
  .min(1, 'knowledge.urlRequired')
  .max(KNOWLEDGE_LIMITS.urlChars, 'knowledge.urlInvalid')
  .refine(isHttpUrl, 'knowledge.urlInvalid');
const resync = z.enum(RESYNC_SCHEDULES, 'error.validation').default('off');

const textSchema = z.object({
  chatbotIds,
  name,
  text: z.string().trim().min(1, 'knowledge.textRequired').max(KNOWLEDGE_LIMITS.textChars, 'knowledge.textTooLong'),
});

const faqPair = z.object({
  question: z.string().min(1, 'knowledge.faqIncomplete').max(KNOWLEDGE_LIMITS.questionChars, 'knowledge.faqTooLong'),
  answer: z.string().min(1, 'knowledge.faqIncomplete').max(KNOWLEDGE_LIMITS.answerChars, 'knowledge.faqTooLong'),
});
const faqSchema = z.object({
  chatbotIds,
  name,
  faq: z.array(faqPair).min(1, 'knowledge.faqRequired').max(KNOWLEDGE_LIMITS.faqPairs, 'knowledge.faqTooMany'),
});

const urlSchema = z.object({ chatbotIds, name: optionalName, url: httpUrl, resync });

function siteSchema(maxPagesLimit: number) {
  return z.object({
    chatbotIds,
    name: optionalName,
    url: httpUrl,
    resync,
    maxPages: z.coerce
      .number('knowledge.maxPagesInvalid')
      .int('knowledge.maxPagesInvalid')
      .min(1, 'knowledge.maxPagesInvalid')
      .max(maxPagesLimit, 'knowledge.maxPagesInvalid'),
  });
}

/** The form's text fields; `arrays` are the repeated ones (checkboxes, Q&A rows). Files are left out. */
export function formFields(form: FormData, arrays: readonly string[] = []): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key).filter((v): v is string => typeof v === 'string');
    if (arrays.includes(key)) fields[key] = values;
    else if (values.length > 0) fields[key] = values[values.length - 1]!;
  }
  for (const key of arrays) fields[key] ??= [];
  return fields;
}

/** Issues to per-field messages in the user's language; nested paths (a Q&A row) report on the list. */
export function fieldErrorsOf(error: z.ZodError, locale: Locale): FieldErrors {
  const fieldErrors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    fieldErrors[field] ??= t(locale, issue.message as MessageKey);
  }
  return fieldErrors;
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, locale: Locale): KnowledgeFormResult<T> {
  const parsed = schema.safeParse(input, { error: () => 'error.validation' });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, status: 400, fieldErrors: fieldErrorsOf(parsed.error, locale) };
}

/** Question/answer rows zipped into pairs; rows left wholly empty are the form's spare rows. */
export function faqPairsOf(questions: string[], answers: string[]): Array<{ question: string; answer: string }> {
  const rows = Math.max(questions.length, answers.length);
  const pairs: Array<{ question: string; answer: string }> = [];
  for (let i = 0; i < rows; i++) {
    const question = (questions[i] ?? '').trim();
    const answer = (answers[i] ?? '').trim();
    if (question || answer) pairs.push({ question, answer });
  }
  return pairs;
}

/** What a site or page is called when the owner gave no name: its address without the scheme. */
export function defaultNameForUrl(url: string, kind: 'url' | 'sitemap'): string {
  const parsed = new URL(url);
  const label = kind === 'sitemap' ? parsed.host : `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  return label.slice(0, KNOWLEDGE_LIMITS.nameChars);
}

/** One of the text add forms (typed text, Q&A, one URL, a site), by its intent. */
export function parseNewSource(
  intent: Exclude<AddIntent, 'upload'>,
  form: FormData,
  locale: Locale,
  opts: { maxPagesLimit: number },
): KnowledgeFormResult<NewSourceInput> {
  const fields = formFields(form, ['chatbotIds', 'question', 'answer']);
  switch (intent) {
    case 'addText': {
      const parsed = parseWith(textSchema, fields, locale);
      return parsed.ok ? { ok: true, value: { kind: 'text', ...parsed.value } } : parsed;
    }
    case 'addFaq': {
      const faq = faqPairsOf(fields.question as string[], fields.answer as string[]);
      const parsed = parseWith(faqSchema, { ...fields, faq }, locale);
      return parsed.ok ? { ok: true, value: { kind: 'faq', ...parsed.value } } : parsed;
    }
    case 'addUrl': {
      const parsed = parseWith(urlSchema, fields, locale);
      if (!parsed.ok) return parsed;
      return { ok: true, value: { kind: 'url', ...parsed.value, name: parsed.value.name || defaultNameForUrl(parsed.value.url, 'url') } };
    }
    case 'addSite': {
      const parsed = parseWith(siteSchema(opts.maxPagesLimit), fields, locale);
      if (!parsed.ok) return parsed;
      return { ok: true, value: { kind: 'sitemap', ...parsed.value, name: parsed.value.name || defaultNameForUrl(parsed.value.url, 'sitemap') } };
    }
  }
}

/** The 413 a form shows for a file over the limit. */
export function uploadTooLarge(locale: Locale, maxBytes: number): KnowledgeFormResult<never> {
  return { ok: false, status: 413, fieldErrors: { file: t(locale, 'knowledge.fileTooLarge', { max: formatBytes(maxBytes) }) } };
}

/** A file name safe to show and store: no folders, no control characters, bounded. */
export function cleanFileName(raw: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const base = (raw.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base.slice(0, KNOWLEDGE_LIMITS.nameChars) || 'dokumen';
}

/**
 * The upload form: a non-empty file within the limit, and the chatbots it serves. The bytes are
 * read only once the size is known to fit; the worker sniffs the type from them.
 */
export async function parseUpload(form: FormData, locale: Locale, maxBytes: number): Promise<KnowledgeFormResult<NewFileInput>> {
  const file = form.get('file');
  const ids = parseWith(z.object({ chatbotIds }), formFields(form, ['chatbotIds']), locale);
  if (!file || typeof file === 'string' || file.size === 0) {
    return { ok: false, status: 400, fieldErrors: { file: t(locale, 'knowledge.fileRequired'), ...(ids.ok ? {} : ids.fieldErrors) } };
  }
  if (file.size > maxBytes) return uploadTooLarge(locale, maxBytes);
  if (!ids.ok) return ids;
  return {
    ok: true,
    value: { kind: 'file', chatbotIds: ids.value.chatbotIds, name: cleanFileName(file.name), size: file.size, bytes: Buffer.from(await file.arrayBuffer()) },
  };
}

/** The source page's chatbot checkboxes: any subset of the workspace's chatbots, none included. */
export function parseRelink(form: FormData, locale: Locale): KnowledgeFormResult<string[]> {
  const schema = z.object({ chatbotIds: z.array(objectId).max(KNOWLEDGE_LIMITS.chatbots, 'error.validation') });
  const parsed = parseWith(schema, formFields(form, ['chatbotIds']), locale);
  return parsed.ok ? { ok: true, value: [...new Set(parsed.value.chatbotIds)] } : parsed;
}

export function parseResync(form: FormData, locale: Locale): KnowledgeFormResult<ResyncSchedule> {
  const parsed = parseWith(z.object({ resync: z.enum(RESYNC_SCHEDULES, 'error.validation') }), formFields(form), locale);
  return parsed.ok ? { ok: true, value: parsed.value.resync } : parsed;
}

/** The chunk viewer's page number from `?page=`: 1 for anything that is not a positive integer. */
export function chunkPageOf(url: URL): number {
  const page = Number(url.searchParams.get('page') ?? '1');
  return Number.isSafeInteger(page) && page >= 1 ? page : 1;
}
