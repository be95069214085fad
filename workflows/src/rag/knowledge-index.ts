/**
 * A workspace's knowledge, indexed in process for search: BM25 postings of every chunk (the
 * lexical half of hybrid retrieval, whichever vector store is used) and, with the embedded vector
 * store, every vector in one Float32Array scanned with a tight loop (the dense half).
 *
 * Loaded lazily on the first search of a workspace and kept in sync by a per-workspace counter
 * (`knowledge:<workspaceId>`) that every knowledge write advances: a search reads that one
 * document (an `_id` lookup, cheap on MongoDB and FerretDB) and rebuilds only when it moved.
 */
import mongoose from 'mongoose';
import { CounterModel, KnowledgeChunkModel, nextSequence, type KnowledgeChunk } from '@sapa/shared';
import { createAnalyzer, type Analyzer } from '../answerer/analyzer';
import { rootLexicon } from '../answerer/stemmer';
import { tokenize } from '../answerer/tokenize';

export interface IndexedChunk {
  id: string;
  sourceId: string;
  chatbotIds: readonly string[];
  text: string;
  heading: string;
  title: string;
  url?: string;
  page?: number;
}

/** What the index is built from: a chunk, and its vector when the embedded store holds it. */
export interface ChunkInput extends IndexedChunk {
  vector?: ArrayLike<number>;
}

export interface LexicalHit {
  index: number;
  bm25: number;
  /** Share of the query's IDF weight found in the chunk, 0–1. */
  coverage: number;
}

export interface DenseHit {
  index: number;
  cosine: number;
}

/** BM25 parameters, as in the offline answerer. */
const K1 = 1.2;
const B = 0.75;
/** A heading names its chunk's topic, so its words count as if written twice. */
const HEADING_WEIGHT = 2;

export const knowledgeCounterId = (workspaceId: string) => `knowledge:${workspaceId}`;

/** Every write to a workspace's chunks or vectors calls this, so searches see it. */
export async function markKnowledgeChanged(workspaceId: string): Promise<void> {
  await nextSequence(knowledgeCounterId(workspaceId));
}

export class WorkspaceIndex {
  readonly chunks: IndexedChunk[];
  private readonly analyze: Analyzer;
  private readonly postings = new Map<string, { docs: number[]; tfs: number[] }>();
  private readonly lengths: Float32Array;
  private readonly averageLength: number;
  /**
   * Vectors grouped by their length: chatbots of one workspace may use different embeddings (the
   * local one, a provider's), and a query is only compared with vectors of its own kind.
   */
  private readonly spaces = new Map<number, { docs: Int32Array; matrix: Float32Array }>();
  private readonly members = new Map<string, Uint8Array>();

  constructor(inputs: readonly ChunkInput[]) {
    this.chunks = inputs.map(({ vector: _vector, ...chunk }) => chunk);
    const words = inputs.map((c) => ({ heading: tokenize(`${c.title} ${c.heading}`), text: tokenize(c.text) }));
    this.analyze = createAnalyzer(rootLexicon(new Set(words.flatMap((w) => [...w.heading, ...w.text]))));
    this.lengths = new Float32Array(inputs.length);
    let total = 0;
    words.forEach((w, doc) => {
      const headingTerms = this.analyze(w.heading);
      const terms = [...Array.from({ length: HEADING_WEIGHT }, () => headingTerms).flat(), ...this.analyze(w.text)];
      const tf = new Map<string, number>();
      for (const term of terms) tf.set(term, (tf.get(term) ?? 0) + 1);
      for (const [term, count] of tf) {
        let list = this.postings.get(term);
        if (!list) this.postings.set(term, (list = { docs: [], tfs: [] }));
        list.docs.push(doc);
        list.tfs.push(count);
      }
      this.lengths[doc] = terms.length;
      total += terms.length;
    });
    this.averageLength = inputs.length ? total / inputs.length : 0;

    const byLength = new Map<number, number[]>();
    inputs.forEach((c, doc) => {
      if (!c.vector || c.vector.length === 0) return;
      const docs = byLength.get(c.vector.length) ?? [];
      docs.push(doc);
      byLength.set(c.vector.length, docs);
    });
    for (const [dims, docs] of byLength) {
      const matrix = new Float32Array(docs.length * dims);
      docs.forEach((doc, row) => matrix.set(inputs[doc]!.vector!, row * dims));
      this.spaces.set(dims, { docs: Int32Array.from(docs), matrix });
    }
  }

  /** 1 for each chunk the chatbot may use (its sources' chunks), built once per chatbot. */
  private membership(chatbotId: string): Uint8Array {
    let bits = this.members.get(chatbotId);
    if (!bits) {
      bits = new Uint8Array(this.chunks.length);
      this.chunks.forEach((chunk, i) => {
        if (chunk.chatbotIds.includes(chatbotId)) bits![i] = 1;
      });
      this.members.set(chatbotId, bits);
    }
    return bits;
  }

  private idf(term: string): number {
    const df = this.postings.get(term)?.docs.length ?? 0;
    return Math.log(1 + (this.chunks.length - df + 0.5) / (df + 0.5));
  }

  /** Terms of a query in the index's own analysis (the same stems and synonyms as the chunks). */
  queryTerms(query: string): string[] {
    return [...new Set(this.analyze(tokenize(query)))];
  }

