/**
 * Okapi BM25 over documents that are already lists of terms. Kept apart from the text handling so
 * a later hybrid retriever can reuse the scoring beside dense vectors.
 */

/** Term-frequency saturation: how quickly repeating a word stops adding to the score. */
const K1 = 1.2;
/** How strongly a long document is penalised for being long. */
const B = 0.75;

interface ScoredDocument {
  termFrequency: ReadonlyMap<string, number>;
  length: number;
}

export interface Bm25Corpus {
  documents: readonly ScoredDocument[];
  documentFrequency: ReadonlyMap<string, number>;
  averageLength: number;
}

export function buildBm25Corpus(documents: ReadonlyArray<readonly string[]>): Bm25Corpus {
  const documentFrequency = new Map<string, number>();
  const scored = documents.map((terms) => {
    const termFrequency = new Map<string, number>();
    for (const term of terms) termFrequency.set(term, (termFrequency.get(term) ?? 0) + 1);
    for (const term of termFrequency.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    return { termFrequency, length: terms.length };
  });
  const totalLength = scored.reduce((sum, d) => sum + d.length, 0);
  return { documents: scored, documentFrequency, averageLength: scored.length ? totalLength / scored.length : 0 };
}

/**
 * How much finding `term` tells apart one document from the rest (the BM25 "plus one" form, never
 * negative). A term found nowhere gets the highest value, as the most specific word of a question.
 */
export function inverseDocumentFrequency(corpus: Bm25Corpus, term: string): number {
  const n = corpus.documents.length;
  const df = corpus.documentFrequency.get(term) ?? 0;
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** The BM25 score of document `index` for a set of distinct query terms. */
export function bm25Score(corpus: Bm25Corpus, index: number, queryTerms: Iterable<string>): number {
  const document = corpus.documents[index];
  if (!document) return 0;
  const lengthNorm = 1 - B + (B * document.length) / (corpus.averageLength || 1);
  let score = 0;
  for (const term of queryTerms) {
    const tf = document.termFrequency.get(term) ?? 0;
    if (tf === 0) continue;
    score += (inverseDocumentFrequency(corpus, term) * tf * (K1 + 1)) / (tf + K1 * lengthNorm);
  }
  return score;
}
