import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * What one bot reply cost: provider, model, tokens, latency and the passages it was grounded on.
 * `_id` is the reply's outbound message id, so a retried activity records it once; the credits
 * issue deducts from these records.
 */
const passageSchema = new Schema(
  { chunkId: String, sourceId: String, title: String, url: String, page: Number, score: Number },
  { _id: false },
);

const aiUsageSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    chatbotId: { type: Schema.Types.ObjectId },
    conversationId: { type: Schema.Types.ObjectId },
    /** `reply` (a customer's answer), `playground` (the owner testing), `embedding` (ingestion). */
    purpose: { type: String, enum: ['reply', 'playground', 'embedding', 'summary'], default: 'reply' },
    provider: { type: String, required: true },
    model: { type: String, required: true },
    inputTokens: { type: Number, default: 0 },
    outputTokens: { type: Number, default: 0 },
    latencyMs: { type: Number, default: 0 },
    /** The provider that answered was the chatbot's fallback. */
    fallback: { type: Boolean, default: false },
    /**
     * answered, no_answer (knowledge did not cover it), failed (every provider failed: handed off),
     * unfunded (no own key and not enough credits: handed off, owner alerted).
     */
    outcome: { type: String, enum: ['answered', 'no_answer', 'failed', 'unfunded'], default: 'answered' },
    /** Who paid: the workspace's own key, its credits, or its own OpenAI-compatible endpoint. */
    funding: { type: String, enum: ['own_key', 'credits', 'own_endpoint'] },
    attempts: { type: Number, default: 1 },
    error: { type: String },
    passages: { type: [passageSchema], default: [] },
    /** The workspace's own key (api_keys) the call was made with; absent for the platform's keys. */
    apiKeyId: { type: Schema.Types.ObjectId },
    /** What the call cost in credits (1 credit = Rp1), by the price table; a key's monthly limit sums these. */
    credits: { type: Number, validate: { validator: Number.isInteger, message: 'credits is an integer' } },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
aiUsageSchema.index({ workspaceId: 1, createdAt: -1 });
/** A workspace key's spending this month (shared/src/ai/api-keys.ts). */
aiUsageSchema.index({ workspaceId: 1, apiKeyId: 1, createdAt: -1 });

export type AiUsage = InferSchemaType<typeof aiUsageSchema>;
export const AiUsageModel = mongoose.model('AiUsage', aiUsageSchema, 'ai_usage');
