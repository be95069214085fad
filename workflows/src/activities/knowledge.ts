/**
 * The knowledge ingestion workflow's activities. Each is idempotent: chunk ids are derived from
 * the source, page and position, so a retried batch overwrites what a failed attempt wrote; pages
 * remember the hash of what they were built from, so unchanged content is not embedded again.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  ChatbotModel,
  KnowledgeChunkModel,
  KnowledgePageModel,
  KnowledgeSourceModel,
  MediaStore,
  publishEvent,
  readAiSettings,
  DEFAULT_EMBEDDING_MODELS,
  type Config,
  type KnowledgeSource,
  type KnowledgeWorkflowInput,
  type RetrievalSettings,
} from '@sapa/shared';
import pLimit from 'p-limit';
import { chunkDocument } from '../rag/chunk';
import type { ExtractedDocument } from '../rag/extract';
import type { RagEngine } from '../rag/engine';
import { embeddingText } from '../rag/in-memory';
import { markKnowledgeChanged } from '../rag/knowledge-index';
import { planSource, readPage, SourceError, type PlannedPage, type SkippedPage } from '../rag/source-content';

export interface PageTally {
  added: number;
  changed: number;
  unchanged: number;
  removed: number;
  skipped: number;
  failures: SkippedPage[];
}

export interface KnowledgeActivityDeps {
  config: Config;
  rag: RagEngine;
}

const oid = (id: string) => new mongoose.Types.ObjectId(id);
/** Texts per embedding request (providers accept more; this keeps each request well under limits). */
const EMBED_BATCH = 64;
/** Failures listed on the source for the owner; the rest are counted. */
const MAX_LISTED_FAILURES = 20;

async function loadSource(input: KnowledgeWorkflowInput): Promise<KnowledgeSource | null> {
  return KnowledgeSourceModel.findOne({ _id: oid(input.sourceId), workspaceId: oid(input.workspaceId) }).lean<KnowledgeSource>();
}

/** Chunking and embedding come from the first chatbot the source serves (defaults without one). */
async function settingsFor(source: KnowledgeSource): Promise<RetrievalSettings> {
  const chatbot = source.chatbotIds[0] ? await ChatbotModel.findOne({ _id: source.chatbotIds[0], workspaceId: source.workspaceId }).lean() : null;
  return readAiSettings(chatbot ?? {}).retrieval;
}

async function publishSource(source: Pick<KnowledgeSource, '_id' | 'workspaceId'>, data: Record<string, unknown>) {
  await publishEvent({ workspaceId: String(source.workspaceId), type: 'knowledgeUpdated', data: { sourceId: String(source._id), ...data } });
}

const hashOf = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex');

