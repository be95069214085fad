/**
 * Plain text and Markdown. Markdown is split into sections by its headings (ATX `#` and setext
 * underlines), each carrying its heading path, and its inline syntax is reduced to the words a
 * customer would search for: emphasis and code marks go, links keep both text and address as
 * "text (url)" so the bot can quote the link. Plain text stays one section: the chunker splits it.
 */
import type { ExtractedDocument, ExtractedSection } from './types';
import { HEADING_SEPARATOR } from './types';

/** Normalizes newlines, trailing spaces and runs of blank lines. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((l) => l.replace(/[ \t\f\v]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function extractTxt(text: string): ExtractedDocument {
  const body = tidyText(text.replace(/^\uFEFF/, ''));
  return { format: 'txt', sections: body ? [{ text: body }] : [] };
}

const ESCAPABLE = '\\`*_{}[]()#+-.!|>~';
// Escaped characters are parked on private-use code points while the syntax is stripped, so
// "\*not emphasis\*" stays literal.
const PARKED = 0xe000;

/** Inline Markdown → plain text. */
export function stripInlineMarkdown(line: string): string {
  return (
    line
      .replace(/\\(.)/g, (whole, c: string) => {
        const i = ESCAPABLE.indexOf(c);
        return i < 0 ? whole : String.fromCharCode(PARKED + i);
      })
      // Images: keep the alt text, drop the picture.
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      // Links: "text (url)"; a link whose text is its address is written once.
      .replace(/\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+["'][^"']*["'])?\s*\)/g, (_m, label: string, url: string) =>
        label.trim() === url ? url : `${label} (${url})`,
      )
      // Reference links and autolinks.
      .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
      .replace(/<((?:https?|mailto):[^>\s]+)>/g, '$1')
      // Inline code, then emphasis (bold before italic so "**x**" is not read as two italics).
      .replace(/`+([^`]+?)`+/g, '$1')
      .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
      .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, '$1$2')
      .replace(/(^|[^\w])_(?=\S)([^_\n]*?\S)_(?!\w)/g, '$1$2')
      .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1')
      .replace(/[\ue000-\ue01f]/g, (c) => ESCAPABLE[c.charCodeAt(0) - PARKED] ?? c)
  );
}

const ATX_HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const ATX_EMPTY_HEADING = /^ {0,3}#{1,6}[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;
const THEMATIC_BREAK = /^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$/;
const TABLE_SEPARATOR = /^ {0,3}\|?[ \t]*:?-{1,}:?[ \t]*(\|[ \t]*:?-{1,}:?[ \t]*)*\|?[ \t]*$/;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s+\S/;
const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;

/** One Markdown body line → its plain-text line (undefined: the line is only syntax). */
function plainLine(line: string): string | undefined {
  if (THEMATIC_BREAK.test(line) || REFERENCE_DEFINITION.test(line) || (TABLE_SEPARATOR.test(line) && line.includes('-'))) {
    return undefined;
  }
  let l = line.replace(/^ {0,3}(>[ \t]?)+/, '');
  const item = LIST_ITEM.exec(l);
  if (item) {
    const marker = /\d/.test(item[2]!) ? item[2]! : '-';
    l = `${item[1]}${marker} ${item[3]!.replace(/^\[[ xX]\]\s+/, '')}`;
  }
  // A pipe-table row: its cells separated by " | ".
  if (/^\s*\|.*\|\s*$/.test(l)) {
    l = l
      .trim()
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim())
      .join(' | ');
  }
  return stripInlineMarkdown(l).replace(/<\/?[a-z][^>]*>/gi, '');
}

interface Heading {
  level: number;
  text: string;
}

export function extractMarkdown(markdown: string): ExtractedDocument {
  const lines = markdown.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const sections: ExtractedSection[] = [];
  const path: Heading[] = [];
  let body: string[] = [];
  let title: string | undefined;
  let fence: string | undefined;

  const flush = () => {
    const text = tidyText(body.join('\n'));
    body = [];
    if (text) sections.push(path.length ? { text, heading: path.map((h) => h.text).join(HEADING_SEPARATOR) } : { text });
  };
  const openHeading = (level: number, raw: string) => {
    flush();
    const text = stripInlineMarkdown(raw).trim();
    if (!text) return;
    while (path.length && path[path.length - 1]!.level >= level) path.pop();
    path.push({ level, text });
    if (level === 1 && title === undefined) title = text;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence) {
      if (line.trimStart().startsWith(fence)) fence = undefined;
      else body.push(line);
      continue;
    }
    const fenceOpen = FENCE.exec(line);
    if (fenceOpen) {
      fence = fenceOpen[1];
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx && !ATX_EMPTY_HEADING.test(line)) {
      openHeading(atx[1]!.length, atx[2]!);
      continue;
    }
    // Setext: a paragraph line underlined with === (level 1) or --- (level 2).
    const next = lines[i + 1];
    if (
      next !== undefined &&
      line.trim() !== '' &&
      SETEXT_UNDERLINE.test(next) &&
      !LIST_ITEM.test(line) &&
      (i === 0 || lines[i - 1]!.trim() === '')
    ) {
      openHeading(next.trim().startsWith('=') ? 1 : 2, line.trim());
      i++;
      continue;
    }
    const plain = plainLine(line);
    if (plain !== undefined) body.push(plain);
  }
  flush();
  return { format: 'md', ...(title ? { title } : {}), sections };
}
