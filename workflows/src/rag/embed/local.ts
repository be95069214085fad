/**
 * The embedded default embedding: deterministic, offline, no model download. A text becomes a
 * 256-dimension vector by feature hashing of what the offline answerer already understands:
 * analyzed terms (informal spellings expanded, Indonesian stems, shop synonyms folded), pairs of
 * neighbouring terms, and character trigrams of each word, so a misspelling ("pengirimn") still
 * shares most of its features with the right word. It is a lexical embedding, not a semantic one:
 * retrieval pairs it with BM25 (hybrid) and it is honest about what it is in the dashboard.
 */
import { DEFAULT_EMBEDDING_MODELS } from '@sapa/shared';
import type { EmbeddingProvider } from '../../ai/types';
import { createAnalyzer } from '../../answerer/analyzer';
import { tokenize } from '../../answerer/tokenize';

export const LOCAL_EMBEDDING_DIMENSIONS = 256;
/** Its name (bumped whenever the features change: pages embedded by another version are embedded again). */
export const LOCAL_EMBEDDING_MODEL = DEFAULT_EMBEDDING_MODELS.local;

const TERM_WEIGHT = 1;
const PAIR_WEIGHT = 0.5;
const TRIGRAM_WEIGHT = 0.25;

// Stemming with the built-in root list only: a vector must not depend on which corpus is indexed.
const analyze = createAnalyzer(new Set());

/** FNV-1a, 32 bits: fast, stable across processes and versions (the vectors are stored). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function add(vector: Float32Array, feature: string, weight: number) {
  const h = hash(feature);
  // One bit of the hash picks the sign, so colliding features cancel out instead of piling up.
  vector[h % LOCAL_EMBEDDING_DIMENSIONS]! += h & 0x80000000 ? -weight : weight;
}

export function embedLocal(text: string): Float32Array {
  const vector = new Float32Array(LOCAL_EMBEDDING_DIMENSIONS);
  const words = tokenize(text);
  const terms = analyze(words);
  for (const term of terms) add(vector, `t:${term}`, TERM_WEIGHT);
  for (let i = 1; i < terms.length; i++) add(vector, `p:${terms[i - 1]} ${terms[i]}`, PAIR_WEIGHT);
  for (const word of words) {
    if (word.length < 4) continue;
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(vector, `c:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}

export function createLocalEmbeddings(): EmbeddingProvider {
  return {
    id: 'local',
    model: LOCAL_EMBEDDING_MODEL,
    async embed(texts) {
      return { vectors: texts.map((text) => Array.from(embedLocal(text))), tokens: 0 };
    },
  };
}