export function createKnowledgeActivities({ config, rag }: KnowledgeActivityDeps) {
  const media = new MediaStore(config.mediaDir);

  async function removePageChunks(source: KnowledgeSource, pageKey: string, fromPosition = 0) {
    const stale = await KnowledgeChunkModel.find({ workspaceId: source.workspaceId, sourceId: source._id, pageKey, position: { $gte: fromPosition } }, { _id: 1 }).lean();
    if (stale.length === 0) return;
    const ids = stale.map((c) => c._id);
    // Vectors first: a chunk without a vector is harmless, a vector without its chunk is an orphan.
    await rag.store.deleteIds(String(source.workspaceId), ids);
    await KnowledgeChunkModel.deleteMany({ _id: { $in: ids }, workspaceId: source.workspaceId });
  }

  /** Extract, chunk, embed and store one page. Returns what happened to it. */
  async function processPage(
    source: KnowledgeSource,
    settings: RetrievalSettings,
    page: PlannedPage,
    document: ExtractedDocument,
    onBatch: (done: number, total: number) => Promise<void>,
  ): Promise<'added' | 'changed' | 'unchanged'> {
    const embedder = rag.embedderFor(settings);
    const chunks = chunkDocument(document.sections, { chunkTokens: settings.chunkTokens, overlapTokens: settings.chunkOverlap });
    if (chunks.length === 0) throw new SourceError('no_text', 'no readable text was found');
    const title = page.url ? document.title || page.url : source.name;
    const contentHash = hashOf(JSON.stringify(chunks), title, String(settings.chunkTokens), String(settings.chunkOverlap));
    const pageId = `${String(source._id)}:${page.key}`;
    const previous = await KnowledgePageModel.findById(pageId).lean();
    if (previous && previous.contentHash === contentHash && previous.embeddingModel === `${embedder.id}:${embedder.model}`) return 'unchanged';

    const chatbotIds = source.chatbotIds.map(String);
    const batches = Math.ceil(chunks.length / EMBED_BATCH);
    for (let b = 0; b < batches; b++) {
      const slice = chunks.slice(b * EMBED_BATCH, (b + 1) * EMBED_BATCH);
      const { vectors } = await embedder.embed(slice.map((c) => embeddingText({ title, heading: c.heading, text: c.text })), 'document');
      const docs = slice.map((chunk, i) => {
        const position = b * EMBED_BATCH + i;
        return {
          _id: `${pageId}:${position}`,
          workspaceId: source.workspaceId,
          sourceId: source._id,
          chatbotIds: source.chatbotIds,
          pageKey: page.key,
          position,
          text: chunk.text,
          heading: chunk.heading,
          title,
          ...(page.url ? { url: page.url } : {}),
          ...(chunk.page !== undefined ? { page: chunk.page } : {}),
          tokens: chunk.tokens,
          createdAt: new Date(),
        };
      });
      await KnowledgeChunkModel.bulkWrite(docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })), { ordered: false });
      await rag.store.upsert(
        String(source.workspaceId),
        docs.map((doc, i) => ({ id: doc._id, values: vectors[i]!, sourceId: String(source._id), chatbotIds })),
      );
      Context.current().heartbeat();
      await onBatch(b + 1, batches);
    }
    await removePageChunks(source, page.key, chunks.length);
    // The dashboard shows what an upload turned out to be (sniffed from its bytes, not its name).
    if (source.kind === 'file') await KnowledgeSourceModel.updateOne({ _id: source._id }, { $set: { 'file.format': document.format } });
    await KnowledgePageModel.replaceOne(
      { _id: pageId },
      {
        _id: pageId,
        workspaceId: source.workspaceId,
        sourceId: source._id,
        pageKey: page.key,
        ...(page.url ? { url: page.url } : {}),
        title,
        contentHash,
        chunkCount: chunks.length,
        embeddingModel: `${embedder.id}:${embedder.model}`,
        syncedAt: new Date(),
      },
      { upsert: true },
    );
    await markKnowledgeChanged(String(source.workspaceId));
    return previous ? 'changed' : 'added';
  }

  async function setProgress(source: KnowledgeSource, done: number, total: number) {
    await KnowledgeSourceModel.updateOne({ _id: source._id }, { $set: { progress: { done, total } } });
    await publishSource(source, { status: 'processing', progress: { done, total } });
  }

  return {
    async planSource(input: KnowledgeWorkflowInput): Promise<{ pages: PlannedPage[]; skipped: SkippedPage[] } | null> {
      const source = await loadSource(input);
      if (!source || source.status === 'deleting') return null;
      await KnowledgeSourceModel.updateOne({ _id: source._id }, { $set: { status: 'processing', error: '', errorCode: '', progress: { done: 0, total: 0 } } });
      await publishSource(source, { status: 'processing', progress: { done: 0, total: 0 } });
      try {
        const plan = await planSource(config, source);
        await setProgress(source, 0, plan.pages.length);
        return { pages: plan.pages, skipped: plan.skipped.slice(0, MAX_LISTED_FAILURES) };
      } catch (err) {
        if (err instanceof SourceError) throw ApplicationFailure.nonRetryable(err.message, err.code);
        throw err;
      }
    },

    /**
     * A batch of pages. A site's page that cannot be read is skipped and listed; a single document
     * that cannot be read fails the source with the reason.
     */
    async processPages(input: KnowledgeWorkflowInput & { pages: PlannedPage[]; done: number; total: number }): Promise<PageTally> {
      const tally: PageTally = { added: 0, changed: 0, unchanged: 0, removed: 0, skipped: 0, failures: [] };
      const source = await loadSource(input);
      if (!source || source.status === 'deleting') return tally;
      const settings = await settingsFor(source);
      const single = source.kind !== 'sitemap';
      // A site's pages are fetched a few at a time (CRAWL_CONCURRENCY); storing them goes one by one.
      const limit = pLimit(config.CRAWL_CONCURRENCY);
      const documents = input.pages.map((page) => limit(() => readPage(config, media, source, page)));
      documents.forEach((d) => d.catch(() => undefined)); // awaited below, in order
      for (const [i, page] of input.pages.entries()) {
        try {
          // A single document reports progress by embedding batch; a site by page.
          const onBatch = single ? (done: number, total: number) => setProgress(source, done, total) : async () => undefined;
          tally[await processPage(source, settings, page, await documents[i]!, onBatch)]++;
        } catch (err) {
          if (!(err instanceof SourceError)) throw err;
          if (single) throw ApplicationFailure.nonRetryable(err.message, err.code);
          tally.skipped++;
          tally.failures.push({ url: page.url ?? page.key, reason: err.code });
        }
        Context.current().heartbeat();
        if (!single) await setProgress(source, input.done + i + 1, input.total);
      }
      return tally;
    },

    /** Remove pages that are gone, make sure every vector serves the source's current chatbots, mark it ready. */
    async finishSource(input: KnowledgeWorkflowInput & { keptPageKeys: string[]; tally: PageTally }): Promise<void> {
      const source = await loadSource(input);
      if (!source || source.status === 'deleting') return;
      const tally = { ...input.tally };
      const pages = await KnowledgePageModel.find({ workspaceId: source.workspaceId, sourceId: source._id }, { pageKey: 1 }).lean();
      const kept = new Set(input.keptPageKeys);
      for (const page of pages) {
        if (kept.has(page.pageKey)) continue;
        await removePageChunks(source, page.pageKey);
        await KnowledgePageModel.deleteOne({ _id: page._id });
        tally.removed++;
      }
      // Pages that failed this time keep their previous chunks; a page that never worked has none.
      // Chunks written by this run carry the source's chatbots already; older ones (unchanged pages)
      // are relabelled only if the chatbots changed meanwhile (one call per vector on Pinecone).
      const chunks = await KnowledgeChunkModel.find({ workspaceId: source.workspaceId, sourceId: source._id }, { tokens: 1, chatbotIds: 1 }).lean();
      const labels = source.chatbotIds.map(String).sort().join();
      if (chunks.some((c) => c.chatbotIds.map(String).sort().join() !== labels)) {
        await rag.store.relabelSource(String(source.workspaceId), String(source._id), source.chatbotIds.map(String));
        await KnowledgeChunkModel.updateMany({ workspaceId: source.workspaceId, sourceId: source._id }, { $set: { chatbotIds: source.chatbotIds } });
      }
      await markKnowledgeChanged(String(source.workspaceId));

      const settings = await settingsFor(source);
      const embedder = rag.embedderFor(settings);
      const usable = chunks.length > 0;
      const failure = input.tally.failures[0];
      const update = {
        status: usable ? 'ready' : 'failed',
        error: usable ? '' : failure ? `${failure.url}: ${failure.reason}` : 'no readable text was found',
        errorCode: usable ? '' : (failure?.reason ?? 'no_text'),
        chunkCount: chunks.length,
        tokenCount: chunks.reduce((sum, c) => sum + (c.tokens ?? 0), 0),
        pageCount: pages.length - tally.removed + tally.added,
        lastSyncedAt: new Date(),
        lastSync: { added: tally.added, changed: tally.changed, unchanged: tally.unchanged, removed: tally.removed, skipped: tally.skipped },
        embedding: { provider: embedder.id, model: embedder.model || DEFAULT_EMBEDDING_MODELS[settings.embeddingProvider] },
      };
      await KnowledgeSourceModel.updateOne({ _id: source._id, status: { $ne: 'deleting' } }, { $set: update });
      await publishSource(source, { status: update.status, chunkCount: update.chunkCount, error: update.error, errorCode: update.errorCode });
    },

    async failSource(input: KnowledgeWorkflowInput & { code: string; message: string }): Promise<void> {
      const source = await loadSource(input);
      if (!source || source.status === 'deleting') return;
      await KnowledgeSourceModel.updateOne(
        { _id: source._id, status: { $ne: 'deleting' } },
        { $set: { status: 'failed', errorCode: input.code, error: input.message.slice(0, 500) } },
      );
      await publishSource(source, { status: 'failed', errorCode: input.code, error: input.message.slice(0, 500) });
    },

    /** Every vector, chunk and page of the source, then its uploaded file and the source itself. */
    async deleteSource(input: KnowledgeWorkflowInput): Promise<void> {
      const source = await loadSource(input);
      if (!source) return;
      await rag.store.deleteSource(input.workspaceId, input.sourceId);
      await KnowledgeChunkModel.deleteMany({ workspaceId: source.workspaceId, sourceId: source._id });
      await KnowledgePageModel.deleteMany({ workspaceId: source.workspaceId, sourceId: source._id });
      await markKnowledgeChanged(input.workspaceId);
      if (source.file?.mediaKey) await media.remove(source.file.mediaKey);
      await KnowledgeSourceModel.deleteOne({ _id: source._id });
      await publishSource(source, { status: 'deleted' });
    },

    async relinkSource(input: KnowledgeWorkflowInput): Promise<void> {
      const source = await loadSource(input);
      if (!source || source.status === 'deleting') return;
      await rag.store.relabelSource(input.workspaceId, input.sourceId, source.chatbotIds.map(String));
      await KnowledgeChunkModel.updateMany({ workspaceId: source.workspaceId, sourceId: source._id }, { $set: { chatbotIds: source.chatbotIds } });
      await markKnowledgeChanged(input.workspaceId);
      await publishSource(source, { status: source.status });
    },
  };
}

export type KnowledgeActivities = ReturnType<typeof createKnowledgeActivities>;
