/**
 * The Pinecone adapter of the vector-store port, through the official SDK. One namespace per
 * workspace (`ws-<workspaceId>`), so tenants never share a search space; each vector carries
 * `{ sourceId, chatbotIds }` and every query filters on one chatbot. Source-wide operations list
 * ids by the `<sourceId>:` prefix (chunk ids start with it) instead of deleting or updating by
 * metadata filter, because serverless indexes have not always supported filters there.
 */
import { Pinecone, type Index, type RecordMetadata } from '@pinecone-database/pinecone';
import pLimit from 'p-limit';
import { z } from 'zod';
import type { VectorMatch, VectorQuery, VectorRecord, VectorStore } from './types';

export interface PineconeStoreOptions {
  apiKey: string;
  indexName: string;
  /** The index's data-plane host; given, the SDK never calls describe_index to find it. */
  indexHost: string;
  controllerHostUrl?: string;
}

/** Pinecone recommends about 100 vectors per upsert; the hard limits are 1000 and 2 MB. */
const UPSERT_BATCH_RECORDS = 100;
/** Below Pinecone's 2 MB request limit, leaving room for the JSON around the vectors. */
const UPSERT_BATCH_BYTES = 1_500_000;
/** Pinecone's limit of ids per delete request. */
const DELETE_BATCH_IDS = 1000;
/** Ids per list page (Pinecone's default and usual maximum). */
const LIST_PAGE_SIZE = 100;
/** Updates in flight at once: Pinecone rate-limits updates per namespace. */
const UPDATE_CONCURRENCY = 8;

interface SapaVectorMetadata extends RecordMetadata {
  sourceId: string;
  chatbotIds: string[];
}

const optionsSchema = z.object({
  apiKey: z.string().min(1),
  indexName: z.string().min(1),
  indexHost: z.string().min(1),
  controllerHostUrl: z.string().url().optional(),
});

export function namespaceOf(workspaceId: string): string {
  return `ws-${workspaceId}`;
}

/** Chunk ids are `<sourceId>:<pageKey>:<n>`, so this prefix selects exactly one source's vectors. */
function sourcePrefix(sourceId: string): string {
  return `${sourceId}:`;
}

export function createPineconeStore(opts: PineconeStoreOptions): VectorStore {
  const { apiKey, indexName, indexHost, controllerHostUrl } = optionsSchema.parse(opts);
  const client = new Pinecone({ apiKey, ...(controllerHostUrl ? { controllerHostUrl } : {}) });
  const index = client.index<SapaVectorMetadata>({ name: indexName, host: indexHost });
  const inWorkspace = (workspaceId: string): Index<SapaVectorMetadata> => index.namespace(namespaceOf(workspaceId));

  async function listIds(workspaceId: string, prefix: string): Promise<string[]> {
    const ns = inWorkspace(workspaceId);
    const ids: string[] = [];
    let paginationToken: string | undefined;
    do {
      const page = await ns.listPaginated({ prefix, limit: LIST_PAGE_SIZE, ...(paginationToken ? { paginationToken } : {}) });
      for (const v of page.vectors ?? []) if (v.id) ids.push(v.id);
      paginationToken = page.pagination?.next || undefined;
    } while (paginationToken);
    return ids;
  }

  async function deleteIds(workspaceId: string, ids: string[]): Promise<void> {
    const ns = inWorkspace(workspaceId);
    for (let i = 0; i < ids.length; i += DELETE_BATCH_IDS) {
      try {
        await ns.deleteMany({ ids: ids.slice(i, i + DELETE_BATCH_IDS) });
      } catch (err) {
        // A serverless index answers 404 for a namespace that was never written: nothing to delete.
        if (isNotFound(err)) return;
        throw err;
      }
    }
  }

  return {
    kind: 'pinecone',

    async upsert(workspaceId, records) {
      if (records.length === 0) return;
      const ns = inWorkspace(workspaceId);
      for (const batch of upsertBatches(records)) {
        await ns.upsert({
          records: batch.map((r) => ({
            id: r.id,
            values: r.values,
            metadata: { sourceId: r.sourceId, chatbotIds: [...r.chatbotIds] },
          })),
        });
      }
    },

    async query(workspaceId, query: VectorQuery): Promise<VectorMatch[]> {
      const res = await inWorkspace(workspaceId).query({
        vector: query.vector,
        topK: query.topK,
        filter: { chatbotIds: { $in: [query.chatbotId] } },
        includeValues: false,
        includeMetadata: false,
      });
      return res.matches.map((m) => ({ id: m.id, score: m.score ?? 0 }));
    },

    async deleteIds(workspaceId, ids) {
      await deleteIds(workspaceId, ids);
    },

    async deleteSource(workspaceId, sourceId) {
      await deleteIds(workspaceId, await listIds(workspaceId, sourcePrefix(sourceId)));
    },

    async relabelSource(workspaceId, sourceId, chatbotIds) {
      const ns = inWorkspace(workspaceId);
      const ids = await listIds(workspaceId, sourcePrefix(sourceId));
      const limit = pLimit(UPDATE_CONCURRENCY);
      await Promise.all(ids.map((id) => limit(() => ns.update({ id, metadata: { chatbotIds: [...chatbotIds] } }))));
    },

    async countSource(workspaceId, sourceId) {
      return (await listIds(workspaceId, sourcePrefix(sourceId))).length;
    },
  };
}

/** Batches of at most 100 records and about 1.5 MB of JSON, so no request hits Pinecone's 2 MB cap. */
function* upsertBatches(records: VectorRecord[]): Generator<VectorRecord[]> {
  let batch: VectorRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = estimateJsonBytes(r);
    if (batch.length > 0 && (batch.length >= UPSERT_BATCH_RECORDS || bytes + size > UPSERT_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(r);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

function estimateJsonBytes(r: VectorRecord): number {
  // Floats print as up to ~24 characters; ids and metadata are short. Overestimating is harmless.
  return 64 + r.id.length * 2 + r.values.length * 24 + r.sourceId.length + r.chatbotIds.reduce((n, c) => n + c.length + 3, 0);
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'PineconeNotFoundError';
}
