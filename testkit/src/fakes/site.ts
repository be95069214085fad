/**
 * A small local website for crawler and website-knowledge tests: a node:http server on loopback
 * serving a realistic Indonesian coffee shop ("Kopi Nusantara": menu and prices, ongkir, COD,
 * opening hours, returns) with what real sites have: `/robots.txt` with a `Sitemap:` line and a
 * `Disallow:` rule for SapaBot, `/sitemap.xml` (a urlset with `lastmod`, or a sitemap index with
 * two child sitemaps), links to other sites and to `#fragments`, a redirect, non-HTML assets and
 * 404s. It is mutable for re-sync tests (`setPage`, `removePage`, `setRedirect`) and records every
 * path requested (`requests`) so a test can tell what was fetched again and what was not.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import { closeServer, listenOnLoopback } from './http-kit';

export interface FakeSitePage {
  title: string;
  /** The whole document; when absent one is rendered from `title` and `body`. */
  html?: string;
  /** HTML for the page's main content (rendered inside the site's layout). */
  body?: string;
}

export type FakeSiteSitemapMode =
  /** robots.txt names a sitemap at a non-default path (`/sitemap-kopi.xml`); `/sitemap.xml` is 404. */
  | 'robots'
  /** robots.txt has no `Sitemap:` line; the sitemap is at `/sitemap.xml`. */
  | 'default'
  /** No sitemap anywhere: a crawler has to follow the home page's links. */
  | 'none'
  /** `/sitemap.xml` (named in robots.txt) is a sitemap index of two child sitemaps. */
  | 'index';

export interface FakeSiteOptions {
  pages?: Record<string, FakeSitePage>;
  /** The robots.txt body; `null` serves a 404. Default: SapaBot may not read `/internal/`. */
  robots?: string | null;
  sitemap?: FakeSiteSitemapMode;
}

interface StoredPage extends FakeSitePage {
  lastmod: string;
}

interface Redirect {
  location: string;
  status: number;
}

/** Where the default site links to outside itself. */
export const FAKE_SITE_EXTERNAL_LINKS = ['https://www.instagram.com/kopinusantara.id', 'https://wa.me/6281234567890'];
/** A path SapaBot is disallowed from by the default robots.txt (and listed in the sitemap). */
export const FAKE_SITE_DISALLOWED_PATH = '/internal/harga-grosir';

const DEFAULT_LASTMOD = '2024-05-01T08:00:00+07:00';

export class FakeSite {
  /** Every request's path (with its query), in order. */
  readonly requests: string[] = [];
  private readonly pages = new Map<string, StoredPage>();
  private readonly redirects = new Map<string, Redirect>();
  private readonly robots: string | null;
  private readonly sitemapMode: FakeSiteSitemapMode;
  private readonly server: http.Server;
  private port = 0;

  constructor(opts: FakeSiteOptions = {}) {
    for (const [path, page] of Object.entries(opts.pages ?? kopiNusantaraPages())) this.pages.set(checkPath(path), { ...page, lastmod: DEFAULT_LASTMOD });
    this.redirects.set('/promo-lama', { location: '/promo', status: 301 });
    this.sitemapMode = opts.sitemap ?? 'robots';
    this.robots = opts.robots === undefined ? DEFAULT_ROBOTS : opts.robots;
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  /** `http://127.0.0.1:<port>` (no trailing slash). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    this.port = await listenOnLoopback(this.server, 'site');
    return this;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  /** Adds or changes a page; it is (still) in the sitemap, with a new `lastmod`. */
  setPage(path: string, page: FakeSitePage): void {
    this.redirects.delete(checkPath(path));
    this.pages.set(path, { ...page, lastmod: new Date().toISOString() });
  }

  /** Removes a page: it answers 404 and leaves the sitemap. */
  removePage(path: string): void {
    this.pages.delete(checkPath(path));
  }

  /** Makes `path` redirect (absolute or relative `location`). */
  setRedirect(path: string, location: string, status: 301 | 302 | 303 | 307 | 308 = 301): void {
    this.pages.delete(checkPath(path));
    this.redirects.set(path, { location, status });
  }

  /** The paths the sitemap currently lists. */
  sitemapPaths(): string[] {
    return [...this.pages.keys()];
  }

  /** How many times a path (exactly, query included) was requested. */
  requestCount(path: string): number {
    return this.requests.filter((p) => p === path).length;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(url.pathname + url.search);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed');
      return;
    }
    const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      res.writeHead(status, { 'content-type': type, 'content-length': String(bytes.length), ...extra });
      res.end(req.method === 'HEAD' ? undefined : bytes);
    };
    const path = url.pathname;

    if (path === '/robots.txt') {
      if (this.robots === null) return send(404, 'text/html; charset=utf-8', notFoundPage());
      return send(200, 'text/plain; charset=utf-8', this.robotsText());
    }
    const sitemap = this.sitemapFor(path);
    if (sitemap !== undefined) return send(200, 'application/xml; charset=utf-8', sitemap);

