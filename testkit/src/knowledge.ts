/**
 * Knowledge sources for tests: create one the way the dashboard does (stored `queued`, then the
 * ingestion workflow), wait for its run to end, and read back what it left behind.
 */
import mongoose from 'mongoose';
import {
  KnowledgeChunkModel,
  KnowledgePageModel,
  KnowledgeSourceModel,
  MediaStore,
  startKnowledgeRun,
  waitForKnowledgeRun,
  type KnowledgeRunReason,
  type KnowledgeSource,
} from '@sapa/shared';
import type { TestStack } from './stack';

export type NewSource =
  | { kind: 'file'; name: string; bytes: Buffer | string }
  | { kind: 'text'; name: string; text: string }
  | { kind: 'faq'; name: string; faq: Array<{ question: string; answer: string }> }
  | { kind: 'url' | 'sitemap'; name: string; url: string; maxPages?: number };

/** Create a source for the seed workspace (or another), linked to the given chatbots, and ingest it. */
export async function addKnowledgeSource(
  stack: TestStack,
  source: NewSource,
  opts: { workspaceId?: string; chatbotIds?: string[] } = {},
): Promise<KnowledgeSource> {
  const workspaceId = opts.workspaceId ?? stack.seed.workspaceId;
  const chatbotIds = (opts.chatbotIds ?? [stack.seed.chatbotId]).map((id) => new mongoose.Types.ObjectId(id));
  const fields: Record<string, unknown> = { kind: source.kind, name: source.name };
  if (source.kind === 'file') {
    const bytes = Buffer.isBuffer(source.bytes) ? source.bytes : Buffer.from(source.bytes, 'utf8');
    const mediaKey = await new MediaStore(stack.config.mediaDir).put(workspaceId, bytes);
    fields.file = { mediaKey, originalName: source.name, size: bytes.length };
  } else if (source.kind === 'text') {
    fields.text = source.text;
  } else if (source.kind === 'faq') {
    fields.faq = source.faq;
  } else {
    fields.url = source.url;
    if (source.maxPages) fields.maxPages = source.maxPages;
  }
  const created = await KnowledgeSourceModel.create({ workspaceId, chatbotIds, ...fields });
  await runKnowledge(stack, String(created._id), 'create', workspaceId);
  return (await KnowledgeSourceModel.findById(created._id).lean<KnowledgeSource>())!;
}

/** Run the source's workflow for `reason` and wait until it ends. */
export async function runKnowledge(stack: TestStack, sourceId: string, reason: KnowledgeRunReason, workspaceId = stack.seed.workspaceId) {
  await startKnowledgeRun(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, { sourceId, workspaceId, reason });
  await waitForKnowledgeRun(stack.temporal, sourceId);
  return KnowledgeSourceModel.findById(sourceId).lean<KnowledgeSource>();
}

/** Everything stored for a source: chunks (with whether each has a vector here) and pages. */
export async function sourceContents(sourceId: string) {
  const id = new mongoose.Types.ObjectId(sourceId);
  const chunks = await KnowledgeChunkModel.find({ sourceId: id }).sort({ _id: 1 }).lean();
  const pages = await KnowledgePageModel.find({ sourceId: id }).lean();
  return { chunks, pages, withVectors: chunks.filter((c) => c.vector).length };
}
