/**
 * PDF text extraction with pdf.js (the legacy build, which runs in Node). pdf.js hands back text
 * runs with positions; they are joined into lines (a new line when the baseline moves, a space
 * where there is a horizontal gap) and paragraphs (a larger vertical gap), one or more sections
 * per page with the page number kept for citations. Lines in clearly larger type than the body
 * text are taken as headings, nested by size, and carried across pages.
 *
 * Runs in-process: in Node pdf.js uses its "fake worker" (no worker thread), loads fonts and
 * CMaps from node_modules, never from the network, and never evaluates font programs.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { ExtractedDocument, ExtractedSection } from './types';
import { ExtractionError, HEADING_SEPARATOR } from './types';

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type TextContentItem = Awaited<ReturnType<PDFPageProxy['getTextContent']>>['items'][number];
type TextItem = Extract<TextContentItem, { str: string }>;

const PDFJS_ROOT = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
// pdf.js factories in Node read these with fs; the trailing slash is required.
const assetDir = (name: string) => join(PDFJS_ROOT, name) + '/';

let pdfjs: Promise<PdfJs> | undefined;

/** pdf.js is large; it loads on the first PDF, not when the worker process starts. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs').then((lib) => {
    // Node has no Web Workers, so pdf.js runs its worker code in this thread; point it at the
    // file explicitly so it does not depend on how this module was loaded or bundled.
    lib.GlobalWorkerOptions.workerSrc = pathToFileURL(join(PDFJS_ROOT, 'legacy/build/pdf.worker.mjs')).href;
    return lib;
  });
  return pdfjs;
}

interface PdfLine {
  text: string;
  /** Font size in points (the text matrix's vertical scale). */
  size: number;
  /** Baseline, in PDF user space (grows upwards). */
  y: number;
  /** Where the line starts and its last run ends, horizontally. */
  start: number;
  end: number;
}

interface PdfPageLines {
  page: number;
  lines: PdfLine[];
}

/** Joins a page's text runs into lines by position. */
export function linesFromItems(items: TextItem[]): PdfLine[] {
  const lines: PdfLine[] = [];
  let current: PdfLine | undefined;
  let endX = 0;
  let breakNext = false;
  for (const item of items) {
    const [a = 0, b = 0, c = 0, d = 0, x = 0, y = 0] = item.transform as number[];
    const size = Math.hypot(c, d) || Math.hypot(a, b) || item.height;
    if (item.str === '') {
      if (item.hasEOL) breakNext = true;
      continue;
    }
    const sameLine = current && !breakNext && Math.abs(y - current.y) <= Math.max(size, current.size) * 0.5;
    if (!current || !sameLine) {
      if (current && current.text.trim()) lines.push(current);
      current = { text: item.str, size, y, start: x, end: x + item.width };
    } else {
      const gap = x - endX;
      const needsSpace = gap > size * 0.15 && !current.text.endsWith(' ') && !item.str.startsWith(' ');
      current.text += (needsSpace ? ' ' : '') + item.str;
      current.size = Math.max(current.size, size);
      current.end = Math.max(current.end, x + item.width);
    }
    endX = x + item.width;
    breakNext = item.hasEOL;
  }
  if (current && current.text.trim()) lines.push(current);
  return lines.map((l) => ({ ...l, text: l.text.replace(/\s+/g, ' ').trim() }));
}

