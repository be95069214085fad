/**
 * Workspaces' own AI provider keys (bring your own key): adding, listing masked, limits, status,
 * usage this month, deleting, and re-encrypting every secret at rest under a new master key.
 *
 * Rules this module keeps:
 * - A key is sealed with the key vault before it is written, and `openApiKey` is the only place
 *   one is decrypted. Views (`ApiKeyView`) never carry the key or its ciphertext.
 * - One key per provider per workspace (per base URL for OpenAI-compatible endpoints, which can be
 *   several different servers). Adding a key for a taken slot REPLACES the key in place: the same
 *   id, so this month's usage and the spending limit stay with it (rotating a key at the provider
 *   does not reset the budget); the status goes back to `active` and the last test is forgotten.
 * - Usage is summed from `ai_usage` records carrying the key's id (`apiKeyId`, `credits`) since
 *   the start of the current month in Asia/Jakarta.
 */
import mongoose from 'mongoose';
import { z } from 'zod';
import type { KeyVault } from '../crypto';
import { isDuplicateKeyError } from '../errors';
import { AiUsageModel, ApiKeyModel, ChannelModel, API_KEY_PROVIDERS, type ApiKey, type ApiKeyProvider, type ApiKeyStatus } from '../models';
import type { KeyCheckResult } from './key-test';

export const API_KEY_MIN_LENGTH = 8;
/** Real keys are 40–200 characters; this leaves room for long tokens and stops pasted essays. */
export const API_KEY_MAX_LENGTH = 512;
export const API_KEY_LABEL_MAX = 80;
/** Far above any SME's monthly AI spend (Rp1 trillion), far below where integers lose precision. */
export const MONTHLY_LIMIT_MAX = 1_000_000_000_000;

const objectIdString = z.string().regex(/^[0-9a-f]{24}$/i, 'not an id');

const httpUrl = z
  .string()
  .trim()
  .max(500)
  .url()
  .refine((value) => /^https?:\/\//i.test(value), 'http or https only')
  // One spelling per endpoint, so `…/v1` and `…/v1/` are the same slot.
  .transform((value) => value.replace(/\/+$/, ''));

export const monthlyLimitSchema = z.number().int().min(1).max(MONTHLY_LIMIT_MAX);

export const addApiKeyInputSchema = z
  .object({
    workspaceId: objectIdString,
    provider: z.enum(API_KEY_PROVIDERS),
    label: z.string().trim().max(API_KEY_LABEL_MAX).default(''),
    /**
     * Printable ASCII without spaces: keys never contain any, and a value with a line break could
     * not be sent as an HTTP header anyway.
     */
    key: z
      .string()
      .trim()
      .min(API_KEY_MIN_LENGTH)
      .max(API_KEY_MAX_LENGTH)
      .regex(/^[\x21-\x7e]+$/, 'printable characters without spaces'),
    baseUrl: httpUrl.optional(),
    /** undefined: keep the replaced key's limit (none for a new key); null: no limit. */
    monthlyLimitCredits: monthlyLimitSchema.nullable().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.provider === 'openai_compatible' && !input.baseUrl) {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'an OpenAI-compatible key needs the endpoint base URL' });
    }
    if (input.provider !== 'openai_compatible' && input.baseUrl) {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'only OpenAI-compatible keys have a base URL' });
    }
  });
export type AddApiKeyInput = z.input<typeof addApiKeyInputSchema>;

/** A key as the dashboard shows it: everything but the key. */
export interface ApiKeyView {
  id: string;
  provider: ApiKeyProvider;
  label: string;
  /** `•••• abcd` */
  masked: string;
  last4: string;
  /** '' unless OpenAI-compatible. */
  baseUrl: string;
  monthlyLimitCredits: number | null;
  status: ApiKeyStatus;
  lastTestedAt: Date | null;
  lastTestError: string;
  createdAt: Date;
  /** Credits spent with this key since the start of this month (Asia/Jakarta). */
  usageThisMonthCredits: number;
}

export interface KeyUsage {
  credits: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** The start of the month summed (Asia/Jakarta midnight on the 1st, as a UTC instant). */
  since: Date;
}

export function maskApiKey(last4: string): string {
  return `•••• ${last4}`;
}

/**
 * Seals and stores a key. Returns the stored key's view and whether it replaced the workspace's
 * earlier key for the same provider (and base URL). Throws a ZodError on bad input.
 */
