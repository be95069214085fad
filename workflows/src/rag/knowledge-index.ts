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

/**
 * A term's postings in typed arrays (compact, scanned without boxing): the chunks holding it and,
 * for each, its BM25 term-frequency factor `tf·(k1+1) / (tf + k1·norm)`. The factor depends only on
 * the chunk, so it is computed once at build and a query only multiplies it by the term's IDF.
 */
interface Postings {
  docs: Int32Array;
  tfFactors: Float32Array;
}

/** The chunks a chatbot may use: a bit per chunk, and per vector space the rows to scan. */
interface Membership {
  bits: Uint8Array;
  rows: Map<number, Int32Array>;
}

/** Per-chunk accumulators of a lexical search, reused by every query (a search is synchronous). */
interface LexicalScratch {
  scores: Float64Array;
  matched: Float64Array;
  touched: Int32Array;
}

/** The best `limit` of a stream of (index, score): higher score first, then lower index. */
class TopK {
  readonly indexes: number[] = [];
  readonly scores: number[] = [];
  constructor(private readonly limit: number) {}

  offer(index: number, score: number): void {
    const n = this.scores.length;
    if (n === this.limit && !(score > this.scores[n - 1]! || (score === this.scores[n - 1] && index < this.indexes[n - 1]!))) return;
    let at = n;
    while (at > 0 && (this.scores[at - 1]! < score || (this.scores[at - 1] === score && this.indexes[at - 1]! > index))) at--;
    this.scores.splice(at, 0, score);
    this.indexes.splice(at, 0, index);
    if (this.scores.length > this.limit) {
      this.scores.pop();
      this.indexes.pop();
    }
  }
}

export class WorkspaceIndex {
  readonly chunks: IndexedChunk[];
  private readonly analyze: Analyzer;
  private readonly postings = new Map<string, Postings>();
  private scratch: LexicalScratch | undefined;
  /**
   * Vectors grouped by their length: chatbots of one workspace may use different embeddings (the
   * local one, a provider's), and a query is only compared with vectors of its own kind.
   */
  private readonly spaces = new Map<number, { docs: Int32Array; matrix: Float32Array }>();
  private readonly members = new Map<string, Membership>();

