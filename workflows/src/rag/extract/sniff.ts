/**
 * Decides what an uploaded file really is from its bytes, never from its name: owners upload
 * renamed files, phones add `.txt` to everything, and a PNG called `harga.pdf` must get a clear
 * "unsupported" instead of a parser crash. The name only breaks ties between the plain-text
 * formats (md / txt / csv), where the content alone can be ambiguous.
 *
 * Text is decoded here too (UTF-8, UTF-8/UTF-16 with a BOM, and legacy Windows-1252 that Excel
 * and old Notepad still write), so the text extractors get a string.
 */
import type { DocumentFormat } from './types';
import { ExtractionError } from './types';

export interface SniffResult {
  format: DocumentFormat;
  /** The decoded text, for the text formats (txt, md, csv, html). */
  text?: string;
}

/** What `sniffDocument` knows about a file's name: only the formats the name may vouch for. */
type TextHint = 'md' | 'txt' | 'csv';

const HINTS: Record<string, TextHint> = {
  md: 'md',
  markdown: 'md',
  mdown: 'md',
  mkd: 'md',
  txt: 'txt',
  text: 'txt',
  csv: 'csv',
  tsv: 'csv',
};

function hintFromName(name: string | undefined): TextHint | undefined {
  const ext = name?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  return ext ? HINTS[ext] : undefined;
}

const startsWith = (bytes: Uint8Array, signature: number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Well-known binary formats, named so the error says what the file is. */
const BINARY_SIGNATURES: Array<{ what: string; test: (b: Uint8Array) => boolean }> = [
  { what: 'a PNG image', test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { what: 'a JPEG image', test: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { what: 'a GIF image', test: (b) => startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a')) },
  { what: 'a WebP image', test: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8) },
  { what: 'a TIFF image', test: (b) => startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]) },
  { what: 'an image, audio or video file (ISO media)', test: (b) => startsWith(b, ascii('ftyp'), 4) },
  { what: 'an audio file', test: (b) => startsWith(b, [...ascii('OggS'), 0]) || (startsWith(b, ascii('ID3')) && (b[3] ?? 0xff) < 0x10) },
  { what: 'a Windows program', test: (b) => startsWith(b, ascii('MZ')) && b.subarray(0, 64).includes(0) },
  { what: 'a Linux program', test: (b) => startsWith(b, [0x7f, 0x45, 0x4c, 0x46]) },
  { what: 'a gzip archive', test: (b) => startsWith(b, [0x1f, 0x8b]) },
  { what: 'a RAR archive', test: (b) => startsWith(b, ascii('Rar!')) },
  { what: 'a 7-Zip archive', test: (b) => startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
];

const unsupported = (what: string) =>
  new ExtractionError(
    'unsupported_type',
    `The file is ${what}; supported types are PDF, DOCX, TXT, Markdown, CSV and HTML.`,
  );

/**
 * `%PDF-` starts a PDF. Readers also accept some junk before it (within the first KiB); then the
 * file must also end like a PDF, so a text note that mentions "%PDF-" stays text.
 */
function isPdf(bytes: Uint8Array): boolean {
  if (startsWith(bytes, ascii('%PDF-'))) return true;
  const header = asBuffer(bytes.subarray(0, 1024)).indexOf('%PDF-');
  return header > 0 && asBuffer(bytes.subarray(Math.max(0, bytes.length - 2048))).includes('startxref');
}

// ---------------------------------------------------------------------------------------------
// ZIP: a DOCX is a ZIP holding word/document.xml. The central directory at the end lists every
// entry's name, so reading it is enough; nothing is decompressed.

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_ENTRY_SIGNATURE = 0x02014b50;
const MAX_ZIP_ENTRIES = 100_000;

/** Entry names from the ZIP central directory, or undefined when the archive is damaged. */
export function zipEntryNames(bytes: Uint8Array): string[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is 22 bytes plus a comment of up to 64 KiB.
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= lowest; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const entries = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const names: string[] = [];
  const decoder = new TextDecoder();
  // ZIP64 archives (offset 0xFFFFFFFF) are far beyond the upload limit, so they count as damaged.
  for (let n = 0; n < Math.min(entries, MAX_ZIP_ENTRIES); n++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== CENTRAL_ENTRY_SIGNATURE) return undefined;
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    if (offset + 46 + nameLength > bytes.length) return undefined;
    names.push(decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength)));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

function sniffZip(bytes: Uint8Array): DocumentFormat {
  const names = zipEntryNames(bytes);
  if (!names) throw new ExtractionError('corrupt', 'The ZIP/DOCX archive is damaged (no readable central directory).');
  const has = (name: string) => names.includes(name);
  if (has('word/document.xml')) return 'docx';
  if (has('xl/workbook.xml')) throw unsupported('an Excel workbook (export it as CSV)');
  if (has('ppt/presentation.xml')) throw unsupported('a PowerPoint presentation (save it as PDF)');
  if (has('mimetype') && has('content.xml')) throw unsupported('an OpenDocument file (save it as DOCX or PDF)');
  throw unsupported('a ZIP archive that is not a Word document');
}

// An Office file protected with a password is no longer a ZIP: it is an OLE compound file whose
// "EncryptedPackage" stream holds the encrypted ZIP. Directory entry names are UTF-16LE.
const OLE_SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

function sniffOle(bytes: Uint8Array): never {
  if (asBuffer(bytes).includes(ENCRYPTED_PACKAGE)) {
    throw new ExtractionError('encrypted', 'The Office document is password-protected; remove the password and upload it again.');
  }
  throw unsupported('a legacy Office document (.doc/.xls/.ppt; save it as DOCX or PDF)');
}

// ---------------------------------------------------------------------------------------------
// Text decoding

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];

