/**
 * The website crawler (page fetching, robots.txt, sitemap discovery) against testkit's local
 * Kopi Nusantara site, plus small raw servers for what a well-behaved site never does.
 */
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FAKE_SITE_DISALLOWED_PATH, FAKE_SITE_EXTERNAL_LINKS, startFakeSite, type FakeSite, type FakeSiteOptions } from '@sapa/testkit/fakes';
import {
  assertAllowedByRobots,
  classifyAddress,
  CrawlError,
  DEFAULT_USER_AGENT,
  discoverSitePages,
  fetchPage,
  isAllowedByRobots,
  isHtmlPage,
  isSameSite,
  requireHtml,
  type DiscoverOptions,
  type FetchPageOptions,
} from '../src/rag/crawl';

const fetchOpts: FetchPageOptions = { allowPrivateHosts: true, maxBytes: 1_000_000, timeoutMs: 5_000, userAgent: DEFAULT_USER_AGENT };
const discoverOpts: DiscoverOptions = { ...fetchOpts, maxPages: 50, concurrency: 4 };
const robotsOpts = { allowPrivateHosts: true, userAgent: DEFAULT_USER_AGENT, timeoutMs: 5_000 };

const sites: FakeSite[] = [];
async function site(opts?: FakeSiteOptions): Promise<FakeSite> {
  const s = await startFakeSite(opts);
  sites.push(s);
  return s;
}
const servers: http.Server[] = [];
async function rawServer(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

afterEach(async () => {
  for (const s of sites.splice(0)) await s.close();
});
afterAll(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

async function crawlError(promise: Promise<unknown>): Promise<CrawlError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrawlError);
  return err as CrawlError;
}

const publicPaths = ['/', '/menu', '/pengiriman', '/pembayaran', '/jam-buka', '/pengembalian', '/promo'];