  constructor(inputs: readonly ChunkInput[]) {
    this.chunks = inputs.map(({ vector: _vector, ...chunk }) => chunk);
    const words = inputs.map((c) => ({ heading: tokenize(`${c.title} ${c.heading}`), text: tokenize(c.text) }));
    this.analyze = createAnalyzer(rootLexicon(new Set(words.flatMap((w) => [...w.heading, ...w.text]))));
    const lengths = new Float32Array(inputs.length);
    const growing = new Map<string, { docs: number[]; tfs: number[] }>();
    let total = 0;
    words.forEach((w, doc) => {
      const headingTerms = this.analyze(w.heading);
      const terms = [...Array.from({ length: HEADING_WEIGHT }, () => headingTerms).flat(), ...this.analyze(w.text)];
      const tf = new Map<string, number>();
      for (const term of terms) tf.set(term, (tf.get(term) ?? 0) + 1);
      for (const [term, count] of tf) {
        let list = growing.get(term);
        if (!list) growing.set(term, (list = { docs: [], tfs: [] }));
        list.docs.push(doc);
        list.tfs.push(count);
      }
      lengths[doc] = terms.length;
      total += terms.length;
    });
    const averageLength = (inputs.length ? total / inputs.length : 0) || 1;
    for (const [term, list] of growing) {
      const tfFactors = new Float32Array(list.tfs.length);
      list.tfs.forEach((tf, i) => {
        const norm = 1 - B + (B * lengths[list.docs[i]!]!) / averageLength;
        tfFactors[i] = (tf * (K1 + 1)) / (tf + K1 * norm);
      });
      this.postings.set(term, { docs: Int32Array.from(list.docs), tfFactors });
    }

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

  /** The chunks the chatbot may use (its sources' chunks), built once per chatbot. */
  private membership(chatbotId: string): Membership {
    let member = this.members.get(chatbotId);
    if (!member) {
      const bits = new Uint8Array(this.chunks.length);
      this.chunks.forEach((chunk, i) => {
        if (chunk.chatbotIds.includes(chatbotId)) bits[i] = 1;
      });
      this.members.set(chatbotId, (member = { bits, rows: new Map() }));
    }
    return member;
  }

  /** Rows of a vector space holding the chatbot's chunks: a scan skips the other chatbots' rows. */
  private rowsOf(member: Membership, dims: number, spaceDocs: Int32Array): Int32Array {
    let rows = member.rows.get(dims);
    if (!rows) {
      const list: number[] = [];
      spaceDocs.forEach((doc, row) => {
        if (member.bits[doc]) list.push(row);
      });
      member.rows.set(dims, (rows = Int32Array.from(list)));
    }
    return rows;
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
    const allowed = this.membership(chatbotId).bits;
    const n = this.chunks.length;
    const { scores, matched, touched } = (this.scratch ??= { scores: new Float64Array(n), matched: new Float64Array(n), touched: new Int32Array(n) });
    let touchedCount = 0;
    let totalWeight = 0;
    for (const term of terms) {
      const weight = this.idf(term);
      totalWeight += weight;
      const list = this.postings.get(term);
      if (!list) continue;
      const { docs, tfFactors } = list;
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i]!;
        if (!allowed[doc]) continue;
        // An IDF is always above 0: a chunk with no matched weight yet is one this query has not seen.
        if (matched[doc] === 0) touched[touchedCount++] = doc;
        scores[doc]! += weight * tfFactors[i]!;
        matched[doc]! += weight;
      }
    }
    const best = new TopK(limit);
    for (let i = 0; i < touchedCount; i++) best.offer(touched[i]!, scores[touched[i]!]!);
    const hits = best.indexes.map((doc, i) => ({ index: doc, bm25: best.scores[i]!, coverage: totalWeight > 0 ? matched[doc]! / totalWeight : 0 }));
    // Back to zero for the next query, touching only what this one touched.
    for (let i = 0; i < touchedCount; i++) {
      scores[touched[i]!] = 0;
      matched[touched[i]!] = 0;
    }
    return hits;
  }

  /** Cosine similarity against every vector of the chatbot's chunks made by the same embedding. */
  searchDense(vector: ArrayLike<number>, chatbotId: string, limit: number): DenseHit[] {
    const space = this.spaces.get(vector.length);
    if (!space) return [];
    const dims = vector.length;
    const rows = this.rowsOf(this.membership(chatbotId), dims, space.docs);
    const query = Float32Array.from(vector);
    let qnorm = 0;
    for (let d = 0; d < dims; d++) qnorm += query[d]! * query[d]!;
    qnorm = Math.sqrt(qnorm) || 1;
    const { docs, matrix } = space;
    // Four running sums: independent additions the CPU can overlap, instead of one long chain.
    const unrolled = dims - (dims % 4);
    const best = new TopK(limit);
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      const base = row * dims;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let d = 0;
      for (; d < unrolled; d += 4) {
        s0 += matrix[base + d]! * query[d]!;
        s1 += matrix[base + d + 1]! * query[d + 1]!;
        s2 += matrix[base + d + 2]! * query[d + 2]!;
        s3 += matrix[base + d + 3]! * query[d + 3]!;
      }
      for (; d < dims; d++) s0 += matrix[base + d]! * query[d]!;
      best.offer(docs[row]!, (s0 + s1 + s2 + s3) / qnorm);
    }
    return best.indexes.map((index, i) => ({ index, cosine: best.scores[i]! }));
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
  private readonly entries = new Map<string, { seq: number; checkedAt: number; index: Promise<WorkspaceIndex> }>();

  constructor(private readonly opts: { withVectors: boolean }) {}

  /** The workspace's index, in sync with MongoDB (one counter read; a rebuild when it moved). */
  async get(workspaceId: string): Promise<WorkspaceIndex> {
    const counter = await CounterModel.findById(knowledgeCounterId(workspaceId)).lean();
    const seq = counter?.seq ?? 0;
    const cached = this.entries.get(workspaceId);
    if (cached && cached.seq === seq) {
      cached.checkedAt = Date.now();
      return cached.index;
    }
    const index = this.load(workspaceId);
    this.entries.set(workspaceId, { seq, checkedAt: Date.now(), index });
    index.catch(() => this.entries.delete(workspaceId));
    return index;
  }

  /**
   * The index as checked less than `maxAgeMs` ago, else as `get`: retrieval checks once per
   * question, and the dense half of the same question needs no second counter read.
   */
  async recent(workspaceId: string, maxAgeMs = 1000): Promise<WorkspaceIndex> {
    const cached = this.entries.get(workspaceId);
    if (cached && Date.now() - cached.checkedAt < maxAgeMs) return cached.index;
    return this.get(workspaceId);
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