  searchLexical(query: string, chatbotId: string, limit: number): LexicalHit[] {
    const terms = this.queryTerms(query);
    if (terms.length === 0) return [];
    const allowed = this.membership(chatbotId);
    const scores = new Map<number, { bm25: number; matched: number }>();
    let totalWeight = 0;
    for (const term of terms) {
      const weight = this.idf(term);
      totalWeight += weight;
      const list = this.postings.get(term);
      if (!list) continue;
      for (let i = 0; i < list.docs.length; i++) {
        const doc = list.docs[i]!;
        if (!allowed[doc]) continue;
        const tf = list.tfs[i]!;
        const norm = 1 - B + (B * this.lengths[doc]!) / (this.averageLength || 1);
        const entry = scores.get(doc) ?? { bm25: 0, matched: 0 };
        entry.bm25 += (weight * tf * (K1 + 1)) / (tf + K1 * norm);
        entry.matched += weight;
        scores.set(doc, entry);
      }
    }
    const hits: LexicalHit[] = [];
    for (const [doc, s] of scores) hits.push({ index: doc, bm25: s.bm25, coverage: totalWeight > 0 ? s.matched / totalWeight : 0 });
    return hits.sort((a, b) => b.bm25 - a.bm25 || a.index - b.index).slice(0, limit);
  }

  /** Cosine similarity against every vector of the chatbot's chunks made by the same embedding. */
  searchDense(vector: ArrayLike<number>, chatbotId: string, limit: number): DenseHit[] {
    const space = this.spaces.get(vector.length);
    if (!space) return [];
    const allowed = this.membership(chatbotId);
    const dims = vector.length;
    const query = Float32Array.from(vector);
    let qnorm = 0;
    for (let d = 0; d < dims; d++) qnorm += query[d]! * query[d]!;
    qnorm = Math.sqrt(qnorm) || 1;
    // Keep the best `limit` in a small sorted array: cheaper than sorting every score.
    const best: DenseHit[] = [];
    const { docs, matrix } = space;
    for (let row = 0; row < docs.length; row++) {
      const doc = docs[row]!;
      if (!allowed[doc]) continue;
      let dot = 0;
      const base = row * dims;
      for (let d = 0; d < dims; d++) dot += matrix[base + d]! * query[d]!;
      const cosine = dot / qnorm;
      if (best.length < limit || cosine > best[best.length - 1]!.cosine) {
        let at = best.length;
        while (at > 0 && best[at - 1]!.cosine < cosine) at--;
        best.splice(at, 0, { index: doc, cosine });
        if (best.length > limit) best.pop();
      }
    }
    return best;
  }

  indexOf(chunkId: string): number {
    this.byId ??= new Map(this.chunks.map((c, i) => [c.id, i]));
    return this.byId.get(chunkId) ?? -1;
  }
  private byId: Map<string, number> | undefined;
}

/** A stored vector (lean documents hold BSON Binary, whose bytes are in `.buffer`) as floats. */
export function vectorFromBuffer(stored: unknown): Float32Array | undefined {
  const bytes =
    stored instanceof Uint8Array
      ? stored
      : stored && typeof stored === 'object' && 'buffer' in stored && stored.buffer instanceof Uint8Array
        ? stored.buffer
        : undefined;
  if (!bytes || bytes.byteLength % 4 !== 0) return undefined;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export function vectorToBuffer(values: ArrayLike<number>): Buffer {
  return Buffer.from(Float32Array.from(values).buffer);
}

/** The in-process indexes of all workspaces this worker has searched, kept in sync with MongoDB. */
export class KnowledgeIndexCache {
  private readonly entries = new Map<string, { seq: number; index: Promise<WorkspaceIndex> }>();

  constructor(private readonly opts: { withVectors: boolean }) {}

  async get(workspaceId: string): Promise<WorkspaceIndex> {
    const counter = await CounterModel.findById(knowledgeCounterId(workspaceId)).lean();
    const seq = counter?.seq ?? 0;
    const cached = this.entries.get(workspaceId);
    if (cached && cached.seq === seq) return cached.index;
    const index = this.load(workspaceId);
    this.entries.set(workspaceId, { seq, index });
    index.catch(() => this.entries.delete(workspaceId));
    return index;
  }

  private async load(workspaceId: string): Promise<WorkspaceIndex> {
    const projection: Record<string, 0> = this.opts.withVectors ? {} : { vector: 0 };
    const docs = await KnowledgeChunkModel.find({ workspaceId: new mongoose.Types.ObjectId(workspaceId) }, projection)
      .sort({ _id: 1 })
      .lean<KnowledgeChunk[]>();
    return new WorkspaceIndex(
      docs.map((d) => {
        const vector = d.vector ? vectorFromBuffer(d.vector) : undefined;
        return {
          id: d._id,
          sourceId: String(d.sourceId),
          chatbotIds: d.chatbotIds.map(String),
          text: d.text,
          heading: d.heading ?? '',
          title: d.title ?? '',
          ...(d.url ? { url: d.url } : {}),
          ...(typeof d.page === 'number' ? { page: d.page } : {}),
          ...(vector ? { vector } : {}),
        };
      }),
    );
  }
}