    const redirect = this.redirects.get(path);
    if (redirect) {
      res.writeHead(redirect.status, { location: redirect.location, 'content-type': 'text/html; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `<a href="${escapeHtml(redirect.location)}">Pindah ke sini</a>`);
      return;
    }
    if (path === '/menu.pdf') return send(200, 'application/pdf', Buffer.from('%PDF-1.4\n% Menu Kopi Nusantara\n%%EOF\n'));
    if (path === '/logo.png') return send(200, 'image/png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));

    const page = this.pages.get(path);
    if (!page) return send(404, 'text/html; charset=utf-8', notFoundPage());
    const html = page.html ?? this.render(page);
    const etag = `"${createHash('sha1').update(html).digest('hex').slice(0, 16)}"`;
    const headers = { etag, 'last-modified': new Date(page.lastmod).toUTCString(), 'cache-control': 'no-cache' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    send(200, 'text/html; charset=utf-8', html, headers);
  }

  private robotsText(): string {
    const named = this.sitemapMode === 'robots' ? '/sitemap-kopi.xml' : this.sitemapMode === 'index' ? '/sitemap.xml' : undefined;
    return named ? `${this.robots}\nSitemap: ${this.url}${named}\n` : (this.robots ?? '');
  }

  private sitemapFor(path: string): string | undefined {
    const all = [...this.pages.entries()];
    switch (this.sitemapMode) {
      case 'robots':
        return path === '/sitemap-kopi.xml' ? this.urlset(all, true) : undefined;
      case 'default':
        return path === '/sitemap.xml' ? this.urlset(all, true) : undefined;
      case 'none':
        return undefined;
      case 'index': {
        // Information pages in one child sitemap, everything else in the other.
        const info = all.filter(([p]) => /^\/(pengiriman|pembayaran|jam-buka|pengembalian)/.test(p));
        const rest = all.filter((e) => !info.includes(e));
        if (path === '/sitemap.xml') return this.sitemapIndex(['/sitemaps/halaman.xml', '/sitemaps/info.xml']);
        if (path === '/sitemaps/halaman.xml') return this.urlset(rest, true);
        if (path === '/sitemaps/info.xml') return this.urlset(info, false);
        return undefined;
      }
    }
  }

  private urlset(entries: Array<[string, StoredPage]>, withExtras: boolean): string {
    const urls = entries.map(
      ([p, page]) => `  <url>\n    <loc>${escapeXml(this.url + p)}</loc>\n    <lastmod>${page.lastmod}</lastmod>\n    <changefreq>weekly</changefreq>\n  </url>`,
    );
    // Real sitemaps carry mistakes: a page on another site, and a fragment of a listed page.
    if (withExtras) {
      urls.push(`  <url><loc>${escapeXml(FAKE_SITE_EXTERNAL_LINKS[0]!)}</loc></url>`);
      if (this.pages.has('/menu')) urls.push(`  <url><loc>${escapeXml(`${this.url}/menu#kopi-susu`)}</loc></url>`);
    }
    return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`;
  }

  private sitemapIndex(paths: string[]): string {
    const items = paths.map((p) => `  <sitemap>\n    <loc>${escapeXml(this.url + p)}</loc>\n    <lastmod>${DEFAULT_LASTMOD}</lastmod>\n  </sitemap>`);
    return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${items.join('\n')}\n</sitemapindex>\n`;
  }

  private render(page: StoredPage): string {
    const nav = NAV.filter(([p]) => this.pages.has(p) || p === '/promo-lama')
      .map(([p, label]) => `<a href="${p}">${label}</a>`)
      .join(' | ');
    return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} | Kopi Nusantara</title>
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<header><a href="/"><img src="/logo.png" alt="Kopi Nusantara"></a><nav>${nav}</nav></header>
<main>
<h1>${escapeHtml(page.title)}</h1>
${page.body ?? ''}
</main>
<footer>
<p>Lihat juga <a href="/menu#kopi-susu">kopi susu kami</a>, unduh <a href="/menu.pdf">menu (PDF)</a>, atau <a href="#atas">kembali ke atas</a>.</p>
<p>Ikuti kami di <a href="${FAKE_SITE_EXTERNAL_LINKS[0]}">Instagram</a> · Chat <a href="${FAKE_SITE_EXTERNAL_LINKS[1]}">WhatsApp</a> · <a href="mailto:halo@kopinusantara.id">Email</a></p>
<p>&copy; 2024 Kopi Nusantara, Jl. Sabang No. 12, Jakarta Pusat</p>
</footer>
</body>
</html>
`;
  }
}

export async function startFakeSite(opts: FakeSiteOptions = {}): Promise<FakeSite> {
  return new FakeSite(opts).listen();
}

const DEFAULT_ROBOTS = `User-agent: *
Disallow: /keranjang

User-agent: SapaBot
Disallow: /keranjang
Disallow: /internal/
`;

const NAV: Array<[string, string]> = [
  ['/', 'Beranda'],
  ['/menu', 'Menu'],
  ['/pengiriman', 'Ongkir'],
  ['/pembayaran', 'Pembayaran & COD'],
  ['/jam-buka', 'Jam Buka'],
  ['/pengembalian', 'Pengembalian'],
  ['/promo-lama', 'Promo'],
];

/** The default Kopi Nusantara site. */
export function kopiNusantaraPages(): Record<string, FakeSitePage> {
  return {
    '/': {
      title: 'Beranda',
      body: `<p>Selamat datang di <strong>Kopi Nusantara</strong>, kedai kopi dan roastery kecil di Jakarta Pusat sejak 2019.
Kami menyangrai biji kopi dari Gayo, Toraja, Kintamani dan Flores setiap minggu.</p>
<p>Pesan lewat WhatsApp atau datang langsung ke kedai. Pengiriman ke seluruh Indonesia.</p>`,
    },
    '/menu': {
      title: 'Menu & Harga',
      body: `<h2 id="kopi-susu">Kopi susu</h2>
<ul>
<li>Kopi Susu Gula Aren: Rp 22.000</li>
<li>Kopi Susu Pandan: Rp 24.000</li>
<li>Es Kopi Susu 1 liter: Rp 85.000</li>
</ul>
<h2 id="manual-brew">Kopi hitam</h2>
<ul>
<li>Americano: Rp 20.000</li>
<li>V60 Gayo / Toraja / Kintamani: Rp 28.000</li>
</ul>
<h2 id="biji-kopi">Biji kopi (200 gram)</h2>
<ul>
<li>Arabika Gayo: Rp 95.000</li>
<li>Arabika Toraja Sapan: Rp 110.000</li>
<li>House Blend Nusantara: Rp 75.000</li>
</ul>`,
    },
    '/pengiriman': {
      title: 'Ongkos Kirim & Pengiriman',
      body: `<p>Ongkir Jabodetabek flat Rp 15.000 dengan kurir instan (GoSend/GrabExpress), sampai di hari yang sama untuk pesanan sebelum pukul 15.00.</p>
<p><strong>Gratis ongkir</strong> untuk pembelian minimal Rp 150.000 di Jabodetabek.</p>
<p>Luar Jabodetabek dikirim dengan JNE atau J&amp;T; ongkir dihitung saat checkout sesuai berat. Estimasi 2–5 hari kerja.</p>`,
    },
    '/pembayaran': {
      title: 'Pembayaran & COD',
      body: `<p>Kami menerima QRIS (semua e-wallet dan mobile banking), transfer BCA dan Mandiri.</p>
<p><strong>COD (bayar di tempat)</strong> tersedia untuk wilayah Jakarta dengan maksimal pesanan Rp 500.000. Siapkan uang pas untuk kurir.</p>`,
    },
    '/jam-buka': {
      title: 'Jam Buka & Lokasi',
      body: `<p>Senin–Jumat: 07.00–21.00 WIB. Sabtu–Minggu: 08.00–22.00 WIB. Tutup pada hari raya Idulfitri.</p>
<p>Alamat: Jl. Sabang No. 12, Menteng, Jakarta Pusat. Parkir motor tersedia.</p>`,
    },
    '/pengembalian': {
      title: 'Kebijakan Pengembalian',
      body: `<p>Biji kopi yang belum dibuka dapat dikembalikan dalam 7 hari sejak diterima. Sertakan foto kemasan dan nomor pesanan.</p>
<p>Jika produk rusak atau salah kirim, kami ganti tanpa biaya ongkir. Dana dikembalikan paling lambat 3 hari kerja.</p>`,
    },
    '/promo': {
      title: 'Promo Bulan Ini',
      body: `<p>Beli 2 biji kopi 200 gram, gratis 1 Kopi Susu Gula Aren. Berlaku sampai akhir bulan.</p>`,
    },
    [FAKE_SITE_DISALLOWED_PATH]: {
      title: 'Harga Grosir (internal)',
      body: `<p>Harga reseller: House Blend Rp 60.000 per 200 gram untuk pembelian minimal 20 bungkus.</p>`,
    },
  };
}

function checkPath(path: string): string {
  if (!path.startsWith('/')) throw new Error(`fake site paths start with "/": ${path}`);
  return path;
}

function notFoundPage(): string {
  return '<!doctype html><html lang="id"><head><title>404 Halaman tidak ditemukan</title></head><body><h1>Halaman tidak ditemukan</h1></body></html>';
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeXml(s: string): string {
  return escapeHtml(s).replace(/'/g, '&apos;');
}
