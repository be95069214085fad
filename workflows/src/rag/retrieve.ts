/**
 * Hybrid retrieval: the chatbot's passages that answer a question, best first, each with its
 * source's name, link and page for citing. Dense vectors (the vector store) and BM25 (the
 * in-process index, with the offline answerer's Indonesian-aware tokenizing and stemming) are
 * both asked; their scores are combined on a fixed 0–1 scale so the chatbot's threshold means the
 * same for every question: below it, the knowledge does not cover the question.
 */
import type { RetrievalSettings } from '@sapa/shared';
import type { EmbeddingProvider } from '../ai/types';
import { tokenize } from '../answerer/tokenize';
import type { KnowledgeIndexCache, WorkspaceIndex } from './knowledge-index';
import type { VectorStore } from './vector-store/types';

export interface RetrievedPassage {
  chunkId: string;
  sourceId: string;
  text: string;
  heading: string;
  /** The source's name or the page's title. */
  title: string;
  url?: string;
  page?: number;
  /** Combined score, 0–1. */
  score: number;
  /** The two halves, for the playground: cosine similarity and the BM25 part. */
  dense: number;
  lexical: number;
  /** The best passage for one of the questions in the customer's message (ranked first). */
  leads?: boolean;
}

export interface RetrievalDeps {
  indexes: Pick<KnowledgeIndexCache, 'get' | 'recent'>;
  store: VectorStore;
  embedder: EmbeddingProvider;
}

export interface RetrievalRequest {
  workspaceId: string;
  chatbotId: string;
  query: string;
  settings: Pick<RetrievalSettings, 'topK' | 'minScore'>;
}

/** Candidates each half contributes before fusion. */
const CANDIDATES = 30;
/** Weight of the dense half in the combined score (the rest is BM25). */
const DENSE_WEIGHT = 0.5;
/** Two passages sharing this much of their words are the same passage (a page repeated across a site). */
const NEAR_DUPLICATE = 0.85;

/**
 * Cosine similarity on a 0–1 scale comparable across embeddings: the local embedding's cosine is
 * already lexical overlap; provider embeddings rate unrelated text around 0.1–0.25, so their
 * scale starts higher.
 */
function denseScore(cosine: number, embedder: EmbeddingProvider): number {
  const floor = embedder.id === 'local' ? 0 : 0.2;
  return Math.min(1, Math.max(0, (cosine - floor) / (1 - floor)));
}

/**
 * BM25's contribution: how much of the question's weight the passage holds (coverage), scaled by
 * how it ranks against the best passage. Coverage is what tells "covered" from "shares a word".
 */
function lexicalScore(coverage: number, bm25: number, bestBm25: number): number {
  return coverage * (0.5 + (0.5 * bm25) / (bestBm25 || 1));
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

/** The first `limit` passages that are not near-duplicates of an earlier one. */
function dedupe(passages: RetrievedPassage[], limit: number): RetrievedPassage[] {
  const kept: Array<{ passage: RetrievedPassage; words: Set<string> }> = [];
  for (const passage of passages) {
    // Tokenizing is the costly part: stop once enough are kept rather than reading every candidate.
    if (kept.length >= limit) break;
    const words = new Set(tokenize(passage.text));
    if (kept.some((k) => jaccard(k.words, words) >= NEAR_DUPLICATE)) continue;
    kept.push({ passage, words });
  }
  return kept.map((k) => k.passage);
}

async function searchOne(deps: RetrievalDeps, index: WorkspaceIndex, request: RetrievalRequest, query: string): Promise<RetrievedPassage[]> {
  const lexical = index.searchLexical(query, request.chatbotId, CANDIDATES);
  const [queryVector] = (await deps.embedder.embed([query], 'query')).vectors;
  const dense = queryVector ? await deps.store.query(request.workspaceId, { vector: queryVector, topK: CANDIDATES, chatbotId: request.chatbotId }) : [];

  const bestBm25 = lexical[0]?.bm25 ?? 0;
  const byIndex = new Map<number, { dense: number; lexical: number }>();
  for (const hit of lexical) byIndex.set(hit.index, { dense: 0, lexical: lexicalScore(hit.coverage, hit.bm25, bestBm25) });
  for (const match of dense) {
    const i = index.indexOf(match.id);
    if (i < 0) continue; // a vector whose chunk is gone (being deleted): never cite it
    const entry = byIndex.get(i) ?? { dense: 0, lexical: 0 };
    entry.dense = denseScore(match.score, deps.embedder);
    byIndex.set(i, entry);
  }
  const passages: RetrievedPassage[] = [];
  for (const [i, s] of byIndex) {
    const chunk = index.chunks[i]!;
    if (!chunk.chatbotIds.includes(request.chatbotId)) continue;
    const score = DENSE_WEIGHT * s.dense + (1 - DENSE_WEIGHT) * s.lexical;
    passages.push({
      chunkId: chunk.id,
      sourceId: chunk.sourceId,
      text: chunk.text,
      heading: chunk.heading,
      title: chunk.title,
      ...(chunk.url ? { url: chunk.url } : {}),
      ...(chunk.page !== undefined ? { page: chunk.page } : {}),
      score,
      dense: s.dense,
      lexical: s.lexical,
    });
  }
  return passages.filter((p) => p.score >= request.settings.minScore);
}

/**
 * A batch often holds separate questions ("jam buka?", "ongkir ke bandung?"): each is searched on
 * its own as well as the whole, and a passage keeps its best score.
 */
function partsOf(question: string): string[] {
  return question.split(/\n|[?!]+/).map((p) => p.trim()).filter((p) => tokenize(p).length > 0);
}

export async function retrieve(deps: RetrievalDeps, request: RetrievalRequest): Promise<RetrievedPassage[]> {
  const index = await deps.indexes.get(request.workspaceId);
  if (index.chunks.length === 0) return [];
  const parts = partsOf(request.query);
  const best = new Map<string, RetrievedPassage>();
  /** The best passage of each question of the batch: every question gets its answer near the top. */
  const leaders = new Set<string>();
  for (const query of parts.length > 1 ? [request.query, ...parts] : [request.query]) {
    const found = await searchOne(deps, index, request, query);
    for (const passage of found) {
      const seen = best.get(passage.chunkId);
      if (!seen || seen.score < passage.score) best.set(passage.chunkId, passage);
    }
    const top = found.reduce<RetrievedPassage | undefined>((a, p) => (!a || p.score > a.score ? p : a), undefined);
    if (top && (parts.length <= 1 || query !== request.query)) leaders.add(top.chunkId);
  }
  const byScore = (a: RetrievedPassage, b: RetrievedPassage) => b.score - a.score || a.chunkId.localeCompare(b.chunkId);
  const all = [...best.values()];
  const ranked = [
    ...all.filter((p) => leaders.has(p.chunkId)).sort(byScore).map((p) => ({ ...p, leads: true })),
    ...all.filter((p) => !leaders.has(p.chunkId)).sort(byScore),
  ];
  return dedupe(ranked, request.settings.topK);
}
