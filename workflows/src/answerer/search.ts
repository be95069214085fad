/**
 * BM25 search over a knowledge text's passages, with a relevance threshold: the offline answerer
 * quotes only what this returns, so "nothing found" must really mean the knowledge does not cover
 * the question ("siapa presiden pertama?") rather than "something shared a word with it".
 */
import { createAnalyzer, type Analyzer } from './analyzer';
import { bm25Score, buildBm25Corpus, inverseDocumentFrequency, type Bm25Corpus } from './bm25';
import { splitKnowledge, type KnowledgePassage } from './knowledge';
import { rootLexicon } from './stemmer';
import { tokenize } from './tokenize';

export interface SearchHit {
  heading: string;
  text: string;
  /** BM25 score: comparable between passages of one knowledge text for one query, not across them. */
  score: number;
  /** Share of the query's weight (IDF) that this passage contains, from 0 to 1. */
  coverage: number;
}

export interface SearchOptions {
  /** The most passages to return. */
  topK?: number;
  /** The lowest BM25 score that counts; it screens out matches on words that are in every passage. */
  minScore?: number;
  /**
   * The lowest coverage that counts. A question about something else shares a word or two with the
   * knowledge at most ("presiden pertama *indonesia*"), while its own specific words, which weigh
   * the most, match nothing.
   */
  minCoverage?: number;
}

export const DEFAULT_SEARCH_OPTIONS: Required<SearchOptions> = { topK: 3, minScore: 0.5, minCoverage: 0.45 };

/** A heading names its passage's topic, so its words count as much as if written twice. */
const HEADING_WEIGHT = 2;

export interface KnowledgeIndex {
  passages: readonly KnowledgePassage[];
  search(query: string, options?: SearchOptions): SearchHit[];
}

function coverageOf(corpus: Bm25Corpus, index: number, queryTerms: readonly string[]): number {
  const termFrequency = corpus.documents[index]!.termFrequency;
  let total = 0;
  let matched = 0;
  for (const term of queryTerms) {
    const weight = inverseDocumentFrequency(corpus, term);
    total += weight;
    if (termFrequency.has(term)) matched += weight;
  }
  return total > 0 ? matched / total : 0;
}

interface PassageWords {
  heading: string[];
  text: string[];
}

function passageTerms(analyze: Analyzer, words: PassageWords): string[] {
  const headingTerms = analyze(words.heading);
  return [...Array.from({ length: HEADING_WEIGHT }, () => headingTerms).flat(), ...analyze(words.text)];
}

/** Index a knowledge text once, to search it with several queries. */
export function createKnowledgeIndex(knowledgeText: string): KnowledgeIndex {
  const passages = splitKnowledge(knowledgeText);
  const words = passages.map((passage) => ({ heading: tokenize(passage.heading), text: tokenize(passage.text) }));
  const analyze = createAnalyzer(rootLexicon(new Set(words.flatMap((w) => [...w.heading, ...w.text]))));
  const corpus = buildBm25Corpus(words.map((w) => passageTerms(analyze, w)));

  return {
    passages,
    search(query, options = {}) {
      const { topK, minScore, minCoverage } = { ...DEFAULT_SEARCH_OPTIONS, ...options };
      const queryTerms = [...new Set(analyze(tokenize(query)))];
      if (queryTerms.length === 0) return [];
      return passages
        .map((passage, i) => ({
          heading: passage.heading,
          text: passage.text,
          score: bm25Score(corpus, i, queryTerms),
          coverage: coverageOf(corpus, i, queryTerms),
        }))
        .filter((hit) => hit.score >= minScore && hit.coverage >= minCoverage)
        .sort((a, b) => b.score - a.score) // stable: equal scores keep the knowledge text's order
        .slice(0, topK);
    },
  };
}

/** The passages of `knowledgeText` that answer `query`, best first; empty when none is relevant enough. */
export function searchKnowledge(knowledgeText: string, query: string, options?: SearchOptions): SearchHit[] {
  return createKnowledgeIndex(knowledgeText).search(query, options);
}
