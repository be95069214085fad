/**
 * The search-term pipeline shared by the knowledge index and the questions put to it: from
 * tokenized words, drop stopwords, stem, and fold shop synonyms into one concept. Both sides must
 * use the same analyzer (the same root lexicon), or a stem in the question would miss the same
 * stem in a passage.
 */
import { conceptOf } from './synonyms';
import { isStopword } from './stopwords';
import { stemIndonesian } from './stemmer';

/** Search terms of already tokenized words (see `tokenize`): callers tokenize once and reuse the words. */
export type Analyzer = (words: readonly string[]) => string[];

export function createAnalyzer(knownRoots: ReadonlySet<string>): Analyzer {
  // A knowledge text repeats its words many times; each is stemmed once per analyzer.
  const termByWord = new Map<string, string | undefined>();
  const termOf = (word: string): string | undefined => {
    const concept = conceptOf(word);
    if (concept) return concept;
    const stem = stemIndonesian(word, knownRoots);
    // "bisakah" is "bisa" once stemmed: a stopword in disguise.
    if (isStopword(stem)) return undefined;
    return conceptOf(stem) ?? stem;
  };
  const cachedTermOf = (word: string): string | undefined => {
    if (!termByWord.has(word)) termByWord.set(word, termOf(word));
    return termByWord.get(word);
  };
  return (words) => words.filter((word) => word.length > 1 && !isStopword(word)).flatMap((word) => cachedTermOf(word) ?? []);
}