/** C0 control characters that never appear in text files (tab, newlines, form feed, escape are fine). */
function isBinaryControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0b && code !== 0x0c && code !== 0x0d && code !== 0x1b) || code === 0x7f;
}

function looksBinary(text: string): boolean {
  let controls = 0;
  const sample = text.length > 65_536 ? text.slice(0, 65_536) : text;
  for (let i = 0; i < sample.length; i++) if (isBinaryControl(sample.charCodeAt(i))) controls++;
  return controls > sample.length / 100;
}

// Windows-1252 is Latin-1 except 0x80–0x9F, which hold typographic characters (“ ” – € …).
// Node's TextDecoder('windows-1252') decodes those as C1 controls, so they are mapped here.
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = Array.from(bytes.subarray(i, i + 8192), (b) =>
      b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b),
    );
    out += chunk.join('');
  }
  return out;
}

/**
 * Decodes a text file, or returns undefined when the bytes are not text. Without a BOM the bytes
 * must be valid UTF-8, or — for files Excel/Notepad saved in the Windows code page — mostly
 * ASCII with no control bytes, which decodes as Windows-1252.
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  let text: string;
  if (startsWith(bytes, UTF8_BOM)) {
    text = new TextDecoder('utf-8').decode(bytes.subarray(3));
  } else if (startsWith(bytes, UTF16LE_BOM)) {
    text = new TextDecoder('utf-16le').decode(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
  } else if (startsWith(bytes, UTF16BE_BOM)) {
    text = new TextDecoder('utf-16be').decode(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
  } else {
    if (bytes.includes(0)) return undefined;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      let high = 0;
      for (const b of bytes) {
        if (b >= 0x80) high++;
        else if (isBinaryControl(b)) return undefined;
      }
      if (high > bytes.length * 0.3) return undefined;
      text = decodeWindows1252(bytes);
    }
  }
  if (looksBinary(text)) return undefined;
  return text;
}

// ---------------------------------------------------------------------------------------------
// Which text format

const HTML_DOCUMENT = /<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]/i;
const HTML_BLOCK_TAG = /<(p|div|h[1-6]|ul|ol|li|table|tr|td|th|section|article|main|header|footer|nav|br|blockquote)\b[^>]*>/gi;
const XML_DOCUMENT = /^<\?xml|^<svg[\s>]|^<rss[\s>]|^<feed[\s>]/i;

function looksLikeHtml(head: string): boolean {
  if (HTML_DOCUMENT.test(head)) return true;
  const tags = head.match(HTML_BLOCK_TAG)?.length ?? 0;
  // A fragment that opens with markup, or prose with several block tags ("<p>…</p><p>…</p>").
  return (head.trimStart().startsWith('<') && tags >= 2) || tags >= 5;
}

export interface CsvShape {
  delimiter: ',' | ';' | '\t';
  /** Delimiters per line in most lines. */
  count: number;
  /** Share of the sampled lines that have exactly `count` delimiters (0..1). */
  consistency: number;
  lines: number;
}