export async function addApiKey(vault: KeyVault, input: AddApiKeyInput): Promise<{ key: ApiKeyView; replaced: boolean }> {
  const value = addApiKeyInputSchema.parse(input);
  const workspaceId = new mongoose.Types.ObjectId(value.workspaceId);
  const slot = { workspaceId, provider: value.provider, baseUrl: value.baseUrl ?? '' };
  const fields = { label: value.label, sealed: vault.encrypt(value.key), last4: value.key.slice(-4), status: 'active' as const, lastTestError: '' };
  const limit = value.monthlyLimitCredits;
  // Two tries: a concurrent add for the same slot may insert between the look-up and the insert.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const existing = await ApiKeyModel.findOne(slot, { _id: 1 }).lean();
    if (existing) {
      await ApiKeyModel.updateOne(
        { _id: existing._id, workspaceId },
        {
          $set: { ...fields, ...(typeof limit === 'number' ? { monthlyLimitCredits: limit } : {}) },
          $unset: { lastTestedAt: 1, ...(limit === null ? { monthlyLimitCredits: 1 } : {}) },
        },
      );
      return { key: await viewOf(workspaceId, existing._id), replaced: true };
    }
    try {
      const created = await ApiKeyModel.create({ ...slot, ...fields, ...(typeof limit === 'number' ? { monthlyLimitCredits: limit } : {}) });
      return { key: await viewOf(workspaceId, created._id), replaced: false };
    } catch (err) {
      if (!isDuplicateKeyError(err) || attempt > 0) throw err;
    }
  }
  throw new Error('unreachable: addApiKey gave up');
}

async function viewOf(workspaceId: mongoose.Types.ObjectId, id: mongoose.Types.ObjectId): Promise<ApiKeyView> {
  const views = await listApiKeys(String(workspaceId), { ids: [id] });
  const view = views[0];
  if (!view) throw new Error(`api key ${String(id)} vanished while it was being saved`);
  return view;
}

/** The workspace's keys, masked, with this month's usage, oldest first. */
export async function listApiKeys(workspaceId: string, opts: { ids?: mongoose.Types.ObjectId[]; now?: Date } = {}): Promise<ApiKeyView[]> {
  if (!isObjectId(workspaceId)) return [];
  const ws = new mongoose.Types.ObjectId(workspaceId);
  // `sealed` is never read here: a view cannot leak what it never had.
  const docs = await ApiKeyModel.find({ workspaceId: ws, ...(opts.ids ? { _id: { $in: opts.ids } } : {}) }, { sealed: 0 })
    .sort({ createdAt: 1, _id: 1 })
    .lean();
  const usage = await usageByKey(ws, docs.map((d) => d._id), opts.now ?? new Date());
  return docs.map((doc) => ({
    id: String(doc._id),
    provider: doc.provider,
    label: doc.label ?? '',
    masked: maskApiKey(doc.last4),
    last4: doc.last4,
    baseUrl: doc.baseUrl ?? '',
    monthlyLimitCredits: doc.monthlyLimitCredits ?? null,
    status: doc.status,
    lastTestedAt: doc.lastTestedAt ?? null,
    lastTestError: doc.lastTestError ?? '',
    createdAt: doc.createdAt,
    usageThisMonthCredits: usage.get(String(doc._id))?.credits ?? 0,
  }));
}

/** The stored key document (sealed), scoped to the workspace; null when there is none. */
export async function findApiKey(workspaceId: string, keyId: string): Promise<ApiKey | null> {
  if (!isObjectId(workspaceId) || !isObjectId(keyId)) return null;
  return ApiKeyModel.findOne({ _id: new mongoose.Types.ObjectId(keyId), workspaceId: new mongoose.Types.ObjectId(workspaceId) }).lean<ApiKey>();
}

/**
 * The key to use for calls to `provider` (and `baseUrl`, OpenAI-compatible): the workspace's
 * active key with its usage this month and whether that reached the key's limit. Null when the
 * workspace has no usable key for it (none, invalid or disabled): the caller uses the platform's.
 */
export async function findUsableApiKey(
  workspaceId: string,
  provider: ApiKeyProvider,
  baseUrl?: string,
  now = new Date(),
): Promise<{ key: ApiKey; usage: KeyUsage; overLimit: boolean } | null> {
  if (!isObjectId(workspaceId)) return null;
  const key = await ApiKeyModel.findOne({
    workspaceId: new mongoose.Types.ObjectId(workspaceId),
    provider,
    baseUrl: provider === 'openai_compatible' ? (baseUrl ?? '').replace(/\/+$/, '') : '',
    status: 'active',
  }).lean<ApiKey>();
  if (!key) return null;
  const usage = await keyUsageThisMonth(workspaceId, String(key._id), now);
  return { key, usage, overLimit: isOverMonthlyLimit(key, usage.credits) };
}

export function isOverMonthlyLimit(key: Pick<ApiKey, 'monthlyLimitCredits'>, usedCredits: number): boolean {
  return typeof key.monthlyLimitCredits === 'number' && usedCredits >= key.monthlyLimitCredits;
}

