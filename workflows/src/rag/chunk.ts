/**
 * Cuts an extracted document into chunks: the passages retrieval returns and answers cite.
 * Token-aware (sizes are in tokens of a real tokenizer), never across a heading or a PDF page (so
 * every chunk can name its heading and page), cut at sentence and line ends, with an overlap of
 * whole sentences from the end of the previous chunk so a fact split by a cut is still found.
 */
import { countTokens } from '../ai/tokens';
import type { ExtractedSection } from './extract/types';

export interface ChunkOptions {
  /** Largest chunk, in tokens. */
  chunkTokens: number;
  /** Tokens repeated from the end of the previous chunk of the same section. */
  overlapTokens: number;
}

export interface TextChunk {
  text: string;
  heading: string;
  page?: number;
  tokens: number;
}

/**
 * Sentences and lines of a section: the smallest units a chunk is made of. A sentence ends at
 * . ! ? followed by a space and a capital or digit; a cut after an abbreviation ("Jl. Braga") is
 * harmless because units of one line are joined again with the space they had.
 */
function unitsOf(text: string): Array<{ text: string; newLine: boolean }> {
  const units: Array<{ text: string; newLine: boolean }> = [];
  for (const line of text.split(/\n+/)) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    trimmed
      .split(/(?<=[.!?…])\s+(?=[\p{Lu}\p{N}"'(])/u)
      .filter(Boolean)
      .forEach((sentence, i) => units.push({ text: sentence, newLine: i === 0 }));
  }
  return units;
}

/** A unit longer than a chunk (a table row, a run-on paragraph) is cut between words. */
function splitLongUnit(unit: string, maxTokens: number): string[] {
  const words = unit.split(/\s+/);
  const pieces: string[] = [];
  let start = 0;
  while (start < words.length) {
    // Estimate by words, then correct with the exact count of the joined piece.
    let end = start;
    let estimate = 0;
    while (end < words.length && (end === start || estimate + countTokens(` ${words[end]}`) <= maxTokens)) {
      estimate += countTokens(` ${words[end]}`);
      end++;
    }
    while (end - start > 1 && countTokens(words.slice(start, end).join(' ')) > maxTokens) end--;
    pieces.push(words.slice(start, end).join(' '));
    start = end;
  }
  return pieces;
}

/** The end of a unit, whole words, within `maxTokens`: the overlap when no whole unit fits in it. */
function tailOf(unit: Unit, maxTokens: number): Unit | null {
  const words = unit.text.split(/\s+/);
  let tail = '';
  for (let i = words.length - 1; i > 0; i--) {
    const candidate = words.slice(i).join(' ');
    if (countTokens(candidate) > maxTokens) break;
    tail = candidate;
  }
  return tail ? { text: tail, tokens: countTokens(tail), newLine: true } : null;
}

interface Unit {
  text: string;
  tokens: number;
  /** Starts a line of the source text (else it continues the line of the unit before). */
  newLine: boolean;
}

function chunkSection(section: ExtractedSection, options: ChunkOptions): TextChunk[] {
  const units: Unit[] = unitsOf(section.text).flatMap(({ text, newLine }) => {
    const tokens = countTokens(text);
    if (tokens <= options.chunkTokens) return [{ text, tokens, newLine }];
    return splitLongUnit(text, options.chunkTokens).map((piece, i) => ({ text: piece, tokens: countTokens(piece), newLine: newLine && i === 0 }));
  });
  const chunks: TextChunk[] = [];
  let current: Unit[] = [];
  let tokens = 0;
  const emit = () => {
    chunks.push({
      text: current.map((u, i) => (i === 0 ? u.text : `${u.newLine ? '\n' : ' '}${u.text}`)).join(''),
      heading: section.heading ?? '',
      ...(section.page !== undefined ? { page: section.page } : {}),
      tokens,
    });
  };
  for (const unit of units) {
    if (current.length > 0 && tokens + unit.tokens > options.chunkTokens) {
      emit();
      // Carry whole units from the end of this chunk while they fit in the overlap.
      const carried: Unit[] = [];
      let carriedTokens = 0;
      for (let i = current.length - 1; i >= 0; i--) {
        const u = current[i]!;
        if (carriedTokens + u.tokens > options.overlapTokens || carriedTokens + u.tokens + unit.tokens > options.chunkTokens) break;
        carried.unshift(u);
        carriedTokens += u.tokens;
      }
      if (carried.length === 0 && options.overlapTokens > 0) {
        const tail = tailOf(current[current.length - 1]!, Math.min(options.overlapTokens, options.chunkTokens - unit.tokens));
        if (tail) {
          carried.push(tail);
          carriedTokens = tail.tokens;
        }
      }
      current = carried;
      tokens = carriedTokens;
    }
    current.push(unit);
    tokens += unit.tokens;
  }
  if (current.length > 0) emit();
  return chunks;
}

/**
 * Chunks of a document, in reading order. Consecutive small sections under the same heading and
 * page (paragraphs split by the extractor) are packed together first, so a chunk is not a lone line.
 */
export function chunkDocument(sections: readonly ExtractedSection[], options: ChunkOptions): TextChunk[] {
  const merged: ExtractedSection[] = [];
  for (const section of sections) {
    if (!section.text.trim()) continue;
    const last = merged[merged.length - 1];
    if (last && last.heading === section.heading && last.page === section.page) {
      last.text = `${last.text}\n${section.text}`;
    } else {
      merged.push({ ...section });
    }
  }
  return merged.flatMap((section) => chunkSection(section, options));
}
