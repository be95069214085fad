/**
 * What each kind of knowledge source contributes, as extracted documents: the pages a run will
 * process (one for a file, text, Q&A or single URL; a site's pages from its sitemap), and the
 * text of one page. Extraction errors keep their code (`encrypted`, `no_text`, …) so the owner is
 * told exactly why a source failed.
 */
import { createHash } from 'node:crypto';
import { remainingKnowledgePages, type Config, type KnowledgeSource, type MediaStore } from '@sapa/shared';
import { discoverSitePages, fetchPage, isAllowedByRobots, CrawlError } from './crawl';
import { extractDocument, extractHtml, ExtractionError, type ExtractedDocument } from './extract';

export interface PlannedPage {
  /** Stable per page: `doc` for a single document, a hash of the URL for web pages. */
  key: string;
  url?: string;
}

export interface SkippedPage {
  url: string;
  reason: string;
}

export interface SourcePlan {
  pages: PlannedPage[];
  skipped: SkippedPage[];
}

/** A source or page that cannot be read, with a code the dashboard turns into the owner's language. */
export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const USER_AGENT = 'SapaBot/1.0 (+https://github.com/sapa-chat/sapa)';

export const pageKeyOf = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 16);

function crawlOptions(config: Config) {
  return {
    allowPrivateHosts: config.CRAWL_ALLOW_PRIVATE_HOSTS,
    userAgent: USER_AGENT,
    timeoutMs: 15_000,
    maxBytes: config.KNOWLEDGE_MAX_UPLOAD_BYTES,
  };
}

function asSourceError(err: unknown): never {
  if (err instanceof ExtractionError || err instanceof CrawlError) throw new SourceError(err.code, err.message);
  throw err;
}

export async function planSource(config: Config, source: KnowledgeSource): Promise<SourcePlan> {
  if (source.kind === 'url') return { pages: [{ key: pageKeyOf(source.url!), url: source.url! }], skipped: [] };
  if (source.kind !== 'sitemap') return { pages: [{ key: 'doc' }], skipped: [] };
  // The plan's page allowance counts every website page of the workspace.
  const allowance = await remainingKnowledgePages(String(source.workspaceId), String(source._id));
  if (allowance === 0) throw new SourceError('plan_limit', 'the plan allows no more website pages');
  const found = await discoverSitePages(source.url!, {
    ...crawlOptions(config),
    maxPages: Math.min(source.maxPages ?? config.CRAWL_MAX_PAGES, config.CRAWL_MAX_PAGES, allowance),
    concurrency: config.CRAWL_CONCURRENCY,
  }).catch(asSourceError);
  if (found.pages.length === 0) {
    throw new SourceError('no_pages', `no pages of ${source.url} could be listed (${found.skipped.length} skipped)`);
  }
  return { pages: found.pages.map((url) => ({ key: pageKeyOf(url), url })), skipped: found.skipped };
}

function faqDocument(source: KnowledgeSource): ExtractedDocument {
  // Each pair is its own section (so its own chunk): the question is the heading retrieval matches.
  return {
    format: 'md',
    sections: (source.faq ?? []).map((pair) => ({ heading: pair.question, text: `${pair.question}\n${pair.answer}` })),
  };
}

/** The text of one planned page of a source. */
export async function readPage(config: Config, media: MediaStore, source: KnowledgeSource, page: PlannedPage): Promise<ExtractedDocument> {
  try {
    switch (source.kind) {
      case 'file': {
        const bytes = await media.read(source.file!.mediaKey!);
        return await extractDocument(bytes, { name: source.file?.originalName ?? '', maxBytes: config.KNOWLEDGE_MAX_UPLOAD_BYTES });
      }
      case 'text':
        return await extractDocument(Buffer.from(source.text ?? '', 'utf8'), { name: 'text.md', maxBytes: config.KNOWLEDGE_MAX_UPLOAD_BYTES });
      case 'faq':
        return faqDocument(source);
      case 'url':
      case 'sitemap': {
        const options = crawlOptions(config);
        if (source.kind === 'url' && !(await isAllowedByRobots(page.url!, options))) {
          throw new SourceError('robots_disallowed', `robots.txt of ${new URL(page.url!).host} does not allow ${page.url}`);
        }
        const fetched = await fetchPage(page.url!, options);
        if (!/html|xhtml/i.test(fetched.contentType)) {
          throw new SourceError('not_html', `${page.url} is ${fetched.contentType || 'not a web page'}`);
        }
        return extractHtml(fetched.body, fetched.finalUrl);
      }
    }
  } catch (err) {
    return asSourceError(err);
  }
}