describe('discoverSitePages', () => {
  it("finds the sitemap robots.txt names, respects SapaBot's Disallow, drops other sites and fragments", async () => {
    const s = await site({ sitemap: 'robots' });
    const found = await discoverSitePages(`${s.url}/`, discoverOpts);

    expect(found.sitemapUrl).toBe(`${s.url}/sitemap-kopi.xml`);
    expect(found.pages).toEqual(publicPaths.map((p) => s.url + p));
    expect(found.skipped).toEqual(
      expect.arrayContaining([
        { url: `${s.url}${FAKE_SITE_DISALLOWED_PATH}`, reason: 'robots' },
        { url: FAKE_SITE_EXTERNAL_LINKS[0], reason: 'external' },
      ]),
    );
    expect(found.skipped).toHaveLength(2); // `/menu#kopi-susu` is `/menu` again: silently one page
    expect(found.lastModified[`${s.url}/menu`]).toBe('2024-05-01T08:00:00+07:00');

    expect(s.requests).toContain('/robots.txt');
    expect(s.requests).toContain('/sitemap-kopi.xml');
    expect(s.requests).not.toContain('/sitemap.xml'); // robots.txt answered the question
    expect(s.requests).not.toContain(FAKE_SITE_DISALLOWED_PATH); // never fetched, not even once
  });

  it('tries /sitemap.xml when robots.txt names no sitemap', async () => {
    const s = await site({ sitemap: 'default' });
    const found = await discoverSitePages(s.url, discoverOpts);
    expect(found.sitemapUrl).toBe(`${s.url}/sitemap.xml`);
    expect(found.pages).toEqual(publicPaths.map((p) => s.url + p));
  });

  it('reads a sitemap index and its child sitemaps', async () => {
    const s = await site({ sitemap: 'index' });
    const found = await discoverSitePages(s.url, discoverOpts);
    expect(found.sitemapUrl).toBe(`${s.url}/sitemap.xml`);
    expect([...found.pages].sort()).toEqual(publicPaths.map((p) => s.url + p).sort());
    expect(s.requests).toEqual(expect.arrayContaining(['/sitemap.xml', '/sitemaps/halaman.xml', '/sitemaps/info.xml']));
    expect(found.skipped).toContainEqual({ url: `${s.url}${FAKE_SITE_DISALLOWED_PATH}`, reason: 'robots' });
  });

  it('reads a sitemap given as the start URL', async () => {
    const s = await site({ sitemap: 'default' });
    const found = await discoverSitePages(`${s.url}/sitemap.xml`, discoverOpts);
    expect(found.sitemapUrl).toBe(`${s.url}/sitemap.xml`);
    expect(found.pages).toEqual(publicPaths.map((p) => s.url + p));
    expect(found.pages).not.toContain(`${s.url}/sitemap.xml`);
  });

  it("falls back to the start page's same-site links when there is no sitemap", async () => {
    const s = await site({ sitemap: 'none' });
    const found = await discoverSitePages(`${s.url}/`, discoverOpts);
    expect(found.sitemapUrl).toBeNull();
    // Nav links (the /promo-lama redirect among them, to be followed when fetched), `/menu#kopi-susu` folded into /menu.
    expect(found.pages).toEqual(['/', '/menu', '/pengiriman', '/pembayaran', '/jam-buka', '/pengembalian', '/promo-lama'].map((p) => s.url + p));
    expect(found.skipped).toEqual(
      expect.arrayContaining([
        { url: `${s.url}/menu.pdf`, reason: 'not_html' },
        { url: FAKE_SITE_EXTERNAL_LINKS[0], reason: 'external' },
        { url: FAKE_SITE_EXTERNAL_LINKS[1], reason: 'external' },
      ]),
    );
    expect(found.skipped.some((x) => x.url.startsWith('mailto:'))).toBe(false);
    expect(s.requests.filter((p) => p !== '/robots.txt' && p !== '/sitemap.xml')).toEqual(['/']); // one level: only the start page
  });

  it('reads a gzip-compressed sitemap', async () => {
    const base = await rawServer((req, res) => {
      if (req.url === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\nSitemap: /peta.xml.gz\n');
      if (req.url === '/peta.xml.gz') {
        const xml = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${base}/a</loc></url><url><loc>${base}/b?x=1&amp;y=2</loc></url></urlset>`;
        return void res.writeHead(200, { 'content-type': 'application/x-gzip' }).end(gzipSync(xml));
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Beranda</body></html>');
    });
    const found = await discoverSitePages(base, discoverOpts);
    expect(found.sitemapUrl).toBe(`${base}/peta.xml.gz`);
    expect(found.pages).toEqual([`${base}/`, `${base}/a`, `${base}/b?x=1&y=2`]);
  });

  it('reports pages beyond maxPages as page_cap', async () => {
    const s = await site();
    const found = await discoverSitePages(s.url, { ...discoverOpts, maxPages: 3 });
    expect(found.pages).toEqual(['/', '/menu', '/pengiriman'].map((p) => s.url + p));
    expect(found.skipped.filter((x) => x.reason === 'page_cap').map((x) => x.url)).toEqual(['/pembayaran', '/jam-buka', '/pengembalian', '/promo'].map((p) => s.url + p));
  });

  it('follows the site as it changes: removed pages leave, new pages arrive with a new lastmod', async () => {
    const s = await site();
    s.removePage('/promo');
    s.setPage('/menu-baru', { title: 'Menu Baru', body: '<p>Es Kopi Kelapa: Rp 26.000</p>' });
    const found = await discoverSitePages(s.url, discoverOpts);
    expect(found.pages).not.toContain(`${s.url}/promo`);
    expect(found.pages).toContain(`${s.url}/menu-baru`);
    expect(found.lastModified[`${s.url}/menu-baru`]).not.toBe('2024-05-01T08:00:00+07:00');
    const page = await fetchPage(`${s.url}/menu-baru`, fetchOpts);
    expect(page.body).toContain('Es Kopi Kelapa: Rp 26.000');
    await expect(fetchPage(`${s.url}/promo`, fetchOpts)).rejects.toMatchObject({ code: 'http_error', status: 404 });
  });

  it('refuses a loopback site unless private hosts are allowed', async () => {
    const s = await site();
    const err = await crawlError(discoverSitePages(s.url, { ...discoverOpts, allowPrivateHosts: false }));
    expect(err.code).toBe('blocked_host');
    expect(s.requests).toEqual([]); // refused before any request
    expect((await discoverSitePages(s.url, discoverOpts)).pages.length).toBeGreaterThan(0);
  });
});

describe('fetchPage', () => {
  it('fetches an HTML page with its final URL, type and decoded body', async () => {
    const s = await site();
    const page = await fetchPage(`${s.url}/pengiriman`, fetchOpts);
    expect(page).toMatchObject({ url: `${s.url}/pengiriman`, finalUrl: `${s.url}/pengiriman`, status: 200, contentType: 'text/html; charset=utf-8' });
    expect(page.body).toContain('Ongkir Jabodetabek flat Rp 15.000');
    expect(page.body).toContain('2–5 hari kerja'); // UTF-8 en dash survives decoding
    expect(page.bytes.length).toBe(Buffer.byteLength(page.body));
    expect(isHtmlPage(page)).toBe(true);
  });

  it('blocks 127.0.0.1 when private hosts are not allowed, and hosts that resolve to private addresses', async () => {
    const s = await site();
    expect((await crawlError(fetchPage(`${s.url}/`, { ...fetchOpts, allowPrivateHosts: false }))).code).toBe('blocked_host');
    expect(s.requests).toEqual([]);
    const strict = { ...fetchOpts, allowPrivateHosts: false };
    for (const url of ['http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0/', 'http://2130706433/', 'http://10.0.0.8/', 'http://[fd00::1]/']) {
      expect((await crawlError(fetchPage(url, strict))).code, url).toBe('blocked_host');
    }
    const lookup = async (host: string) => (host === 'kopi.test' ? ['10.1.2.3'] : ['93.184.216.34', 'fd12:3456::1']);
    expect((await crawlError(fetchPage('http://kopi.test/', { ...strict, lookup }))).code).toBe('blocked_host');
    // One private address among public ones is enough to refuse (the client may pick any of them).
    expect((await crawlError(fetchPage('https://mixed.test/', { ...strict, lookup }))).code).toBe('blocked_host');
  });

  it('follows redirects hop by hop, checking every new host', async () => {
    const s = await site();
    const promo = await fetchPage(`${s.url}/promo-lama`, fetchOpts);
    expect(promo.finalUrl).toBe(`${s.url}/promo`);
    expect(promo.body).toContain('Promo Bulan Ini');

    const port = new URL(s.url).port;
    s.setRedirect('/ke-localhost', `http://localhost:${port}/menu`, 302);
    expect((await fetchPage(`${s.url}/ke-localhost`, fetchOpts)).finalUrl).toBe(`http://localhost:${port}/menu`);

    // A public-looking page must not bounce the crawler to the cloud metadata service.
    s.setRedirect('/ke-metadata', 'http://169.254.169.254/latest/meta-data/', 302);
    const blocked = await crawlError(fetchPage(`${s.url}/ke-metadata`, fetchOpts));
    expect(blocked.code).toBe('blocked_host');
    expect(blocked.message).toContain('169.254.169.254');

    s.setRedirect('/ke-ftp', 'ftp://files.example.com/menu.txt');
    expect((await crawlError(fetchPage(`${s.url}/ke-ftp`, fetchOpts))).code).toBe('bad_url');

    for (let i = 0; i < 6; i++) s.setRedirect(`/r${i}`, `/r${i + 1}`);
    s.setPage('/r6', { title: 'Akhir' });
    expect((await fetchPage(`${s.url}/r1`, fetchOpts)).finalUrl).toBe(`${s.url}/r6`); // 5 redirects: fine
    expect((await crawlError(fetchPage(`${s.url}/r0`, fetchOpts))).code).toBe('http_error'); // 6: too many
  });

  it('stops reading at maxBytes, with or without a Content-Length', async () => {
    const s = await site();
    expect((await crawlError(fetchPage(`${s.url}/menu`, { ...fetchOpts, maxBytes: 500 }))).code).toBe('too_large');
    const chunked = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      for (let i = 0; i < 50; i++) res.write(`<p>${'kopi '.repeat(200)}</p>`);
      res.end();
    });
    expect((await crawlError(fetchPage(chunked, { ...fetchOpts, maxBytes: 10_000 }))).code).toBe('too_large');
    expect((await fetchPage(chunked, fetchOpts)).bytes.length).toBeGreaterThan(10_000);
  });

  it('tells HTML from other content types', async () => {
    const s = await site();
    const pdf = await fetchPage(`${s.url}/menu.pdf`, fetchOpts);
    expect(pdf.contentType).toBe('application/pdf');
    expect(isHtmlPage(pdf)).toBe(false);
    expect(() => requireHtml(pdf)).toThrow(expect.objectContaining({ code: 'not_html' }));
    const found = await discoverSitePages(`${s.url}/menu.pdf`, discoverOpts);
    expect(found.skipped).toContainEqual({ url: `${s.url}/menu.pdf`, reason: 'not_html' });
    expect(found.pages).not.toContain(`${s.url}/menu.pdf`);
  });

  it('reports HTTP errors, bad URLs and timeouts with their codes', async () => {
    const s = await site();
    expect(await crawlError(fetchPage(`${s.url}/tidak-ada`, fetchOpts))).toMatchObject({ code: 'http_error', status: 404 });
    expect((await crawlError(fetchPage('file:///etc/passwd', fetchOpts))).code).toBe('bad_url');
    expect((await crawlError(fetchPage('not a url', fetchOpts))).code).toBe('bad_url');
    const silent = await rawServer(() => {
      // never answers
    });
    expect((await crawlError(fetchPage(silent, { ...fetchOpts, timeoutMs: 300 }))).code).toBe('timeout');
  });

  it('decodes the charset the server declares', async () => {
    const latin1 = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=iso-8859-1' });
      res.end(Buffer.from('<p>Caf\xe9 Kopi</p>', 'latin1'));
    });
    expect((await fetchPage(latin1, fetchOpts)).body).toBe('<p>Café Kopi</p>');
  });
});

