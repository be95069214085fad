import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * One page of a source as last processed: a site's URL, or the single "document" of a file/text
 * source. The content hash lets a re-sync skip pages that did not change; a page missing from the
 * next crawl loses its chunks. `_id` is `<sourceId>:<pageKey>`.
 */
const knowledgePageSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    sourceId: { type: Schema.Types.ObjectId, required: true },
    pageKey: { type: String, required: true },
    url: { type: String },
    title: { type: String, default: '' },
    contentHash: { type: String, required: true },
    chunkCount: { type: Number, default: 0 },
    /** The embedding model the chunks were made with: a different one re-embeds even unchanged pages. */
    embeddingModel: { type: String, default: '' },
    syncedAt: { type: Date },
  },
  { versionKey: false },
);
knowledgePageSchema.index({ workspaceId: 1, sourceId: 1 });

export type KnowledgePage = InferSchemaType<typeof knowledgePageSchema>;
export const KnowledgePageModel = mongoose.model('KnowledgePage', knowledgePageSchema, 'knowledge_pages');
