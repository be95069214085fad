/**
 * The demo shop page `npm start` links to: a small Indonesian shop's landing page that embeds the
 * widget with the one-line snippet. Its global CSS is deliberately hostile (red serif text, boxed
 * divs, hidden buttons, transforms) so anyone looking can see that none of it reaches the widget.
 */
import type { Locale } from '@sapa/shared/i18n';

export interface DemoPageOptions {
  /** Absolute URL of the gateway's widget.js. */
  scriptUrl: string;
  publicId: string;
  shopName: string;
  /** Sets data-lang on the snippet; omitted, the widget starts in Bahasa Indonesia. */
  widgetLang?: Locale;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const HOSTILE_CSS = `
  /* Deliberately hostile global CSS: the chat widget must look the same despite all of it. */
  * { color: #b91c1c !important; font-family: Georgia, "Times New Roman", serif !important; letter-spacing: 0.5px; }
  div { border: 5px solid #b91c1c; padding: 10px; transform: translateZ(0); }
  button, textarea, input { display: none !important; }
  [class*="sapa"] { display: none !important; background: yellow !important; }
  body { font-size: 19px; line-height: 2.2; margin: 0; background: #fffbeb; }
  html { font-size: 22px; }
`;

const PAGE_CSS = `
  header, main, footer { max-width: 960px; margin: 0 auto; padding: 16px 24px; }
  nav a { margin-right: 18px; }
  .hero h1 { font-size: 2.2em; margin: 0.3em 0; }
  .products { display: flex; flex-wrap: wrap; gap: 16px; }
  .product { flex: 1 1 220px; }
  .price { font-weight: bold; }
  .cta { display: inline-block; padding: 6px 16px; border: 2px solid; text-decoration: none; }
  table { border-collapse: collapse; }
  td { padding: 2px 16px 2px 0; }
  code { word-break: break-all; }
`;

export function renderDemoPage(opts: DemoPageOptions): string {
  const shop = escapeHtml(opts.shopName);
  const snippet =
    `<script src="${escapeHtml(opts.scriptUrl)}" data-chatbot="${escapeHtml(opts.publicId)}"` +
    (opts.widgetLang ? ` data-lang="${escapeHtml(opts.widgetLang)}"` : '') +
    ' async></script>';
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${shop} — Belanja kebutuhan harian</title>
<style>${HOSTILE_CSS}${PAGE_CSS}</style>
</head>
<body>
<header>
  <nav><a href="#produk">Produk</a><a href="#jam">Jam buka</a><a href="#kirim">Pengiriman</a><a href="#retur">Retur</a></nav>
</header>
<main>
  <section class="hero">
    <h1>${shop}</h1>
    <p id="tagline">Kopi susu, biji kopi Nusantara, dan seduhan manual — ambil di toko atau kami antar ke seluruh Indonesia.</p>
    <p>Ada pertanyaan? Klik tombol chat di pojok kanan bawah, misalnya: <em>"Halo, jam berapa toko buka?"</em></p>
  </section>
  <section id="produk">
    <h2>Produk pilihan</h2>
    <div class="products">
      <div class="product"><h3>Kopi Susu Gula Aren</h3><p class="price">Rp 18.000</p><a class="cta" href="#produk">Beli</a></div>
      <div class="product"><h3>Cappuccino</h3><p class="price">Rp 22.000</p><a class="cta" href="#produk">Beli</a></div>
      <div class="product"><h3>Biji Arabika Gayo 250 g</h3><p class="price">Rp 85.000</p><a class="cta" href="#produk">Beli</a></div>
    </div>
  </section>
  <section id="jam">
    <h2>Jam buka</h2>
    <table>
      <tr><td>Senin – Sabtu</td><td>08.00 – 21.00 WIB</td></tr>
      <tr><td>Minggu</td><td>10.00 – 18.00 WIB</td></tr>
      <tr><td>Hari libur nasional</td><td>Tutup</td></tr>
    </table>
  </section>
  <section id="kirim">
    <h2>Pengiriman</h2>
    <p>Ke seluruh Indonesia lewat JNE dan SiCepat; pesanan sebelum jam 14.00 dikirim hari yang sama. Area Jakarta bisa COD.</p>
  </section>
  <section id="retur">
    <h2>Retur</h2>
    <p>Barang rusak atau salah kirim bisa ditukar dalam 7 hari dengan video unboxing.</p>
  </section>
  <section>
    <h2>Pasang widget ini di situs Anda</h2>
    <p>Satu baris, sebelum <code>&lt;/body&gt;</code>:</p>
    <p><code>${escapeHtml(snippet)}</code></p>
    <p>Halaman ini sengaja memakai CSS global yang "nakal" (teks merah bergaya serif, kotak tebal di setiap div, semua tombol disembunyikan). Widget chat tetap tampil rapi karena berada di dalam Shadow DOM.</p>
  </section>
</main>
<footer><p>&copy; ${shop} · Jl. Kemang Raya No. 10, Jakarta Selatan</p></footer>
${snippet}
</body>
</html>
`;
}