/** Decrypts a stored key: the only place that does. Never log or return what it gives. */
export function openApiKey(vault: KeyVault, doc: Pick<ApiKey, 'sealed' | '_id'>): string {
  if (!doc.sealed) throw new Error(`api key ${String(doc._id)} has no sealed value`);
  return vault.decrypt(doc.sealed);
}

export async function deleteApiKey(workspaceId: string, keyId: string): Promise<boolean> {
  if (!isObjectId(workspaceId) || !isObjectId(keyId)) return false;
  const result = await ApiKeyModel.deleteOne({ _id: new mongoose.Types.ObjectId(keyId), workspaceId: new mongoose.Types.ObjectId(workspaceId) });
  return result.deletedCount === 1;
}

/** Sets the status (the owner disabling or re-enabling a key). False when there is no such key. */
export async function setKeyStatus(workspaceId: string, keyId: string, status: ApiKeyStatus): Promise<boolean> {
  if (!isObjectId(workspaceId) || !isObjectId(keyId)) return false;
  const result = await ApiKeyModel.updateOne(
    { _id: new mongoose.Types.ObjectId(keyId), workspaceId: new mongoose.Types.ObjectId(workspaceId) },
    { $set: { status } },
  );
  return result.matchedCount === 1;
}

/** Sets or (null) removes the key's monthly spending limit. False when there is no such key. */
export async function setMonthlyLimit(workspaceId: string, keyId: string, limit: number | null): Promise<boolean> {
  if (!isObjectId(workspaceId) || !isObjectId(keyId)) return false;
  const filter = { _id: new mongoose.Types.ObjectId(keyId), workspaceId: new mongoose.Types.ObjectId(workspaceId) };
  const result =
    limit === null
      ? await ApiKeyModel.updateOne(filter, { $unset: { monthlyLimitCredits: 1 } })
      : await ApiKeyModel.updateOne(filter, { $set: { monthlyLimitCredits: monthlyLimitSchema.parse(limit) } }, { runValidators: true });
  return result.matchedCount === 1;
}

/**
 * Records a test's outcome on the key: when it ran and why it failed. A passing test makes the key
 * `active` and a rejected key makes it `invalid`; a disabled key stays disabled (the owner's
 * choice), and an outage or rate limit says nothing about the key, so its status is kept.
 * Returns the status after the test, or null when the key is gone.
 */
export async function recordKeyTest(workspaceId: string, keyId: string, result: KeyCheckResult, testedAt = new Date()): Promise<ApiKeyStatus | null> {
  if (!isObjectId(workspaceId) || !isObjectId(keyId)) return null;
  const filter = { _id: new mongoose.Types.ObjectId(keyId), workspaceId: new mongoose.Types.ObjectId(workspaceId) };
  const verdict: ApiKeyStatus | null = result.ok ? 'active' : result.reason === 'invalid_key' ? 'invalid' : null;
  if (verdict) await ApiKeyModel.updateOne({ ...filter, status: { $ne: 'disabled' } }, { $set: { status: verdict } });
  const updated = await ApiKeyModel.updateOne(filter, { $set: { lastTestedAt: testedAt, lastTestError: result.ok ? '' : result.message.slice(0, 500) } });
  if (updated.matchedCount === 0) return null;
  const doc = await ApiKeyModel.findOne(filter, { status: 1 }).lean();
  return doc?.status ?? null;
}

/** Midnight on the 1st of `now`'s month in Asia/Jakarta, as a UTC instant. */
export function jakartaMonthStart(now = new Date()): Date {
  // Jakarta has been UTC+7 all year since 1964 (no daylight saving), so a fixed offset is exact.
  const JAKARTA_OFFSET_MS = 7 * 60 * 60 * 1000;
  const local = new Date(now.getTime() + JAKARTA_OFFSET_MS);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - JAKARTA_OFFSET_MS);
}

/** What the key spent this month: credits, calls and tokens from its `ai_usage` records. */
export async function keyUsageThisMonth(workspaceId: string, keyId: string, now = new Date()): Promise<KeyUsage> {
  const since = jakartaMonthStart(now);
  if (!isObjectId(workspaceId) || !isObjectId(keyId)) return { credits: 0, requests: 0, inputTokens: 0, outputTokens: 0, since };
  const id = new mongoose.Types.ObjectId(keyId);
  const found = (await usageByKey(new mongoose.Types.ObjectId(workspaceId), [id], now)).get(keyId);
  return { credits: 0, requests: 0, inputTokens: 0, outputTokens: 0, ...found, since };
}

/**
 * Sums for several keys at once: `$match` + `$group` with `$sum`, what FerretDB v1 runs. One
 * aggregation per sum, because FerretDB v1 (1.24) computes only the FIRST accumulator of a
 * `$group` and returns 0 for the others.
 */
