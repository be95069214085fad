/**
 * The embedded vector store (the default, no account): each vector is kept on its chunk's
 * document in MongoDB (`knowledge_chunks.vector`, float32 bytes) and searched in process by the
 * workspace's `WorkspaceIndex`, which reloads when the knowledge counter moves.
 */
import mongoose from 'mongoose';
import { KnowledgeChunkModel } from '@sapa/shared';
import { markKnowledgeChanged, vectorToBuffer, type KnowledgeIndexCache } from '../knowledge-index';
import type { VectorStore } from './types';

const oid = (id: string) => new mongoose.Types.ObjectId(id);
/** Writes per bulk call: large enough to be quick, small enough for FerretDB's message limits. */
const BATCH = 200;

export function createEmbeddedStore(indexes: Pick<KnowledgeIndexCache, 'get' | 'recent'>): VectorStore {
  return {
    kind: 'embedded',
    async upsert(workspaceId, records) {
      for (let i = 0; i < records.length; i += BATCH) {
        const batch = records.slice(i, i + BATCH);
        await KnowledgeChunkModel.bulkWrite(
          batch.map((r) => ({
            updateOne: {
              // Only a chunk of this workspace: a vector never lands on another tenant's chunk.
              filter: { _id: r.id, workspaceId: oid(workspaceId) },
              update: { $set: { vector: vectorToBuffer(r.values), chatbotIds: r.chatbotIds.map(oid) } },
            },
          })),
          { ordered: false },
        );
      }
      if (records.length > 0) await markKnowledgeChanged(workspaceId);
    },
    async query(workspaceId, { vector, topK, chatbotId }) {
      const index = await indexes.recent(workspaceId);
      return index.searchDense(vector, chatbotId, topK).map((hit) => ({ id: index.chunks[hit.index]!.id, score: hit.cosine }));
    },
    async deleteIds(workspaceId, ids) {
      if (ids.length === 0) return;
      await KnowledgeChunkModel.updateMany({ _id: { $in: ids }, workspaceId: oid(workspaceId) }, { $unset: { vector: 1 } });
      await markKnowledgeChanged(workspaceId);
    },
    async deleteSource(workspaceId, sourceId) {
      await KnowledgeChunkModel.updateMany(
        { workspaceId: oid(workspaceId), sourceId: oid(sourceId), vector: { $exists: true } },
        { $unset: { vector: 1 } },
      );
      await markKnowledgeChanged(workspaceId);
    },
    async relabelSource(workspaceId, sourceId, chatbotIds) {
      await KnowledgeChunkModel.updateMany({ workspaceId: oid(workspaceId), sourceId: oid(sourceId) }, { $set: { chatbotIds: chatbotIds.map(oid) } });
      await markKnowledgeChanged(workspaceId);
    },
    async countSource(workspaceId, sourceId) {
      return KnowledgeChunkModel.countDocuments({ workspaceId: oid(workspaceId), sourceId: oid(sourceId), vector: { $exists: true } });
    },
  };
}
