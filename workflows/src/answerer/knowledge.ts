/**
 * Splits a chatbot's knowledge text (plain text or Markdown) into passages: the units the offline
 * answerer searches and quotes. Each passage keeps the heading it sits under, so an answer can cite
 * "Jam buka" and so the heading's words count when searching. Passage text is the knowledge text as
 * written (only blank lines and trailing spaces are tidied): the answerer quotes it and must never
 * reword it.
 */

export interface KnowledgePassage {
  /** The nearest Markdown heading above the passage, or "" for text before any heading. */
  heading: string;
  text: string;
}

/** Short enough to quote whole in a chat bubble; long enough to hold a typical FAQ answer. */
export const MAX_PASSAGE_CHARS = 500;

const ATX_HEADING = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;

interface Section {
  heading: string;
  /** Paragraphs and lists: runs of non-blank lines, as written. */
  blocks: string[];
}

function sectionsOf(knowledgeText: string): Section[] {
  const sections: Section[] = [{ heading: '', blocks: [] }];
  let blockLines: string[] = [];
  const current = () => sections[sections.length - 1]!;
  const endBlock = () => {
    if (blockLines.length > 0) current().blocks.push(blockLines.join('\n'));
    blockLines = [];
  };
  for (const line of knowledgeText.split(/\r?\n/)) {
    const heading = ATX_HEADING.exec(line);
    if (heading) {
      endBlock();
      sections.push({ heading: heading[1]!.replace(/[*_`]/g, '').trim(), blocks: [] });
    } else if (line.trim() === '') {
      endBlock();
    } else {
      blockLines.push(line.trimEnd());
    }
  }
  endBlock();
  return sections.filter((section) => section.blocks.length > 0);
}

/**
 * Where a sentence may end inside a block: after ! or ?, after a full stop unless the word before it
 * looks like an abbreviation ("Jl.", "No.", "dll."; capitals such as "WIB." do end sentences), and
 * at every line break (list items).
 */
function sentenceEnds(block: string): number[] {
  const ends: number[] = [];
  for (const match of block.matchAll(/([.!?…]+)["')\]]*(\s+)/g)) {
    const wordBefore = /(\S+)$/.exec(block.slice(0, match.index))?.[1] ?? '';
    const abbreviation =
      match[1] === '.' && /^\p{L}{1,3}$/u.test(wordBefore) && wordBefore !== wordBefore.toUpperCase();
    if (!abbreviation) ends.push(match.index + match[0].length - match[2]!.length);
  }
  for (const match of block.matchAll(/\n/g)) ends.push(match.index);
  return [...new Set(ends)].sort((a, b) => a - b);
}

/** Cut `text` into pieces of at most `maxChars`, at the given cut points where possible, else between words. */
function cutAt(text: string, cutPoints: number[], maxChars: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > maxChars) {
    const limit = start + maxChars;
    let cut = Math.max(...cutPoints.filter((p) => p > start && p <= limit), -1);
    if (cut < 0) cut = text.lastIndexOf(' ', limit);
    if (cut <= start) cut = limit;
    pieces.push(text.slice(start, cut).trim());
    start = cut;
  }
  pieces.push(text.slice(start).trim());
  return pieces.filter((piece) => piece.length > 0);
}

/** A section's blocks packed into passages: whole blocks together while they fit, long blocks cut at sentences. */
function passageTexts(blocks: string[], maxChars: number): string[] {
  const units = blocks.flatMap((block) => (block.length > maxChars ? cutAt(block, sentenceEnds(block), maxChars) : [block]));
  const texts: string[] = [];
  for (const unit of units) {
    const last = texts[texts.length - 1];
    if (last !== undefined && last.length + 2 + unit.length <= maxChars) texts[texts.length - 1] = `${last}\n\n${unit}`;
    else texts.push(unit);
  }
  return texts;
}

export function splitKnowledge(knowledgeText: string, maxChars = MAX_PASSAGE_CHARS): KnowledgePassage[] {
  return sectionsOf(knowledgeText).flatMap((section) =>
    passageTexts(section.blocks, maxChars).map((text) => ({ heading: section.heading, text })),
  );
}
