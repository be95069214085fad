/**
 * A workspace's own AI provider key (bring your own key). The key itself only ever exists here
 * sealed with the key vault (`sealed`); `last4` is what the dashboard shows. Reading and writing
 * goes through `shared/src/ai/api-keys.ts`, the one place that opens a key.
 *
 * One key per provider per workspace, and per base URL for OpenAI-compatible endpoints: the
 * unique index makes "add a key" for a taken slot a replacement (see api-keys.ts).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const API_KEY_PROVIDERS = ['openai', 'anthropic', 'gemini', 'replicate', 'openai_compatible'] as const;
export type ApiKeyProvider = (typeof API_KEY_PROVIDERS)[number];

/** `invalid`: the provider rejected it at the last test; `disabled`: the owner switched it off. */
export const API_KEY_STATUSES = ['active', 'invalid', 'disabled'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

const apiKeySchema = new Schema(
  {
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    provider: { type: String, enum: API_KEY_PROVIDERS, required: true },
    label: { type: String, trim: true, maxlength: 80, default: '' },
    /** The key, encrypted with the key vault (`v1.<keyVersion>.<iv>.<tag>.<body>`). */
    sealed: { type: String, required: true },
    /** The key's last four characters: all the dashboard ever shows of it. */
    last4: { type: String, required: true },
    /** OpenAI-compatible endpoints only; '' for the others (so the unique index sees one value). */
    baseUrl: { type: String, default: '' },
    /** The most this key may spend per calendar month (Asia/Jakarta), in credits (1 credit = Rp1); none: no limit. */
    monthlyLimitCredits: { type: Number, min: 1, validate: { validator: Number.isInteger, message: 'monthlyLimitCredits is an integer' } },
    status: { type: String, enum: API_KEY_STATUSES, default: 'active' },
    lastTestedAt: { type: Date },
    /** Why the last test failed (scrubbed of the key); '' after a passing test. */
    lastTestError: { type: String, default: '' },
  },
  { timestamps: true },
);
apiKeySchema.index({ workspaceId: 1, provider: 1, baseUrl: 1 }, { unique: true });

export type ApiKey = InferSchemaType<typeof apiKeySchema> & { _id: mongoose.Types.ObjectId };
export const ApiKeyModel = mongoose.model('ApiKey', apiKeySchema, 'api_keys');