async function usageByKey(workspaceId: mongoose.Types.ObjectId, keyIds: mongoose.Types.ObjectId[], now: Date): Promise<Map<string, Omit<KeyUsage, 'since'>>> {
  const usage = new Map<string, Omit<KeyUsage, 'since'>>();
  if (keyIds.length === 0) return usage;
  const match = { $match: { workspaceId, apiKeyId: { $in: keyIds }, createdAt: { $gte: jakartaMonthStart(now) } } };
  const sumOf = async (value: string | 1) => {
    const rows = await AiUsageModel.aggregate<{ _id: mongoose.Types.ObjectId; total: number | null }>([match, { $group: { _id: '$apiKeyId', total: { $sum: value } } }]);
    return new Map(rows.map((row) => [String(row._id), row.total ?? 0]));
  };
  const [credits, requests, inputTokens, outputTokens] = await Promise.all([sumOf('$credits'), sumOf(1), sumOf('$inputTokens'), sumOf('$outputTokens')]);
  for (const [id, count] of requests) {
    usage.set(id, { credits: credits.get(id) ?? 0, requests: count, inputTokens: inputTokens.get(id) ?? 0, outputTokens: outputTokens.get(id) ?? 0 });
  }
  return usage;
}

export interface ReencryptCounts {
  /** Documents holding a sealed secret. */
  total: number;
  /** Re-sealed with the current master key by this run. */
  reencrypted: number;
  /** Already sealed with the current master key: left alone. */
  alreadyCurrent: number;
  /** Could not be opened (sealed with a key no longer in SAPA_MASTER_KEYS) or changed meanwhile. */
  failed: number;
}

export interface ReencryptReport {
  /** The master key version everything is now sealed with (the first in SAPA_MASTER_KEYS). */
  keyVersion: string;
  apiKeys: ReencryptCounts;
  channels: ReencryptCounts;
  /** What failed and why (ids and messages only: never a secret). */
  failures: Array<{ collection: 'api_keys' | 'channels'; id: string; error: string }>;
}

/**
 * Re-seals every secret at rest with the vault's current (first) master key: workspace API keys
 * (`api_keys.sealed`) and channel credentials (`channels.secrets`). Idempotent: what is already
 * sealed with the current key is left alone, so a second run re-encrypts nothing. Each write is
 * conditional on the ciphertext it read, so a secret changed meanwhile is not overwritten.
 */
export async function reencryptAll(vault: KeyVault): Promise<ReencryptReport> {
  const keyVersion = vault.currentVersion;
  const failures: ReencryptReport['failures'] = [];

  async function reseal(collection: 'api_keys' | 'channels', id: mongoose.Types.ObjectId, sealed: string, counts: ReencryptCounts, write: (next: string) => Promise<boolean>) {
    counts.total += 1;
    if (sealedKeyVersion(sealed) === keyVersion) {
      counts.alreadyCurrent += 1;
      return;
    }
    try {
      const next = vault.encrypt(vault.decrypt(sealed));
      if (await write(next)) counts.reencrypted += 1;
      else {
        counts.failed += 1;
        failures.push({ collection, id: String(id), error: 'changed while re-encrypting; run again' });
      }
    } catch (err) {
      counts.failed += 1;
      failures.push({ collection, id: String(id), error: err instanceof Error ? err.message : String(err) });
    }
  }

  const apiKeys: ReencryptCounts = { total: 0, reencrypted: 0, alreadyCurrent: 0, failed: 0 };
  for await (const doc of ApiKeyModel.find({}, { sealed: 1 }).lean().cursor()) {
    await reseal('api_keys', doc._id, doc.sealed, apiKeys, async (next) => {
      const result = await ApiKeyModel.updateOne({ _id: doc._id, sealed: doc.sealed }, { $set: { sealed: next } }, { timestamps: false });
      return result.modifiedCount === 1;
    });
  }

  const channels: ReencryptCounts = { total: 0, reencrypted: 0, alreadyCurrent: 0, failed: 0 };
  for await (const doc of ChannelModel.find({ secrets: { $exists: true } }, { secrets: 1 }).lean().cursor()) {
    const secrets = doc.secrets;
    if (typeof secrets !== 'string' || secrets === '') continue;
    await reseal('channels', doc._id, secrets, channels, async (next) => {
      const result = await ChannelModel.updateOne({ _id: doc._id, secrets }, { $set: { secrets: next } }, { timestamps: false });
      return result.modifiedCount === 1;
    });
  }

  return { keyVersion, apiKeys, channels, failures };
}

/** The master key version a vault ciphertext (`v1.<version>.…`) was sealed with. */
export function sealedKeyVersion(sealed: string): string {
  return sealed.split('.')[1] ?? '';
}

function isObjectId(value: string): boolean {
  return /^[0-9a-f]{24}$/i.test(value);
}
