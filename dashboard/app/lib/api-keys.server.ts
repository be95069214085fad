/**
 * The API keys page (/settings/api-keys): the workspace's own AI provider keys, masked, with their
 * test status and this month's usage against their limit; adding (or replacing), testing through
 * the worker (`keyTestWorkflow`), the limit, disabling and deleting. Owners and admins only.
 *
 * A submitted key goes from the form straight into the vault: it is never logged, never put back
 * into a rejected form, and never part of what the page receives.
 */
import { z } from 'zod';
import { KeyVault, badRequest, forbidden, isValidObjectId, notFound, unavailable, type Locale } from '@sapa/shared';
import {
  API_KEY_LABEL_MAX,
  API_KEY_MAX_LENGTH,
  API_KEY_MIN_LENGTH,
  MONTHLY_LIMIT_MAX,
  addApiKey,
  deleteApiKey,
  findApiKey,
  isOverMonthlyLimit,
  listApiKeys,
  setKeyStatus,
  setMonthlyLimit,
} from '@sapa/shared/ai/api-keys';
import { runKeyTest, type KeyTestResult } from '@sapa/shared/ai/key-test';
import { API_KEY_PROVIDERS, type ApiKeyProvider, type ApiKeyStatus } from '@sapa/shared/models/api-key';
import { config, logger, temporalClient } from './env.server';
import { parseForm, type FormResult } from './forms.server';
import { canManageChannels } from './roles.server';
import { requireUser, type SessionUser } from './session.server';
import { timeFormatter } from './time.server';

const vault = new KeyVault(config.SAPA_MASTER_KEYS);

/** How long the owner waits for a test before being told to try again (the call itself is bounded by AI_REQUEST_TIMEOUT_MS). */
const TEST_WAIT_MS = 90_000;

/** Owners and admins manage keys (they decide what the workspace spends), as they do channels. */
export const canManageApiKeys = canManageChannels;

export async function requireKeyAdmin(request: Request): Promise<SessionUser> {
  const signedIn = await requireUser(request);
  if (!canManageApiKeys(signedIn.membership)) throw forbidden('apiKeys.adminOnly');
  return signedIn;
}

/** One key as the page shows it: formatted for the reader, nothing secret. */
export interface ApiKeyRow {
  id: string;
  provider: ApiKeyProvider;
  label: string;
  masked: string;
  baseUrl: string;
  status: ApiKeyStatus;
  lastTested: string | null;
  lastTestError: string;
  used: string;
  limit: string | null;
  /** The limit as typed in the edit field (plain digits). */
  limitValue: string;
  overLimit: boolean;
  /** Used / limit, 0–1, for the meter (0 without a limit). */
  usedShare: number;
}

export async function loadApiKeysPage(signedIn: SessionUser, locale: Locale): Promise<{ canManage: boolean; keys: ApiKeyRow[]; providers: readonly ApiKeyProvider[] }> {
  if (!canManageApiKeys(signedIn.membership)) return { canManage: false, keys: [], providers: API_KEY_PROVIDERS };
  const views = await listApiKeys(String(signedIn.workspace._id));
  const time = timeFormatter(locale, signedIn.workspace.timezone);
  const number = new Intl.NumberFormat(locale === 'id' ? 'id-ID' : 'en-GB');
  const keys = views.map((view) => {
    const limit = view.monthlyLimitCredits;
    return {
      id: view.id,
      provider: view.provider,
      label: view.label,
      masked: view.masked,
      baseUrl: view.baseUrl,
      status: view.status,
      lastTested: view.lastTestedAt ? time.full(view.lastTestedAt) : null,
      lastTestError: view.lastTestError,
      used: number.format(view.usageThisMonthCredits),
      limit: limit === null ? null : number.format(limit),
      limitValue: limit === null ? '' : String(limit),
      overLimit: isOverMonthlyLimit({ monthlyLimitCredits: limit }, view.usageThisMonthCredits),
      usedShare: limit ? Math.min(1, view.usageThisMonthCredits / limit) : 0,
    };
  });
  return { canManage: true, keys, providers: API_KEY_PROVIDERS };
}

/**
 * A credits amount as people type it: digits, optionally grouped by thousands with dots, commas
 * or spaces (`150.000`, `150,000`); empty means no limit. A decimal part is not a credits amount.
 */
export function parseCreditsAmount(text: string): number | null | undefined {
  const value = text.trim();
  if (value === '') return null;
  if (!/^\d+$/.test(value) && !/^\d{1,3}([.,\s]\d{3})+$/.test(value)) return undefined;
  const amount = Number(value.replace(/\D/g, ''));
  return Number.isSafeInteger(amount) && amount >= 1 && amount <= MONTHLY_LIMIT_MAX ? amount : undefined;
}

const limitField = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const amount = parseCreditsAmount(text);
    if (amount === undefined) {
      ctx.addIssue({ code: 'custom', message: 'apiKeys.error.limit' });
      return z.NEVER;
    }
    return amount;
  });

