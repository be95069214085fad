/**
 * Fetching web pages for website knowledge sources: one page (`fetchPage`), a site's robots.txt
 * rules (`createRobotsChecker`, `isAllowedByRobots`) and the list of a site's pages
 * (`discoverSitePages`: a sitemap, robots.txt's sitemaps, `/sitemap.xml`, or the start page's
 * links). A knowledge URL is typed by a workspace owner, so every request is guarded: only
 * http(s), no loopback/private/link-local destinations unless the operator allows them, redirects
 * followed by hand so each hop is checked again, bodies capped, time-limited. Uses Node's global
 * fetch; the ingestion code fetches the discovered pages itself with `fetchPage`.
 */
import dns from 'node:dns';
import net from 'node:net';
import zlib from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { parseHTML } from 'linkedom';
import pLimit from 'p-limit';
import robotsParser from 'robots-parser';
import { z } from 'zod';

export type CrawlErrorCode =
  | 'blocked_host'
  | 'bad_url'
  | 'http_error'
  | 'too_large'
  | 'timeout'
  | 'not_html'
  | 'robots_disallowed'
  | 'network';

export class CrawlError extends Error {
  override name = 'CrawlError';
  constructor(
    readonly code: CrawlErrorCode,
    message: string,
    /** The HTTP status, for `http_error`. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Resolves a host name to its addresses (default: the system resolver, every address). */
export type HostLookup = (hostname: string) => Promise<string[]>;

export interface FetchPageOptions {
  /** Reach loopback and private (RFC 1918, unique-local) addresses; for tests and intranet sites. */
  allowPrivateHosts: boolean;
  maxBytes: number;
  /** For the whole fetch: every redirect hop and the body. */
  timeoutMs: number;
  userAgent: string;
  /** Replaces DNS for the address check (tests, custom resolvers). */
  lookup?: HostLookup;
}

export interface FetchedPage {
  /** The URL asked for. */
  url: string;
  /** Where it ended after redirects. */
  finalUrl: string;
  status: number;
  /** The Content-Type header as sent ('' when absent). */
  contentType: string;
  /** The body decoded with its declared charset (UTF-8 when none or unknown). */
  body: string;
  bytes: Uint8Array;
}

export interface RobotsOptions {
  allowPrivateHosts: boolean;
  userAgent: string;
  timeoutMs: number;
  lookup?: HostLookup;
}

export interface RobotsChecker {
  origin: string;
  /** Whether SapaBot may fetch `url` (a URL of another origin is never allowed by this checker). */
  isAllowed(url: string): boolean;
  /** Absolute `Sitemap:` URLs listed in robots.txt. */
  sitemaps: string[];
  /** `Crawl-delay` for SapaBot, in seconds, when set. */
  crawlDelaySeconds?: number;
  /** false when robots.txt could not be read (5xx, network): everything is disallowed for now. */
  reachable: boolean;
}

export interface DiscoverOptions {
  maxPages: number;
  concurrency: number;
  allowPrivateHosts: boolean;
  userAgent: string;
  timeoutMs: number;
  /** Per page (the start page); sitemaps may be larger (up to SITEMAP_MAX_BYTES). */
  maxBytes: number;
  lookup?: HostLookup;
}

export type SkipReason =
  /** robots.txt disallows SapaBot. */
  | 'robots'
  /** Beyond `maxPages`. */
  | 'page_cap'
  /** On another site (scheme or host differ). */
  | 'external'
  /** Not a usable http(s) URL. */
  | 'bad_url'
  /** The start page could not be fetched (HTTP error, network, timeout, too large). */
  | 'fetch_error'
  /** A link to a file that is not a web page (image, PDF, archive…). */
  | 'not_html'
  /** A sitemap that could not be fetched or parsed. */
  | 'sitemap_error'
  /** A nested sitemap deeper than MAX_SITEMAP_DEPTH, or beyond MAX_SITEMAPS. */
  | 'sitemap_limit';

export interface SkippedPage {
  url: string;
  reason: SkipReason;
}

export interface DiscoveredSite {
  /** Page URLs (no #fragments), start page first, at most `maxPages`. */
  pages: string[];
  skipped: SkippedPage[];
  /** The sitemap the pages came from; null when they came from the start page's links. */
  sitemapUrl: string | null;
  /** `<lastmod>` of pages listed in a sitemap, as written there (re-sync can compare it). */
  lastModified: Record<string, string>;
}

/** The product token robots.txt rules are written for. */
export const ROBOTS_AGENT = 'SapaBot';
export const DEFAULT_USER_AGENT = 'Mozilla/5.0 (compatible; SapaBot/1.0; knowledge-base crawler)';
export const MAX_REDIRECTS = 5;
export const SITEMAP_MAX_BYTES = 20 * 1024 * 1024;
/** Google reads the first 500 KiB of robots.txt; so do we. */
const ROBOTS_MAX_BYTES = 500 * 1024;
const MAX_SITEMAP_DEPTH = 3;
const MAX_SITEMAPS = 50;

const fetchOptionsSchema = z.object({
  allowPrivateHosts: z.boolean(),
  maxBytes: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  userAgent: z.string().min(1),
  lookup: z.custom<HostLookup>((v) => typeof v === 'function', 'lookup must be a function').optional(),
});

const discoverOptionsSchema = fetchOptionsSchema.extend({
  maxPages: z.number().int().positive(),
  concurrency: z.number().int().positive().max(64),
});

// ---------------------------------------------------------------------------------------------
// Fetching one page.

export async function fetchPage(url: string, opts: FetchPageOptions): Promise<FetchedPage> {
  fetchOptionsSchema.parse(opts);
  return fetchGuarded(url, opts, 'error');
}

/** `overflow: 'truncate'` keeps the first maxBytes instead of failing (robots.txt). */
async function fetchGuarded(url: string, opts: FetchPageOptions, overflow: 'error' | 'truncate'): Promise<FetchedPage> {
  let current = parseHttpUrl(url);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  for (let hop = 0; ; hop++) {
    await assertAllowedHost(current, opts, signal);
    let res: Response;
    try {
      res = await fetch(current, {
        redirect: 'manual',
        signal,
        headers: {
          'user-agent': opts.userAgent,
          accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5',
          'accept-language': 'id,en;q=0.8',
        },
      });
    } catch (err) {
      throw networkError(err, current.href, opts.timeoutMs);
    }
    if (res.status >= 300 && res.status < 400 && res.status !== 304) {
      const location = res.headers.get('location');
      await res.body?.cancel().catch(() => undefined);
      if (!location) throw new CrawlError('http_error', `${current.href} answered ${res.status} without a Location`, res.status);
      if (hop >= MAX_REDIRECTS) throw new CrawlError('http_error', `${url}: more than ${MAX_REDIRECTS} redirects`, res.status);
      current = parseHttpUrl(location, current);
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new CrawlError('http_error', `${current.href} answered HTTP ${res.status}`, res.status);
    }
    const contentType = res.headers.get('content-type') ?? '';
    const bytes = await readBody(res, opts.maxBytes, overflow, current.href, opts.timeoutMs);
    return { url, finalUrl: current.href, status: res.status, contentType, body: decodeBody(bytes, contentType), bytes };
  }
}

async function readBody(res: Response, maxBytes: number, overflow: 'error' | 'truncate', url: string, timeoutMs: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (overflow === 'error' && Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new CrawlError('too_large', `${url} is ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.length > maxBytes) {
        await reader.cancel().catch(() => undefined);
        if (overflow === 'error') throw new CrawlError('too_large', `${url} is larger than the ${maxBytes} bytes allowed`);
        chunks.push(value.subarray(0, maxBytes - total));
        total = maxBytes;
        break;
      }
      chunks.push(value);
      total += value.length;
    }
  } catch (err) {
    if (err instanceof CrawlError) throw err;
    throw networkError(err, url, timeoutMs);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function decodeBody(bytes: Uint8Array, contentType: string): string {
  let charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  if (!charset && isHtmlContentType(contentType)) {
    // `<meta charset>` in the first bytes, as browsers do when the header says nothing.
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
    charset = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
  }
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // an unknown charset label
  }
}

function networkError(err: unknown, url: string, timeoutMs: number): CrawlError {
  if (err instanceof CrawlError) return err;
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return new CrawlError('timeout', `${url} did not answer within ${timeoutMs} ms`);
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : err instanceof Error ? `: ${err.message}` : '';
  return new CrawlError('network', `${url} could not be fetched${cause}`);
}

export function isHtmlContentType(contentType: string): boolean {
  return /^\s*(text\/html|application\/xhtml\+xml)\s*(;|$)/i.test(contentType);
}

/** Whether a fetched page is an HTML document (by its type, or by its first bytes when untyped). */
export function isHtmlPage(page: Pick<FetchedPage, 'contentType' | 'body'>): boolean {
  if (isHtmlContentType(page.contentType)) return true;
  return page.contentType.trim() === '' && /^\s*(<!doctype html|<html[\s>])/i.test(page.body.slice(0, 512));
}

/** Throws `not_html` unless the page is an HTML document. */
export function requireHtml(page: FetchedPage): FetchedPage {
  if (!isHtmlPage(page)) {
    throw new CrawlError('not_html', `${page.finalUrl} is ${page.contentType || 'an untyped file'}, not a web page`);
  }
  return page;
}

// ---------------------------------------------------------------------------------------------
// Which hosts may be fetched.

function parseHttpUrl(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new CrawlError('bad_url', `Not a valid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CrawlError('bad_url', `Only http and https URLs can be fetched: ${url.href}`);
  if (url.username || url.password) throw new CrawlError('bad_url', 'URLs with a user name or password are not fetched');
  return url;
}

async function assertAllowedHost(url: URL, opts: Pick<FetchPageOptions, 'allowPrivateHosts' | 'lookup'>, signal: AbortSignal): Promise<void> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = await abortable((opts.lookup ?? systemLookup)(host), signal);
    } catch (err) {
      if (signal.aborted) throw new CrawlError('timeout', `${url.host} could not be resolved in time`);
      throw new CrawlError('network', `${url.host} could not be resolved: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (addresses.length === 0) throw new CrawlError('network', `${url.host} has no addresses`);
  }
  for (const address of addresses) {
    const kind = classifyAddress(address);
    // Link-local (cloud metadata services) and unspecified addresses serve no knowledge: never fetched.
    if (kind === 'never' || (kind === 'private' && !opts.allowPrivateHosts)) {
      throw new CrawlError('blocked_host', `${url.host} resolves to ${address}, which is not a public address`);
    }
  }
}

const systemLookup: HostLookup = async (hostname) => (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * `public`: anywhere on the internet. `private`: loopback, RFC 1918, CGNAT, unique-local —
 * reachable when the operator allows private hosts. `never`: unspecified, link-local (where
 * cloud metadata services live), multicast, reserved — never fetched.
 */
export function classifyAddress(address: string): 'public' | 'private' | 'never' {
  if (net.isIPv4(address)) return classifyIPv4(ipv4Octets(address));
  if (net.isIPv6(address)) return classifyIPv6(ipv6Words(address));
  return 'never';
}

/** True when an address is anything but public (what `allowPrivateHosts: false` refuses). */
export function isPrivateAddress(address: string): boolean {
  return classifyAddress(address) !== 'public';
}

function classifyIPv4([a, b, c]: number[]): 'public' | 'private' | 'never' {
  if (a === undefined || b === undefined || c === undefined) return 'never';
  if (a === 0) return 'never'; // 0.0.0.0/8 ("this network"; 0.0.0.0 reaches the local host)
  if (a === 169 && b === 254) return 'never'; // link-local, cloud metadata (169.254.169.254)
  if (a >= 224) return 'never'; // multicast, reserved, broadcast
  if (a === 127) return 'private';
  if (a === 10) return 'private';
  if (a === 172 && b >= 16 && b <= 31) return 'private';
  if (a === 192 && b === 168) return 'private';
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // carrier-grade NAT
  if (a === 192 && b === 0 && c === 0) return 'private'; // IETF protocol assignments
  if (a === 198 && (b === 18 || b === 19)) return 'private'; // benchmarking
  return 'public';
}

function classifyIPv6(w: number[]): 'public' | 'private' | 'never' {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = w;
  const embeddedV4 = [w6 >> 8, w6 & 0xff, w7 >> 8, w7 & 0xff];
  const firstFiveZero = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  if (firstFiveZero && w5 === 0 && w6 === 0 && w7 === 0) return 'never'; // ::
  if (firstFiveZero && w5 === 0 && w6 === 0 && w7 === 1) return 'private'; // ::1
  if (firstFiveZero && (w5 === 0xffff || w5 === 0)) return classifyIPv4(embeddedV4); // IPv4-mapped, IPv4-compatible
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) return classifyIPv4(embeddedV4); // NAT64
  if (w0 === 0x2002) return classifyIPv4([w1 >> 8, w1 & 0xff, w2 >> 8, w2 & 0xff]); // 6to4
  if ((w0 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique-local
  if ((w0 & 0xffc0) === 0xfe80) return 'never'; // fe80::/10 link-local
  if ((w0 & 0xffc0) === 0xfec0) return 'private'; // fec0::/10 site-local (deprecated)
  if ((w0 & 0xff00) === 0xff00) return 'never'; // multicast
  return 'public';
}

function ipv4Octets(address: string): number[] {
  return address.split('.').map(Number);
}

/** The eight 16-bit words of an IPv6 address (handles `::` and a dotted IPv4 tail). */
function ipv6Words(address: string): number[] {
  let text = address.split('%')[0] ?? address; // drop a zone id
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = ipv4Octets(v4Tail[1]);
    text = text.slice(0, -v4Tail[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

// ---------------------------------------------------------------------------------------------
// robots.txt

export async function createRobotsChecker(origin: string, opts: RobotsOptions): Promise<RobotsChecker> {
  const base = parseHttpUrl(origin);
  const robotsUrl = `${base.origin}/robots.txt`;
  let text = '';
  let reachable = true;
  try {
    const page = await fetchGuarded(robotsUrl, { ...opts, maxBytes: ROBOTS_MAX_BYTES }, 'truncate');
    text = page.body;
  } catch (err) {
    if (!(err instanceof CrawlError) || err.code === 'blocked_host' || err.code === 'bad_url') throw err;
    // No robots.txt (4xx) means no rules. An unreadable one (5xx, network, timeout) means "not now",
    // the way search engines read it: nothing is fetched until a later sync can read it.
    if (!(err.code === 'http_error' && err.status !== undefined && err.status >= 400 && err.status < 500)) reachable = false;
  }
  const robots = robotsParser(robotsUrl, text);
  const delay = robots.getCrawlDelay(ROBOTS_AGENT);
  return {
    origin: base.origin,
    reachable,
    sitemaps: robots.getSitemaps().flatMap((s) => {
      try {
        return [new URL(s, base.origin).href];
      } catch {
        return [];
      }
    }),
    ...(delay !== undefined ? { crawlDelaySeconds: delay } : {}),
    isAllowed(url: string) {
      if (!reachable) return false;
      return robots.isAllowed(url, ROBOTS_AGENT) === true;
    },
  };
}

/** Whether robots.txt of the URL's site lets SapaBot fetch it (for single-page URL sources). */
export async function isAllowedByRobots(url: string, opts: RobotsOptions): Promise<boolean> {
  const parsed = parseHttpUrl(url);
  const checker = await createRobotsChecker(parsed.origin, opts);
  return checker.isAllowed(parsed.href);
}

/** Throws `robots_disallowed` when robots.txt keeps SapaBot away from the URL. */
export async function assertAllowedByRobots(url: string, opts: RobotsOptions): Promise<void> {
  if (!(await isAllowedByRobots(url, opts))) throw new CrawlError('robots_disallowed', `robots.txt of ${new URL(url).host} does not allow ${ROBOTS_AGENT} to read ${url}`);
}

// ---------------------------------------------------------------------------------------------
// Site discovery.

/** Same scheme, port and host; `www.example.com` and `example.com` are one site. */
export function isSameSite(a: string | URL, b: string | URL): boolean {
  const x = typeof a === 'string' ? new URL(a) : a;
  const y = typeof b === 'string' ? new URL(b) : b;
  const bare = (h: string) => h.toLowerCase().replace(/^www\./, '');
  return x.protocol === y.protocol && x.port === y.port && bare(x.hostname) === bare(y.hostname);
}

/** The URL without its #fragment, or null when it is not an http(s) URL. */
export function normalizePageUrl(raw: string, base?: string | URL): string | null {
  try {
    const url = new URL(raw.trim(), base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

const NON_PAGE_EXTENSION =
  /\.(png|jpe?g|gif|webp|svg|ico|bmp|tiff?|avif|pdf|docx?|xlsx?|pptx?|csv|zip|rar|7z|gz|tgz|tar|mp3|mp4|m4a|wav|ogg|webm|mov|avi|css|js|mjs|json|woff2?|ttf|otf|eot|apk|exe|dmg|iso)$/i;

export async function discoverSitePages(startUrl: string, opts: DiscoverOptions): Promise<DiscoveredSite> {
  discoverOptionsSchema.parse(opts);
  const start = parseHttpUrl(startUrl);
  start.hash = '';
  const pageOpts: FetchPageOptions = { ...opts };
  const sitemapOpts: FetchPageOptions = { ...opts, maxBytes: Math.max(opts.maxBytes, SITEMAP_MAX_BYTES) };
  const robotsOpts: RobotsOptions = { allowPrivateHosts: opts.allowPrivateHosts, userAgent: opts.userAgent, timeoutMs: opts.timeoutMs, ...(opts.lookup ? { lookup: opts.lookup } : {}) };

  const robotsByOrigin = new Map<string, Promise<RobotsChecker>>();
  const robotsFor = (origin: string) => {
    let checker = robotsByOrigin.get(origin);
    if (!checker) {
      checker = createRobotsChecker(origin, robotsOpts);
      robotsByOrigin.set(origin, checker);
    }
    return checker;
  };
  const startRobots = await robotsFor(start.origin);

  const skipped: SkippedPage[] = [];
  const seen = new Set<string>();

  // The start URL itself: a sitemap, or the first page (whose links are the last resort).
  const startIsXmlPath = /\.xml(\.gz)?$/i.test(start.pathname);
  let startPage: FetchedPage | undefined;
  let startFailed = false;
  if (startIsXmlPath || startRobots.isAllowed(start.href)) {
    try {
      startPage = await fetchPage(start.href, startIsXmlPath ? sitemapOpts : pageOpts);
    } catch (err) {
      if (err instanceof CrawlError && (err.code === 'blocked_host' || err.code === 'bad_url')) throw err;
      // The start page may be down while its sitemap is fine: discovery goes on without it.
      startFailed = true;
    }
  }
  const startSitemap = startPage ? parseSitemap(startPage) : null;
  // A redirect (http → https, bare → www) says where the site really is: both count as the site.
  const siteUrls = [start, ...(startPage ? [new URL(startPage.finalUrl)] : [])];

  // Where the pages are listed: the start URL as a sitemap, robots.txt's sitemaps, /sitemap.xml.
  let sitemap: SitemapsRead;
  if (startSitemap) sitemap = await readSitemaps([start.href], sitemapOpts, opts.concurrency, startPage);
  else {
    sitemap = await readSitemaps(startRobots.sitemaps, sitemapOpts, opts.concurrency);
    const guess = `${start.origin}/sitemap.xml`;
    if (sitemap.entries.length === 0 && !startRobots.sitemaps.includes(guess)) {
      const guessed = await readSitemaps([guess], sitemapOpts, opts.concurrency);
      // Most sites without a Sitemap: line have no sitemap at all: a missing /sitemap.xml is no news.
      sitemap = {
        entries: guessed.entries,
        skipped: [...sitemap.skipped, ...guessed.skipped.filter((s) => s.url !== guess)],
        firstValid: guessed.entries.length > 0 ? guessed.firstValid : sitemap.firstValid,
      };
    }
  }
  skipped.push(...sitemap.skipped);
  const fromSitemap = sitemap.entries.length > 0;

  // The start page first (one robots.txt disallows is reported below), then the listed pages or,
  // with no sitemap, the start page's links.
  const candidates: Array<{ url: string; lastmod?: string }> = [];
  const startIsPage = startPage !== undefined && !startSitemap && isHtmlPage(startPage);
  if (!startSitemap) {
    if (startFailed || (startPage && !startIsPage)) {
      skipped.push({ url: start.href, reason: startFailed ? 'fetch_error' : 'not_html' });
      seen.add(start.href);
    } else candidates.push({ url: start.href });
  }
  if (fromSitemap) candidates.push(...sitemap.entries.map((e) => ({ url: e.loc, ...(e.lastmod ? { lastmod: e.lastmod } : {}) })));
  else if (startPage && startIsPage) candidates.push(...extractLinks(startPage).map((url) => ({ url })));

  const pages: string[] = [];
  const lastModified: Record<string, string> = {};
  for (const candidate of candidates) {
    const url = normalizePageUrl(candidate.url);
    if (!url) {
      skipped.push({ url: candidate.url, reason: 'bad_url' });
      continue;
    }
    if (seen.has(url)) continue;
    seen.add(url);
    const parsed = new URL(url);
    if (!siteUrls.some((s) => isSameSite(s, parsed))) {
      skipped.push({ url, reason: 'external' });
      continue;
    }
    if (NON_PAGE_EXTENSION.test(parsed.pathname)) {
      skipped.push({ url, reason: 'not_html' });
      continue;
    }
    const robots = await robotsFor(parsed.origin);
    if (!robots.isAllowed(url)) {
      skipped.push({ url, reason: 'robots' });
      continue;
    }
    if (pages.length >= opts.maxPages) {
      skipped.push({ url, reason: 'page_cap' });
      continue;
    }
    pages.push(url);
    if (candidate.lastmod) lastModified[url] = candidate.lastmod;
  }
  return { pages, skipped, sitemapUrl: fromSitemap ? sitemap.firstValid : null, lastModified };
}

function extractLinks(page: FetchedPage): string[] {
  const { document } = parseHTML(page.body);
  const baseHref = document.querySelector('base[href]')?.getAttribute('href');
  const base = (baseHref && normalizePageUrl(baseHref, page.finalUrl)) || page.finalUrl;
  const links: string[] = [];
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    const href = a.getAttribute('href')?.trim();
    if (!href || /^(mailto|tel|javascript|data|sms|whatsapp):/i.test(href)) continue;
    try {
      links.push(new URL(href, base).href);
    } catch {
      links.push(href); // reported as bad_url
    }
  }
  return links;
}

// ---------------------------------------------------------------------------------------------
// Sitemaps (sitemaps.org protocol: urlset and sitemapindex, optionally gzip'd).

interface SitemapEntry {
  loc: string;
  lastmod?: string;
}

type ParsedSitemap = { kind: 'urlset'; entries: SitemapEntry[] } | { kind: 'index'; sitemaps: string[] };

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'url' || name === 'sitemap',
});

function parseSitemap(page: FetchedPage): ParsedSitemap | null {
  let bytes = page.bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes, { maxOutputLength: SITEMAP_MAX_BYTES });
    } catch {
      return null;
    }
  }
  const text = new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
  if (!/^\s*</.test(text)) return null;
  let doc: unknown;
  try {
    doc = xmlParser.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(doc)) return null;
  const urlset = doc.urlset;
  if (isRecord(urlset) || urlset === '') {
    const urls = isRecord(urlset) && Array.isArray(urlset.url) ? urlset.url : [];
    const entries: SitemapEntry[] = [];
    for (const u of urls) {
      if (!isRecord(u) || typeof u.loc !== 'string' || u.loc === '') continue;
      entries.push({ loc: u.loc, ...(typeof u.lastmod === 'string' && u.lastmod ? { lastmod: u.lastmod } : {}) });
    }
    return { kind: 'urlset', entries };
  }
  const index = doc.sitemapindex;
  if (isRecord(index) || index === '') {
    const items = isRecord(index) && Array.isArray(index.sitemap) ? index.sitemap : [];
    return { kind: 'index', sitemaps: items.flatMap((s) => (isRecord(s) && typeof s.loc === 'string' && s.loc ? [s.loc] : [])) };
  }
  return null;
}

/**
 * Reads sitemaps breadth-first (index files nest up to MAX_SITEMAP_DEPTH levels), a few at a time,
 * keeping the order they list pages in. `firstValid` is the first root that parsed as a sitemap.
 */
interface SitemapsRead {
  entries: SitemapEntry[];
  skipped: SkippedPage[];
  firstValid: string | null;
}

async function readSitemaps(roots: string[], opts: FetchPageOptions, concurrency: number, prefetched?: FetchedPage): Promise<SitemapsRead> {
  const limit = pLimit(concurrency);
  const entries: SitemapEntry[] = [];
  const skipped: SkippedPage[] = [];
  const visited = new Set<string>();
  let firstValid: string | null = null;
  let level = roots;
  for (let depth = 0; level.length > 0; depth++) {
    const todo: string[] = [];
    for (const url of level) {
      if (visited.has(url)) continue;
      if (depth > MAX_SITEMAP_DEPTH || visited.size >= MAX_SITEMAPS) skipped.push({ url, reason: 'sitemap_limit' });
      else {
        visited.add(url);
        todo.push(url);
      }
    }
    const results = await Promise.all(
      todo.map((url) =>
        limit(async () => {
          try {
            const page = prefetched && prefetched.url === url ? prefetched : await fetchPage(url, opts);
            return { url, parsed: parseSitemap(page) };
          } catch {
            return { url, parsed: null };
          }
        }),
      ),
    );
    const next: string[] = [];
    for (const { url, parsed } of results) {
      if (!parsed) {
        skipped.push({ url, reason: 'sitemap_error' });
        continue;
      }
      if (depth === 0 && firstValid === null) firstValid = url;
      if (parsed.kind === 'urlset') entries.push(...parsed.entries);
      else
        for (const child of parsed.sitemaps) {
          const childUrl = normalizePageUrl(child, url);
          if (childUrl) next.push(childUrl);
          else skipped.push({ url: child, reason: 'bad_url' });
        }
    }
    level = next;
  }
  return { entries, skipped, firstValid };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