/** The size most of the text is set in: everything clearly larger is a heading. */
function bodyTextSize(pages: PdfPageLines[]): number {
  const chars = new Map<number, number>();
  for (const { lines } of pages) {
    for (const line of lines) {
      const size = Math.round(line.size * 2) / 2;
      chars.set(size, (chars.get(size) ?? 0) + line.text.length);
    }
  }
  return [...chars.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? 0;
}

const HEADING_SIZE_RATIO = 1.15;
const MAX_HEADING_CHARS = 120;

/** Turns positioned lines into sections: paragraphs by vertical gaps, headings by type size. */
export function sectionsFromPages(pages: PdfPageLines[]): ExtractedSection[] {
  const body = bodyTextSize(pages);
  const isHeading = (line: PdfLine) =>
    body > 0 && line.size >= body * HEADING_SIZE_RATIO && line.text.length <= MAX_HEADING_CHARS && /\p{L}/u.test(line.text);
  const path: Array<{ size: number; text: string }> = [];
  const sections: ExtractedSection[] = [];

  for (const { page, lines } of pages) {
    const rightMargin = Math.max(0, ...lines.map((l) => l.end));
    const leftMargin = Math.min(rightMargin, ...lines.map((l) => l.start));
    // A line that runs (nearly: the next word did not fit) to the right margin and does not end
    // a sentence was wrapped by the layout, so it is joined with the line that continues it.
    const wraps = (line: PdfLine, next: PdfLine) =>
      line.end >= rightMargin - 0.15 * (rightMargin - leftMargin) && !/[.:;!?]$/.test(line.text) && !/^([-•*–]|\d+[.)])\s/.test(next.text);
    let text: string[] = [];
    let previous: PdfLine | undefined;
    let previousWasHeading = false;
    const flush = () => {
      const joined = text.join('\n').replace(/\n{3,}/g, '\n\n').trim();
      text = [];
      if (!joined) return;
      const heading = path.map((h) => h.text).join(HEADING_SEPARATOR);
      sections.push(heading ? { text: joined, heading, page } : { text: joined, page });
    };
    for (const line of lines) {
      if (isHeading(line)) {
        const top = path[path.length - 1];
        if (previousWasHeading && top && Math.abs(top.size - line.size) < 0.5) {
          // A long heading wrapped onto a second line.
          top.text = `${top.text} ${line.text}`;
        } else {
          flush();
          while (path.length && path[path.length - 1]!.size <= line.size + 0.5) path.pop();
          path.push({ size: line.size, text: line.text });
        }
        previousWasHeading = true;
      } else {
        const gap = previous ? previous.y - line.y : 0;
        const newParagraph = previous && !previousWasHeading && gap > Math.max(previous.size, line.size) * 1.35;
        if (newParagraph) text.push('');
        if (previous && !previousWasHeading && !newParagraph && text.length && wraps(previous, line)) {
          text[text.length - 1] += ` ${line.text}`;
        } else {
          text.push(line.text);
        }
        previousWasHeading = false;
      }
      previous = line;
    }
    flush();
  }
  return sections;
}

function toExtractionError(err: unknown): ExtractionError {
  const name = (err as { name?: string } | undefined)?.name;
  const message = (err as Error | undefined)?.message ?? String(err);
  if (name === 'PasswordException') {
    return new ExtractionError('encrypted', 'The PDF is password-protected; remove the password and upload it again.', { cause: err });
  }
  return new ExtractionError('corrupt', `The PDF could not be read (${name ?? 'Error'}: ${message}).`, { cause: err });
}

/** Every page's lines. A damaged page is skipped; the document fails only if no page can be read. */
async function readPages(doc: PDFDocumentProxy): Promise<PdfPageLines[]> {
  const pages: PdfPageLines[] = [];
  let firstError: unknown;
  for (let n = 1; n <= doc.numPages; n++) {
    try {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const items = content.items.filter((item): item is TextItem => 'str' in item);
      pages.push({ page: n, lines: linesFromItems(items) });
      // Frees the page's parsed resources (fonts, operator lists) before the next one.
      page.cleanup();
    } catch (err) {
      firstError ??= err;
    }
  }
  if (!pages.length && firstError !== undefined) throw firstError;
  return pages;
}

export async function extractPdf(bytes: Uint8Array): Promise<ExtractedDocument> {
  const lib = await loadPdfJs();
  const task = lib.getDocument({
    // pdf.js transfers (detaches) the buffer it is given, and refuses Node Buffers: it gets a
    // plain Uint8Array copy of the caller's bytes.
    data: new Uint8Array(bytes),
    verbosity: lib.VerbosityLevel.ERRORS,
    disableFontFace: true,
    useSystemFonts: false,
    isEvalSupported: false,
    useWorkerFetch: false,
    standardFontDataUrl: assetDir('standard_fonts'),
    cMapUrl: assetDir('cmaps'),
    cMapPacked: true,
    wasmUrl: assetDir('wasm'),
  });
  try {
    let doc: PDFDocumentProxy;
    try {
      doc = await task.promise;
    } catch (err) {
      throw toExtractionError(err);
    }
    let pages: PdfPageLines[];
    try {
      pages = await readPages(doc);
    } catch (err) {
      throw toExtractionError(err);
    }
    // The title is a nicety: damaged metadata does not fail the document.
    const info = await doc.getMetadata().then((m) => m.info as { Title?: unknown }, () => undefined);
    const title = typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim() : undefined;
    if (!pages.some((p) => p.lines.length > 0)) {
      throw new ExtractionError(
        'no_text',
        `The PDF has ${pages.length} page(s) but no text layer; it looks like a scanned document (images only), and OCR is not supported.`,
      );
    }
    const sections = sectionsFromPages(pages);
    return { format: 'pdf', ...(title ? { title } : {}), sections };
  } finally {
    await task.destroy();
  }
}