const addKeyFormSchema = z
  .object({
    provider: z.enum(API_KEY_PROVIDERS),
    label: z.string().trim().max(API_KEY_LABEL_MAX, 'apiKeys.error.label').default(''),
    key: z
      .string()
      .trim()
      .min(API_KEY_MIN_LENGTH, 'apiKeys.error.key')
      .max(API_KEY_MAX_LENGTH, 'apiKeys.error.key')
      .regex(/^[\x21-\x7e]+$/, 'apiKeys.error.key'),
    // The field is on the form for every provider (it works without JavaScript); only an
    // OpenAI-compatible key keeps it.
    baseUrl: z.string().trim().max(500, 'apiKeys.error.baseUrl').default(''),
    monthlyLimit: limitField,
  })
  .superRefine((value, ctx) => {
    if (value.provider !== 'openai_compatible') return;
    if (value.baseUrl === '') ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'apiKeys.error.baseUrlRequired' });
    else if (!isHttpUrl(value.baseUrl)) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'apiKeys.error.baseUrl' });
  })
  .transform((value) => ({ ...value, baseUrl: value.provider === 'openai_compatible' ? value.baseUrl : '' }));

export type AddKeyForm = z.output<typeof addKeyFormSchema>;

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function parseAddKeyForm(form: FormData, locale: Locale): FormResult<AddKeyForm> {
  return parseForm(addKeyFormSchema, form, locale);
}

/** What a rejected add form shows again: everything but the key. */
export function addFormValues(form: FormData): Record<'provider' | 'label' | 'baseUrl' | 'monthlyLimit', string> {
  const text = (name: string) => (typeof form.get(name) === 'string' ? String(form.get(name)) : '');
  return { provider: text('provider'), label: text('label'), baseUrl: text('baseUrl'), monthlyLimit: text('monthlyLimit') };
}

export function parseLimitForm(form: FormData, locale: Locale): FormResult<{ keyId: string; monthlyLimit: number | null }> {
  return parseForm(z.object({ keyId: z.string(), monthlyLimit: limitField }), form, locale);
}

export async function saveApiKey(admin: SessionUser, value: AddKeyForm): Promise<{ replaced: boolean; keyId: string }> {
  const { key, replaced } = await addApiKey(vault, {
    workspaceId: String(admin.workspace._id),
    provider: value.provider,
    label: value.label,
    key: value.key,
    ...(value.baseUrl ? { baseUrl: value.baseUrl } : {}),
    // Empty means "no limit" for a new key and "keep its limit" for a replaced one (clearing a
    // limit is the edit-limit form's job), so a rotated key keeps its budget.
    ...(value.monthlyLimit !== null ? { monthlyLimitCredits: value.monthlyLimit } : {}),
  });
  logger.info({ workspaceId: String(admin.workspace._id), apiKeyId: key.id, provider: key.provider, replaced }, 'api key saved');
  return { replaced, keyId: key.id };
}

function keyIdOf(form: FormData): string {
  const keyId = form.get('keyId');
  if (!isValidObjectId(keyId)) throw notFound('apiKeys.notFound');
  return keyId;
}

export async function testApiKeyNow(admin: SessionUser, form: FormData): Promise<{ keyId: string; result: KeyTestResult }> {
  const workspaceId = String(admin.workspace._id);
  const keyId = keyIdOf(form);
  if (!(await findApiKey(workspaceId, keyId))) throw notFound('apiKeys.notFound');
  let result: KeyTestResult | null;
  try {
    const client = await temporalClient();
    result = await withTimeout(runKeyTest(client, config.TEMPORAL_TASK_QUEUE, { workspaceId, keyId }), TEST_WAIT_MS);
  } catch (err) {
    logger.warn({ err, apiKeyId: keyId }, 'api key test did not finish');
    throw unavailable('key test did not finish');
  }
  // Deleted while the test ran.
  if (!result) throw notFound('apiKeys.notFound');
  return { keyId, result };
}

export async function changeLimit(admin: SessionUser, keyId: string, limit: number | null): Promise<void> {
  if (!(await setMonthlyLimit(String(admin.workspace._id), keyId, limit))) throw notFound('apiKeys.notFound');
}

export async function changeStatus(admin: SessionUser, form: FormData): Promise<void> {
  const status = form.get('status');
  // The owner switches a key off and on; `invalid` is only ever the outcome of a test.
  if (status !== 'active' && status !== 'disabled') throw badRequest('error.validation');
  if (!(await setKeyStatus(String(admin.workspace._id), keyIdOf(form), status))) throw notFound('apiKeys.notFound');
}

export async function removeApiKey(admin: SessionUser, form: FormData): Promise<void> {
  const keyId = keyIdOf(form);
  if (!(await deleteApiKey(String(admin.workspace._id), keyId))) throw notFound('apiKeys.notFound');
  logger.info({ workspaceId: String(admin.workspace._id), apiKeyId: keyId }, 'api key deleted');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
