import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * One passage of a knowledge source, as retrieval returns it and as the chunk viewer shows it.
 * `_id` is `<sourceId>:<pageKey>:<n>`: stable for the same page, so re-processing overwrites
 * instead of duplicating, and every id of a source shares its prefix. With the embedded vector
 * store the vector is kept here too (`vector`, little-endian float32 bytes).
 */
const knowledgeChunkSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    sourceId: { type: Schema.Types.ObjectId, required: true },
    chatbotIds: { type: [Schema.Types.ObjectId], default: [] },
    /** The page (URL) or part of the source this chunk came from; see knowledge-page. */
    pageKey: { type: String, required: true },
    position: { type: Number, required: true },
    text: { type: String, required: true },
    /** The heading path above the passage ("Pengiriman › Ongkir"). */
    heading: { type: String, default: '' },
    /** For citations: the source's name, the page's title, its URL and PDF page number. */
    title: { type: String, default: '' },
    url: { type: String },
    page: { type: Number },
    tokens: { type: Number, default: 0 },
    vector: { type: Buffer },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
knowledgeChunkSchema.index({ workspaceId: 1, sourceId: 1 });

export type KnowledgeChunk = InferSchemaType<typeof knowledgeChunkSchema>;
export const KnowledgeChunkModel = mongoose.model('KnowledgeChunk', knowledgeChunkSchema, 'knowledge_chunks');
