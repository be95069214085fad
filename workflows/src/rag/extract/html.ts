/**
 * HTML → sections, for uploaded .html files, crawled web pages, and (through mammoth) DOCX.
 *
 * A page is parsed with linkedom and walked twice: the whole body minus page chrome (scripts,
 * navigation, site header, footer, asides, forms, menus of links), and the main content
 * @mozilla/readability picks. Readability's pick is used when it is the cleaner of the two and
 * lost little; when it finds nothing, or drops the short blocks of a landing page (a price list,
 * opening hours), the body walk is used. The DOM walker keeps what a customer's question can
 * match — headings (as the path each section sits under), paragraphs, list items and table
 * rows — as plain text lines.
 */
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { tidyText } from './text';
import type { ExtractedDocument, ExtractedSection } from './types';
import { HEADING_SEPARATOR } from './types';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Never content, wherever they appear. */
const ALWAYS_SKIPPED = new Set([
  'script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'embed', 'video',
  'audio', 'map', 'form', 'button', 'select', 'textarea', 'input', 'option', 'dialog', 'head', 'meta', 'link',
]);
/** Page chrome: navigation, footers, sidebars (readability sometimes keeps them too). */
const CHROME = new Set(['nav', 'footer', 'aside']);
const CHROME_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'search', 'complementary', 'dialog', 'menu', 'menubar']);
/** Content holders: a <header> inside them is an article's header, not the site's. */
const CONTENT_CONTAINERS = new Set(['main', 'article', 'section']);

const INLINE = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'cite', 'code', 'data', 'del', 'dfn', 'em', 'font', 'i', 'ins', 'kbd', 'label',
  'mark', 'q', 'rp', 'rt', 'ruby', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var', 'wbr', 'img',
]);
const HEADING = /^h([1-6])$/;
/** A heading's original level, recorded before readability turns every h1 into an h2. */
const LEVEL_ATTRIBUTE = 'data-sapa-level';
/** Blocks that only group lines: a table's header and body rows stay one paragraph. */
const WITHOUT_PARAGRAPH_BREAK = new Set(['div', 'thead', 'tbody', 'tfoot', 'colgroup', 'caption']);

export interface WalkOptions {
  /** Drop page chrome: nav/footer/aside and elements with navigation/banner/… roles. */
  dropChrome: boolean;
  /**
   * Walking a whole page body: also drop, outside main/article/section, the site's <header>
   * (logo and menu bar) and link lists (menus and "baca juga" boxes built from plain divs).
   */
  wholePage?: boolean;
  /** A level-1 heading the content sits under (readability removes the page's h1 from its output). */
  rootHeading?: string;
}