describe('robots.txt', () => {
  it("answers for single URLs with SapaBot's rules", async () => {
    const s = await site();
    expect(await isAllowedByRobots(`${s.url}/menu`, robotsOpts)).toBe(true);
    expect(await isAllowedByRobots(`${s.url}${FAKE_SITE_DISALLOWED_PATH}`, robotsOpts)).toBe(false);
    expect(await isAllowedByRobots(`${s.url}/keranjang`, robotsOpts)).toBe(false);
    await expect(assertAllowedByRobots(`${s.url}${FAKE_SITE_DISALLOWED_PATH}`, robotsOpts)).rejects.toMatchObject({ code: 'robots_disallowed' });
  });

  it('allows everything when there is no robots.txt, and nothing while it answers 5xx', async () => {
    const s = await site({ robots: null });
    expect(await isAllowedByRobots(`${s.url}${FAKE_SITE_DISALLOWED_PATH}`, robotsOpts)).toBe(true);
    const broken = await rawServer((_req, res) => {
      res.writeHead(503).end('maintenance');
    });
    expect(await isAllowedByRobots(`${broken}/menu`, robotsOpts)).toBe(false);
  });
});

describe('address and site rules', () => {
  it('classifies addresses', () => {
    const cases: Record<string, 'public' | 'private' | 'never'> = {
      '8.8.8.8': 'public',
      '172.32.0.1': 'public',
      '2001:4860:4860::8888': 'public',
      '::ffff:8.8.8.8': 'public',
      '127.0.0.1': 'private',
      '10.1.2.3': 'private',
      '172.16.5.4': 'private',
      '192.168.1.1': 'private',
      '100.64.0.1': 'private',
      '::1': 'private',
      'fc00::1': 'private',
      'fd12:3456::1': 'private',
      '::ffff:127.0.0.1': 'private',
      '::ffff:7f00:1': 'private',
      '64:ff9b::a00:1': 'private',
      '2002:c0a8:101::1': 'private',
      '0.0.0.0': 'never',
      '::': 'never',
      '169.254.169.254': 'never',
      'fe80::1': 'never',
      '::ffff:169.254.169.254': 'never',
      '224.0.0.1': 'never',
    };
    for (const [address, kind] of Object.entries(cases)) expect(classifyAddress(address), address).toBe(kind);
  });

  it('treats www. variants as the same site, other schemes and ports as others', () => {
    expect(isSameSite('https://kopinusantara.id/menu', 'https://www.kopinusantara.id/')).toBe(true);
    expect(isSameSite('https://kopinusantara.id/', 'http://kopinusantara.id/')).toBe(false);
    expect(isSameSite('https://kopinusantara.id/', 'https://kopinusantara.id:8443/')).toBe(false);
    expect(isSameSite('https://kopinusantara.id/', 'https://blog.kopinusantara.id/')).toBe(false);
  });
});
