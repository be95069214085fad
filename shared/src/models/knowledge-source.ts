import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * One piece of a workspace's knowledge: an uploaded file, typed text, Q&A pairs, one web page or a
 * whole site by its sitemap. Its chunks live in `knowledge_chunks` (text, for search and the chunk
 * viewer) and in the vector store (vectors); the ingestion workflow (`knowledge/<sourceId>`) is the
 * only writer of both. A source can serve several chatbots of its workspace.
 */
export const KNOWLEDGE_SOURCE_KINDS = ['file', 'text', 'faq', 'url', 'sitemap'] as const;
export type KnowledgeSourceKind = (typeof KNOWLEDGE_SOURCE_KINDS)[number];

/** `deleting`: the owner deleted it; it disappears once its vectors are gone. */
export const KNOWLEDGE_STATUSES = ['queued', 'processing', 'ready', 'failed', 'deleting'] as const;
export type KnowledgeStatus = (typeof KNOWLEDGE_STATUSES)[number];

export const RESYNC_SCHEDULES = ['off', 'daily', 'weekly'] as const;
export type ResyncSchedule = (typeof RESYNC_SCHEDULES)[number];

const faqSchema = new Schema({ question: { type: String, required: true }, answer: { type: String, required: true } }, { _id: false });

const knowledgeSourceSchema = new Schema(
  {
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    chatbotIds: { type: [Schema.Types.ObjectId], default: [] },
    kind: { type: String, enum: KNOWLEDGE_SOURCE_KINDS, required: true },
    /** What the owner sees and what citations name: the file name, the page title, or a typed name. */
    name: { type: String, required: true, trim: true, maxlength: 200 },
    status: { type: String, enum: KNOWLEDGE_STATUSES, default: 'queued' },
    /** Why processing failed, in the owner's words ("Dokumen PDF ini dikunci dengan kata sandi"). */
    error: { type: String, default: '' },
    errorCode: { type: String, default: '' },
    /** Progress of the current run: units (pages of a site, batches of a document) done of total. */
    progress: { done: { type: Number, default: 0 }, total: { type: Number, default: 0 } },
    chunkCount: { type: Number, default: 0 },
    tokenCount: { type: Number, default: 0 },
    pageCount: { type: Number, default: 0 },

    /** file: the bytes sit in the media store under this key; the type is sniffed from them. */
    file: {
      mediaKey: String,
      originalName: String,
      size: Number,
      /** The sniffed type (pdf, docx, txt, md, csv, html). */
      format: String,
    },
    /** text: the typed text (Markdown allowed). */
    text: { type: String },
    /** faq: question and answer pairs; each pair becomes its own chunk. */
    faq: { type: [faqSchema], default: undefined },
    /** url / sitemap: the page, or the sitemap (or site root whose sitemap is used). */
    url: { type: String },
    maxPages: { type: Number },
    resync: { type: String, enum: RESYNC_SCHEDULES, default: 'off' },
    /** Bumped by every reprocess/re-sync request: the workflow run of the newest one wins. */
    revision: { type: Number, default: 0 },
    lastSyncedAt: { type: Date },
    /** The run's tally, shown after a sync: pages added, changed, unchanged, removed, skipped. */
    lastSync: {
      added: Number,
      changed: Number,
      unchanged: Number,
      removed: Number,
      skipped: Number,
    },
    /** The embedding the vectors were made with; a chatbot using another one needs a reprocess. */
    embedding: { provider: String, model: String, dimensions: Number },
  },
  { timestamps: true },
);
knowledgeSourceSchema.index({ workspaceId: 1, createdAt: -1 });

export type KnowledgeSource = InferSchemaType<typeof knowledgeSourceSchema> & { _id: mongoose.Types.ObjectId };
export const KnowledgeSourceModel = mongoose.model('KnowledgeSource', knowledgeSourceSchema, 'knowledge_sources');