export interface WalkResult {
  sections: ExtractedSection[];
  /** Every text line kept, in order (headings included). */
  lines: string[];
  /** The first level-1 heading, a fallback title. */
  firstH1?: string;
  /** Characters of text kept (to compare two walks of the same page). */
  textLength: number;
  /** Elements visited. */
  elements: number;
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Text of an element with inline whitespace collapsed, skipping non-content children. */
function textOf(node: Node): string {
  let out = '';
  const visit = (n: Node) => {
    if (n.nodeType === TEXT_NODE) out += n.nodeValue ?? '';
    else if (n.nodeType === ELEMENT_NODE) {
      const tag = (n as Element).localName;
      if (ALWAYS_SKIPPED.has(tag)) return;
      if (tag === 'br') out += ' ';
      n.childNodes.forEach(visit);
      if (!INLINE.has(tag)) out += ' ';
    }
  };
  visit(node);
  return collapse(out);
}

/** Blocks that may be nothing but a list of links. */
const LINK_LIST_CANDIDATES = new Set(['ul', 'ol', 'div', 'p']);

/**
 * A menu, tag cloud or "related posts" box: three or more short links making up most of the
 * text. (Product cards whose whole text is a link have longer link texts, and usually sit in <main>.)
 */
function isLinkList(el: Element): boolean {
  const links = el.querySelectorAll('a');
  if (links.length < 3) return false;
  const total = collapse(el.textContent ?? '').length;
  let linked = 0;
  links.forEach((a) => (linked += collapse(a.textContent ?? '').length));
  return total > 0 && linked / total >= 0.7 && linked / links.length <= 30;
}

function isHidden(el: Element): boolean {
  return el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true' || /display\s*:\s*none/i.test(el.getAttribute('style') ?? '');
}

/** Walks a DOM subtree into sections split at headings. */
export function walkHtml(root: Node, opts: WalkOptions): WalkResult {
  const sections: ExtractedSection[] = [];
  const path: Array<{ level: number; text: string }> = opts.rootHeading ? [{ level: 1, text: opts.rootHeading }] : [];
  let lines: string[] = [];
  let inline = '';
  let prefix = '';
  let firstH1: string | undefined;
  let textLength = 0;
  let elements = 0;
  // A heading whose section got no text yet: kept as text if no sub-heading follows.
  let bareHeading = false;

  const allLines: string[] = [];
  const addLine = (text: string) => {
    lines.push(text);
    allLines.push(text);
    textLength += text.length;
  };
  const paragraphBreak = () => {
    if (lines.length && lines[lines.length - 1] !== '') lines.push('');
  };
  const flushInline = () => {
    const parts = inline.split('\n').map(collapse).filter(Boolean);
    inline = '';
    parts.forEach((part, i) => addLine(i === 0 ? prefix + part : part));
    if (parts.length) prefix = '';
  };
  const headingPath = () => path.map((h) => h.text).join(HEADING_SEPARATOR);
  const closeSection = (nextLevel?: number) => {
    flushInline();
    const text = tidyText(lines.join('\n'));
    lines = [];
    if (text) {
      sections.push(path.length ? { text, heading: headingPath() } : { text });
      bareHeading = false;
    } else if (bareHeading && path.length && (nextLevel === undefined || nextLevel <= path[path.length - 1]!.level)) {
      // "<h2>Tutup saat Lebaran</h2>" followed by another h2: the heading is the whole message.
      sections.push({ text: path[path.length - 1]!.text, heading: headingPath() });
      bareHeading = false;
    }
  };

  const visit = (node: Node, inContent: boolean) => {
    node.childNodes.forEach((child) => {
      if (child.nodeType === TEXT_NODE) {
        inline += (child.nodeValue ?? '').replace(/\s+/g, ' ');
        return;
      }
      if (child.nodeType !== ELEMENT_NODE) return;
      const el = child as Element;
      const tag = el.localName;
      elements++;
      if (ALWAYS_SKIPPED.has(tag) || isHidden(el)) return;
      if (opts.dropChrome && (CHROME.has(tag) || CHROME_ROLES.has(el.getAttribute('role') ?? ''))) return;
      if (opts.wholePage && !inContent && (tag === 'header' || (LINK_LIST_CANDIDATES.has(tag) && isLinkList(el)))) return;
      const heading = HEADING.exec(tag);
      if (heading) {
        const level = Number(el.getAttribute(LEVEL_ATTRIBUTE) ?? heading[1]);
        const text = textOf(el);
        if (!text) return;
        closeSection(level);
        while (path.length && path[path.length - 1]!.level >= level) path.pop();
        path.push({ level, text });
        allLines.push(text);
        textLength += text.length;
        bareHeading = true;
        if (level === 1 && firstH1 === undefined) firstH1 = text;
        return;
      }
      switch (tag) {
        case 'br':
          inline += '\n';
          return;
        case 'hr':
          flushInline();
          paragraphBreak();
          return;
        case 'li':
        case 'dt':
        case 'dd':
          flushInline();
          prefix = tag === 'li' ? '- ' : '';
          visit(el, inContent);
          flushInline();
          prefix = '';
          return;
        case 'tr': {
          flushInline();
          const cells = Array.from(el.children)
            .filter((c) => c.localName === 'td' || c.localName === 'th')
            .map(textOf)
            .filter(Boolean);
          if (cells.length) addLine(cells.join(' | '));
          return;
        }
        case 'pre':
          flushInline();
          for (const line of (el.textContent ?? '').split(/\r?\n/)) if (line.trim()) addLine(line.trimEnd());
          paragraphBreak();
          return;
      }
      if (INLINE.has(tag)) {
        visit(el, inContent);
        return;
      }
      // Any other element is a block: it starts and ends a line.
      flushInline();
      visit(el, inContent || CONTENT_CONTAINERS.has(tag));
      flushInline();
      if (!WITHOUT_PARAGRAPH_BREAK.has(tag)) paragraphBreak();
    });
  };

  visit(root, false);
  closeSection();
  return { sections, lines: allLines, ...(firstH1 ? { firstH1 } : {}), textLength, elements };
}

/** Parses HTML into a DOM document (linkedom implements the DOM interfaces readability uses). */
function parseDocument(html: string): Document {
  // A fragment (mammoth output, a snippet) gets a body to live in.
  const source = /<html[\s>]|<body[\s>]/i.test(html) ? html : `<!DOCTYPE html><html><head></head><body>${html}</body></html>`;
  return parseHTML(source).document;
}

/** Converts an HTML fragment that is all content (mammoth's DOCX output) into sections. */
export function htmlFragmentSections(html: string): WalkResult {
  const doc = parseDocument(html);
  return walkHtml(doc.body ?? doc.documentElement, { dropChrome: false });
}

// Readability is built for articles: on a business's landing page it may keep the story and drop
// the short blocks around it — the price list, the opening hours — which are exactly what
// customers ask about. When its output misses more than this share of the text the whole
// (de-chromed) body has, the body is used instead.
const MAX_TEXT_LOST_TO_READABILITY = 0.2;

// Readability's cost grows faster than the page (seconds for a 1 MB page of 30k elements): past
// this many elements it is not run, and the body walk is used.
const READABILITY_MAX_ELEMENTS = 15_000;

const bareLine = (line: string) => line.replace(/^- /, '');

/** Characters of `whole`'s lines that `main` does not have. */
function textMissing(whole: WalkResult, main: WalkResult): number {
  const kept = new Set(main.lines.map(bareLine));
  let missing = 0;
  for (const line of whole.lines) if (!kept.has(bareLine(line))) missing += line.length;
  return missing;
}

/** Readability's pick of the main content, walked; undefined when it finds none or fails. */
function readableContent(html: string, url: string | undefined, whole: WalkResult): { main?: WalkResult; title?: string } {
  if (whole.elements > READABILITY_MAX_ELEMENTS) return {};
  try {
    // Readability rewrites the document it reads, so it gets its own copy.
    const copy = parseDocument(html);
    if (url) setDocumentUrl(copy, url);
    copy.querySelectorAll('h1, h2, h3, h4, h5, h6').forEach((h) => h.setAttribute(LEVEL_ATTRIBUTE, h.localName.slice(1)));
    const article = new Readability<Node>(copy, { serializer: (node) => node }).parse();
    const title = collapse(article?.title ?? '') || undefined;
    if (!article?.content) return title ? { title } : {};
    // Readability drops the h1 that repeats the page title; the sections still sit under it.
    const keepsH1 = (article.content as Element).querySelector(`[${LEVEL_ATTRIBUTE}="1"]`) !== null;
    const rootHeading = keepsH1 ? undefined : whole.firstH1;
    const main = walkHtml(article.content, { dropChrome: true, ...(rootHeading ? { rootHeading } : {}) });
    return { main, ...(title ? { title } : {}) };
  } catch {
    // Readability throws on some malformed documents: the body walk is the content then.
    return {};
  }
}

/**
 * Extracts a web page's main content. `url` is the page's address, given to readability as the
 * document URL (it is never fetched).
 */
export function extractHtml(html: string, url?: string): ExtractedDocument {
  const doc = parseDocument(html);
  const whole = walkHtml(doc.body ?? doc.documentElement, { dropChrome: true, wholePage: true });
  const readable = readableContent(html, url, whole);

  // Readability wins only when it removed something (a sidebar, comments) without losing much;
  // when it kept more than the body walk, what it added is chrome the walk dropped.
  const main = readable.main;
  const useReadable =
    main !== undefined &&
    main.textLength > 0 &&
    main.textLength < whole.textLength &&
    textMissing(whole, main) <= whole.textLength * MAX_TEXT_LOST_TO_READABILITY;

  const pageTitle = collapse(doc.querySelector('title')?.textContent ?? '') || undefined;
  const title = readable.title ?? pageTitle ?? whole.firstH1;
  return { format: 'html', ...(title ? { title } : {}), sections: (useReadable ? main : whole).sections };
}

/** Readability resolves relative links against the document's URL; linkedom has none by default. */
function setDocumentUrl(doc: Document, url: string): void {
  try {
    const base = doc.createElement('base');
    base.setAttribute('href', new URL(url).href);
    if (!doc.querySelector('base[href]')) doc.head?.prepend(base);
  } catch {
    // Not an absolute URL: nothing to resolve against.
  }
}

/**
 * Absolute http(s) links on a page, in page order, without duplicates or #fragments — what a
 * crawler follows. Relative links resolve against `<base href>` when the page has one.
 */
export function htmlLinks(html: string, baseUrl: string): string[] {
  const doc = parseDocument(html);
  let base: URL;
  try {
    base = new URL(doc.querySelector('base[href]')?.getAttribute('href') ?? baseUrl, baseUrl);
  } catch {
    return [];
  }
  const links = new Set<string>();
  for (const a of Array.from(doc.querySelectorAll('a[href], area[href]'))) {
    const href = a.getAttribute('href')?.trim();
    if (!href) continue;
    let link: URL;
    try {
      link = new URL(href, base);
    } catch {
      continue;
    }
    if (link.protocol !== 'http:' && link.protocol !== 'https:') continue;
    link.hash = '';
    links.add(link.href);
  }
  return [...links];
}