const DELIMITERS = [',', ';', '\t'] as const;

/** Counts a delimiter outside double quotes (a quoted cell may hold the delimiter). */
function countDelimiter(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === delimiter && !quoted) count++;
  }
  return count;
}

/** How table-like the text is: the delimiter that splits the most lines into the same number of cells. */
export function csvShape(text: string): CsvShape | undefined {
  const lines = text
    .slice(0, 65_536)
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, 100);
  if (lines.length < 2) return undefined;
  let best: CsvShape | undefined;
  for (const delimiter of DELIMITERS) {
    const counts = lines.map((l) => countDelimiter(l, delimiter));
    const tally = new Map<number, number>();
    for (const c of counts) tally.set(c, (tally.get(c) ?? 0) + 1);
    const [count, times] = [...tally.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
    if (count < 1) continue;
    const consistency = times / lines.length;
    // Prose: "Halo, saya mau tanya." has one comma per line, followed by a space.
    if (count === 1 && delimiter !== '\t') {
      const spaced = lines.filter((l) => l.includes(`${delimiter} `)).length;
      if (spaced > lines.length / 2) continue;
    }
    if (!best || consistency > best.consistency || (consistency === best.consistency && count > best.count)) {
      best = { delimiter, count, consistency, lines: lines.length };
    }
  }
  return best && best.consistency >= 0.8 ? best : undefined;
}

interface MarkdownSignals {
  /** ATX headings, links, code fences or pipe tables: only Markdown writes these. */
  strong: number;
  /** List items and emphasis: plain notes use them too. */
  weak: number;
}

function markdownSignals(text: string): MarkdownSignals {
  const count = (re: RegExp) => text.match(re)?.length ?? 0;
  return {
    strong:
      count(/^ {0,3}#{1,6}[ \t]+\S/gm) +
      count(/\[[^\]\n]+\]\([^)\s]+\)/g) +
      count(/^ {0,3}(```|~~~)/gm) +
      count(/^ {0,3}\|?\s*:?-{3,}:?\s*\|/gm),
    weak: count(/^ {0,3}([-*+]|\d{1,3}[.)])[ \t]+\S/gm) + count(/(\*\*|__)\S[^\n]*?\S\1/g),
  };
}

function classifyText(text: string, hint: TextHint | undefined): DocumentFormat {
  const head = text.slice(0, 65_536);
  if (looksLikeHtml(head)) return 'html';
  if (XML_DOCUMENT.test(head.trimStart())) throw unsupported('an XML document');

  const csv = csvShape(text);
  const md = markdownSignals(head);
  let content: DocumentFormat;
  if (csv && md.strong === 0) content = 'csv';
  else if (md.strong > 0 || md.weak > 0) content = 'md';
  else content = 'txt';

  switch (hint) {
    case 'md':
      return 'md';
    case 'csv':
      return content === 'md' && md.strong > 0 ? 'md' : 'csv';
    case 'txt':
      // Excel's "Text (Tab delimited)" export is a .txt file that is really a table.
      if (content === 'csv' && csv && csv.consistency === 1 && csv.lines >= 3) return 'csv';
      return content === 'md' && md.strong > 0 ? 'md' : 'txt';
    default:
      return content;
  }
}

// ---------------------------------------------------------------------------------------------

/** Sniffs the format and decodes text formats. Throws `empty`, `unsupported_type`, `encrypted` or `corrupt`. */
export function sniffDocument(bytes: Uint8Array, nameHint?: string): SniffResult {
  if (bytes.length === 0) throw new ExtractionError('empty', 'The file is empty.');

  if (isPdf(bytes)) return { format: 'pdf' };
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    return { format: sniffZip(bytes) };
  }
  if (startsWith(bytes, OLE_SIGNATURE)) sniffOle(bytes);
  const known = BINARY_SIGNATURES.find((s) => s.test(bytes));
  if (known) throw unsupported(known.what);

  const text = decodeText(bytes);
  if (text === undefined) throw unsupported('binary data, not text');
  if (text.trim() === '') throw new ExtractionError('empty', 'The file has no text (only whitespace).');
  return { format: classifyText(text, hintFromName(nameHint)), text };
}

/** The document format from the content (see `sniffDocument`). */
export function sniffFormat(bytes: Uint8Array, nameHint?: string): DocumentFormat {
  return sniffDocument(bytes, nameHint).format;
}
