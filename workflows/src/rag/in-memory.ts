/**
 * Knowledge indexed in memory, without the database: extracted documents chunked and embedded the
 * way ingestion does it, in a `WorkspaceIndex` that retrieval and the answering engine use as they
 * use the worker's. For `npm run eval`, the benchmarks and tests.
 */
import { DEFAULT_RETRIEVAL_SETTINGS, type RetrievalSettings } from '@sapa/shared';
import { chunkDocument } from './chunk';
import { createLocalEmbeddings, embedLocal } from './embed/local';
import type { RagEngine } from './engine';
import type { ExtractedDocument } from './extract';
import { WorkspaceIndex, type ChunkInput } from './knowledge-index';
import { createEmbeddedStore } from './vector-store/embedded';

/** What a chunk is embedded as: its title and heading say what the passage is about. */
export function embeddingText(chunk: { title: string; heading: string; text: string }): string {
  return [chunk.title, chunk.heading, chunk.text].filter(Boolean).join('\n');
}

export interface InMemoryDocument {
  sourceId: string;
  /** The source's name (a file's name): every chunk's title. */
  title: string;
  chatbotIds: string[];
  document: ExtractedDocument;
}

/** Chunks of documents with local-embedding vectors, ready for a `WorkspaceIndex`. */
export function chunkInputs(
  documents: readonly InMemoryDocument[],
  settings: Pick<RetrievalSettings, 'chunkTokens' | 'chunkOverlap'> = DEFAULT_RETRIEVAL_SETTINGS,
): ChunkInput[] {
  return documents.flatMap(({ sourceId, title, chatbotIds, document }) =>
    chunkDocument(document.sections, { chunkTokens: settings.chunkTokens, overlapTokens: settings.chunkOverlap }).map((chunk, position) => ({
      id: `${sourceId}:doc:${position}`,
      sourceId,
      chatbotIds,
      text: chunk.text,
      heading: chunk.heading,
      title,
      ...(chunk.page !== undefined ? { page: chunk.page } : {}),
      vector: embedLocal(embeddingText({ title, heading: chunk.heading, text: chunk.text })),
    })),
  );
}

/** A knowledge engine over one in-memory index, with the local embedding and the embedded store. */
export function inMemoryRag(index: WorkspaceIndex): RagEngine {
  const indexes = { get: async () => index, recent: async () => index };
  const local = createLocalEmbeddings();
  return { indexes, store: createEmbeddedStore(indexes), embedderFor: () => local };
}
