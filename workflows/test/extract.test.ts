/**
 * Document extraction on real generated files (pdfkit PDFs, docx-package DOCX) and on the ways
 * uploads go wrong: renamed files, binaries, encodings, passwords, scans, damage, size.
 */
import { describe, expect, it } from 'vitest';
import {
  ENCRYPTED_PDF_PASSWORD,
  SAMPLE_SHOP,
  encryptedDocx,
  encryptedPdf,
  largePdf,
  samplePdf,
  sampleCsv,
  sampleDocx,
  sampleHtml,
  sampleMarkdown,
  sampleText,
  scannedPagePng,
  scannedPdf,
  storedZip,
} from '@sapa/testkit/samples';
import {
  ExtractionError,
  extractDocument,
  extractHtml,
  htmlLinks,
  sniffFormat,
  type ExtractedDocument,
  type ExtractionErrorCode,
} from '../src/rag/extract';

const MB = 1024 * 1024;
const LIMIT = { maxBytes: 10 * MB };

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const extract = (data: Uint8Array, name?: string) => extractDocument(data, { ...LIMIT, ...(name ? { name } : {}) });
const allText = (doc: ExtractedDocument) => doc.sections.map((s) => s.text).join('\n\n');
const sectionUnder = (doc: ExtractedDocument, heading: string) => doc.sections.find((s) => s.heading === heading);

async function expectFailure(promise: Promise<unknown>, code: ExtractionErrorCode): Promise<ExtractionError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, `expected ExtractionError ${code}`).toBeInstanceOf(ExtractionError);
  expect((error as ExtractionError).code).toBe(code);
  return error as ExtractionError;
}

function expectSniffFailure(data: Uint8Array, code: ExtractionErrorCode, name?: string): ExtractionError {
  try {
    sniffFormat(data, name);
  } catch (err) {
    expect(err).toBeInstanceOf(ExtractionError);
    expect((err as ExtractionError).code).toBe(code);
    return err as ExtractionError;
  }
  throw new Error(`sniffFormat accepted the input; expected ${code}`);
}

describe('extracting each format', () => {
  it('PDF: text per page with page numbers, headings from larger type, the document title', async () => {
    const doc = await extract(await samplePdf(), 'katalog.pdf');
    expect(doc.format).toBe('pdf');
    expect(doc.title).toBe('Toko Batik Sekar — Katalog dan Kebijakan Toko');
    expect(new Set(doc.sections.map((s) => s.page))).toEqual(new Set([1, 2, 3]));

    const prices = doc.sections.find((s) => s.page === 1)!;
    expect(prices.heading).toBe('Toko Batik Sekar — Katalog dan Kebijakan Toko › Daftar Harga');
    expect(prices.text).toContain('Kain Batik Tulis Sekar Jagad (BTK-002): Rp 750.000, stok 6 potong.');

    const shipping = doc.sections.find((s) => s.page === 2)!;
    expect(shipping.heading).toMatch(/› Pengiriman dan Ongkir$/);
    expect(shipping.text).toContain('Ongkir ke Jakarta: Rp 22.000, estimasi 2–3 hari.');
    expect(shipping.text).toContain('COD) tersedia untuk wilayah Yogyakarta, Sleman, Bantul.');

    // A paragraph wrapped over two lines by the layout comes back as one line.
    const returns = doc.sections.find((s) => s.page === 3)!;
    expect(returns.text).toContain(
      'paling lambat 7 hari setelah diterima, dengan label masih terpasang dan belum dicuci.',
    );
    // Headings are not repeated inside the text.
    expect(returns.text).not.toContain('Retur dan Jam Buka');
  });

  it('PDF: custom pages keep their order and carry a heading over to a page without one', async () => {
    const pdf = await samplePdf({
      pages: [
        { heading: 'Cara Pemesanan', paragraphs: ['Pilih produk lalu kirim pesan WhatsApp ke admin.'] },
        { paragraphs: ['Admin membalas dengan total harga dan nomor rekening.'] },
      ],
    });
    const doc = await extract(pdf);
    expect(doc.sections).toEqual([
      { page: 1, heading: 'Cara Pemesanan', text: 'Pilih produk lalu kirim pesan WhatsApp ke admin.' },
      { page: 2, heading: 'Cara Pemesanan', text: 'Admin membalas dengan total harga dan nomor rekening.' },
    ]);
  });

  it('PDF: a 200-page document gives 200 page numbers, each with its own text', async () => {
    const doc = await extract(await largePdf(200));
    const pages = new Set(doc.sections.map((s) => s.page));
    expect(pages.size).toBe(200);
    expect(Math.min(...[...pages].map(Number))).toBe(1);
    expect(Math.max(...[...pages].map(Number))).toBe(200);
    const page137 = doc.sections.filter((s) => s.page === 137);
    expect(page137.map((s) => s.heading)).toContain('Toko Batik Sekar — Buku Panduan › Bagian 137: Koleksi Batik Tulis');
    expect(page137.map((s) => s.text).join('\n')).toContain('nomor katalog SKR-0137');
  });

  it('DOCX: headings become the heading path; list items and table rows are lines', async () => {
    const doc = await extract(await sampleDocx(), 'panduan.docx');
    expect(doc.format).toBe('docx');
    expect(doc.title).toBe('Toko Batik Sekar — Panduan Pelanggan');

    const root = 'Toko Batik Sekar — Panduan Pelanggan';
    const ongkir = sectionUnder(doc, `${root} › Pengiriman › Ongkir`);
    expect(ongkir?.text).toContain('- Jakarta: Rp 22.000 (2–3 hari)');
    expect(ongkir?.text).toContain('Gratis ongkir untuk belanja minimal Rp 500.000.');
    expect(sectionUnder(doc, `${root} › Pengiriman › Bayar di Tempat (COD)`)?.text).toBe(
      'COD tersedia untuk Yogyakarta, Sleman, Bantul.',
    );
    const prices = sectionUnder(doc, `${root} › Daftar Harga`);
    expect(prices?.text.split('\n')).toEqual([
      'Produk | Kode | Harga',
      ...SAMPLE_SHOP.products.map((p) => `${p.name} | ${p.sku} | Rp ${p.price.toLocaleString('id-ID')}`),
    ]);
    // Runs with different formatting join into one sentence.
    expect(sectionUnder(doc, `${root} › Retur`)?.text).toBe('Barang bisa ditukar paling lambat 7 hari setelah diterima.');
  });

  it('CSV: one section per row, "Header: value" lines, headed by the first cell', async () => {
    const doc = await extract(bytes(sampleCsv()), 'harga.csv');
    expect(doc.format).toBe('csv');
    expect(doc.sections).toHaveLength(SAMPLE_SHOP.products.length);
    expect(doc.sections[1]).toEqual({
      heading: 'Kain Batik Tulis Sekar Jagad',
      text: [
        'Nama Produk: Kain Batik Tulis Sekar Jagad',
        'Kode: BTK-002',
        'Harga (Rp): 750000',
        'Stok: 6',
        'Keterangan: Dibuat 3 bulan, "edisi terbatas"',
      ].join('\n'),
    });
  });

  it('CSV: semicolon and tab separated exports are detected', async () => {
    for (const delimiter of [';', '\t'] as const) {
      const doc = await extract(bytes(sampleCsv({ delimiter })), 'export.csv');
      expect(doc.format).toBe('csv');
      expect(doc.sections[0]!.text).toContain('Keterangan: Ukuran S, M, L, XL');
      expect(doc.sections[0]!.heading).toBe('Kemeja Batik Parang');
    }
    // A semicolon file without a telling name is still a table.
    expect(sniffFormat(bytes(sampleCsv({ delimiter: ';' })))).toBe('csv');
  });

  it('HTML: the main content with headings, table rows and list items; no nav, script, form, footer', async () => {
    const doc = await extract(bytes(sampleHtml()), 'pengiriman.html');
    expect(doc.format).toBe('html');
    expect(doc.title).toBe('Pengiriman & Ongkir — Toko Batik Sekar');
    const text = allText(doc);
    expect(sectionUnder(doc, 'Pengiriman & Ongkir › Ongkir')?.text).toContain('Jakarta | Rp 22.000 | 2–3 hari');
    expect(sectionUnder(doc, 'Pengiriman & Ongkir › Ongkir › Bayar di tempat (COD)')?.text).toContain('- Sleman');
    expect(sectionUnder(doc, 'Pengiriman & Ongkir › Retur')?.text).toContain('paling lambat 7 hari');
    for (const noise of ['Beranda', 'Katalog Produk', 'dataLayer', 'tracking pixel', 'Daftar newsletter', 'Kebijakan Privasi', '© 2025', 'font-family']) {
      expect(text).not.toContain(noise);
    }
  });

  it('HTML: a landing page keeps every block, even the short ones readability drops', () => {
    const doc = extractHtml(`<!doctype html><html><head><title>Warung Kopi Senja</title></head><body>
      <nav><a href="/">Home</a> <a href="/menu">Menu</a></nav>
      <div class="top-links"><a href="/">Beranda</a> · <a href="/promo">Promo</a> · <a href="/kontak">Kontak</a></div>
      <section><h1>Warung Kopi Senja</h1><p>Kopi susu gula aren sejak 2015.</p></section>
      <section><h2>Menu</h2><ul><li>Kopi susu Rp 18.000</li><li>Americano Rp 15.000</li></ul></section>
      <section><h2>Jam buka</h2><p>Setiap hari 07.00–22.00.</p></section>
      <div><h2>Tutup saat Lebaran</h2></div>
      <footer>© 2025 Warung Kopi Senja</footer></body></html>`);
    expect(doc.sections).toEqual([
      { heading: 'Warung Kopi Senja', text: 'Kopi susu gula aren sejak 2015.' },
      { heading: 'Warung Kopi Senja › Menu', text: '- Kopi susu Rp 18.000\n- Americano Rp 15.000' },
      { heading: 'Warung Kopi Senja › Jam buka', text: 'Setiap hari 07.00–22.00.' },
      // A heading with nothing under it is its own message.
      { heading: 'Warung Kopi Senja › Tutup saat Lebaran', text: 'Tutup saat Lebaran' },
    ]);
  });

  it('HTML: a product grid of links inside <main> is content, not a menu', () => {
    const products = ['Kemeja Batik Parang — Rp 185.000', 'Daster Batik Cap Kawung — Rp 95.000', 'Blus Batik Truntum — Rp 165.000'];
    const doc = extractHtml(`<html><body><div class="menu"><a href="/">Beranda</a><a href="/a">Katalog</a><a href="/b">Kontak</a></div>
      <main><h1>Katalog</h1><ul>${products.map((p, i) => `<li><a href="/produk/${i}">${p}</a></li>`).join('')}</ul></main></body></html>`);
    expect(doc.sections).toEqual([{ heading: 'Katalog', text: products.map((p) => `- ${p}`).join('\n') }]);
  });

  it('HTML: an article page loses the boilerplate readability recognises', () => {
    const paragraph = (n: number) =>
      `<p>Paragraf ${n}: batik tulis dikerjakan dengan canting dan malam panas, lembar demi lembar, sehingga setiap kain punya guratan yang sedikit berbeda dan tidak bisa ditiru mesin cetak.</p>`;
    const doc = extractHtml(`<html><head><title>Cara membuat batik tulis</title></head><body>
      <div class="content"><h1>Cara membuat batik tulis</h1>${[1, 2, 3, 4, 5, 6].map(paragraph).join('')}</div>
      <div class="sidebar widget"><p>Langganan kabar promo</p></div>
      </body></html>`);
    const text = allText(doc);
    expect(text).toContain('Paragraf 6: batik tulis dikerjakan dengan canting');
    expect(text).not.toContain('Langganan kabar promo');
  });

  it('HTML links: absolute http(s) addresses, resolved against <base>, without fragments or duplicates', () => {
    const html = `<html><head><base href="https://batiksekar.example/toko/"></head><body>
      <a href="katalog">Katalog</a> <a href="/pengiriman#ongkir">Ongkir</a> <a href="/pengiriman">Ongkir lagi</a>
      <a href="https://wa.me/6281234567890">WA</a> <a href="mailto:admin@batiksekar.example">Email</a>
      <a href="javascript:void(0)">x</a> <a href="tel:+62812">Telp</a></body></html>`;
    expect(htmlLinks(html, 'https://batiksekar.example/')).toEqual([
      'https://batiksekar.example/toko/katalog',
      'https://batiksekar.example/pengiriman',
      'https://wa.me/6281234567890',
    ]);
    expect(htmlLinks('<a href="../harga.html">Harga</a>', 'https://batiksekar.example/info/faq.html')).toEqual([
      'https://batiksekar.example/harga.html',
    ]);
  });

  it('Markdown: sections by heading path, link text with its URL, emphasis and table syntax removed', async () => {
    const doc = await extract(bytes(sampleMarkdown()), 'faq.md');
    expect(doc.format).toBe('md');
    expect(doc.title).toBe('Toko Batik Sekar');
    expect(sectionUnder(doc, 'Toko Batik Sekar')?.text).toBe(
      'Batik tulis dan batik cap asli Yogyakarta. Pesan lewat WhatsApp (https://wa.me/6281234567890) atau datang ke toko.',
    );
    const ongkir = sectionUnder(doc, 'Toko Batik Sekar › Pengiriman › Ongkir')!;
    expect(ongkir.text).toContain('- Ke Jakarta: Rp 22.000, estimasi 2–3 hari');
    expect(ongkir.text).toContain('Gratis ongkir untuk belanja minimal Rp 500.000.');
    expect(sectionUnder(doc, 'Toko Batik Sekar › Pengiriman › COD')).toBeDefined();
    expect(sectionUnder(doc, 'Toko Batik Sekar › Harga')?.text.split('\n')[1]).toBe('Kemeja Batik Parang | Rp 185.000');
    expect(sectionUnder(doc, 'Toko Batik Sekar › Retur')?.text).toContain('Baca kebijakan-retur.pdf untuk');
    expect(allText(doc)).not.toMatch(/\*|__|`|\|---/);
  });

  it('Markdown: setext headings, code fences, escapes and snake_case words survive', async () => {
    const md = [
      'Katalog Sekar',
      '=============',
      '',
      'Kode produk_baru, harga \\*belum\\* termasuk ongkir. Lihat <https://batiksekar.example>.',
      '',
      'Pemesanan',
      '---------',
      '',
      '1. Pilih motif',
      '   - [x] cek stok',
      '',
      '```',
      '# bukan heading',
      '```',
      '> Kutipan **tebal**',
    ].join('\n');
    const doc = await extract(bytes(md), 'katalog.md');
    expect(doc.title).toBe('Katalog Sekar');
    expect(doc.sections).toEqual([
      {
        heading: 'Katalog Sekar',
        text: 'Kode produk_baru, harga *belum* termasuk ongkir. Lihat https://batiksekar.example.',
      },
      { heading: 'Katalog Sekar › Pemesanan', text: '1. Pilih motif\n   - cek stok\n\n# bukan heading\nKutipan tebal' },
    ]);
  });

  it('TXT: the text with its paragraphs', async () => {
    const doc = await extract(bytes(sampleText()), 'info.txt');
    expect(doc.format).toBe('txt');
    expect(doc.sections).toHaveLength(1);
    expect(doc.sections[0]!.text).toContain('Jam buka: Senin–Sabtu 09.00–17.00 WIB, Minggu tutup.\nAlamat:');
    expect(doc.sections[0]!.text).toContain('\n\nRetur paling lambat 7 hari');
  });
});

describe('sniffing the format from the content', () => {
  it('a PDF named .txt is a PDF, and is extracted as one', async () => {
    const pdf = await samplePdf();
    expect(sniffFormat(pdf, 'catatan.txt')).toBe('pdf');
    expect((await extract(pdf, 'catatan.txt')).format).toBe('pdf');
  });

  it('a PDF after a few junk bytes is still a PDF; a note that mentions "%PDF-" is text', async () => {
    const prefixed = Buffer.concat([Buffer.from('\r\n\r\n'), await samplePdf()]);
    expect(sniffFormat(prefixed)).toBe('pdf');
    expect(allText(await extract(prefixed))).toContain('Ongkir ke Medan: Rp 45.000');
    expect(sniffFormat(bytes('Catatan: file yang diawali %PDF-1.7 adalah PDF.'))).toBe('txt');
  });

  it('a DOCX named .pdf is a DOCX', async () => {
    expect(sniffFormat(await sampleDocx(), 'harga.pdf')).toBe('docx');
  });

  it('a PNG named .pdf is unsupported, and the message says it is an image', async () => {
    const err = await expectFailure(extract(scannedPagePng(40, 40), 'harga.pdf'), 'unsupported_type');
    expect(err.message).toContain('PNG image');
  });

  it('executables and other binary data are unsupported, whatever their name', () => {
    const exe = Buffer.alloc(4096);
    exe.write('MZ', 0, 'ascii');
    exe.write('This program cannot be run in DOS mode.', 78, 'ascii');
    expect(expectSniffFailure(exe, 'unsupported_type', 'setup.txt').message).toContain('Windows program');

    const noise = new Uint8Array(2048).map((_, i) => (i * 7919 + 13) % 256);
    expectSniffFailure(noise, 'unsupported_type', 'data.csv');
    expectSniffFailure(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]), 'unsupported_type', 'foto.md');
  });

  it('a ZIP that is not a Word document is unsupported; an Excel workbook says to export CSV', () => {
    expect(expectSniffFailure(storedZip({ 'foto/1.jpg': 'x', 'catatan.txt': 'halo' }), 'unsupported_type', 'a.docx').message).toContain(
      'ZIP archive',
    );
    expect(expectSniffFailure(storedZip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' }), 'unsupported_type').message).toContain(
      'CSV',
    );
    expect(sniffFormat(storedZip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>' }))).toBe('docx');
  });

  it('a password-protected DOCX (an OLE container) is encrypted; a legacy .doc is unsupported', () => {
    expectSniffFailure(encryptedDocx(), 'encrypted', 'rahasia.docx');
    const legacyDoc = encryptedDocx();
    legacyDoc.fill(0, 1024, 1536); // no EncryptedPackage directory entry any more
    expect(expectSniffFailure(legacyDoc, 'unsupported_type', 'lama.doc').message).toContain('legacy Office');
  });

  it('UTF-16 (both byte orders, with BOM) and UTF-8 with BOM are text', async () => {
    const text = 'Harga kemeja batik Rp 185.000, ongkir ke Jakarta Rp 22.000.\nBuka Senin–Sabtu.';
    const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
    const be = Buffer.from(le).swap16();
    const utf8Bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    for (const data of [le, be, utf8Bom]) {
      const doc = await extract(data, 'info.txt');
      expect(doc.format).toBe('txt');
      expect(doc.sections[0]!.text).toBe(text);
    }
  });

  it('a Windows-1252 file (Excel, old Notepad) decodes instead of failing as binary', async () => {
    const latin = Buffer.from('Nama;Keterangan\r\nKebaya;Motif "café" ~ 2 warna\r\nSelendang;Sutra\r\n', 'latin1');
    latin[latin.indexOf('~')] = 0x96; // the en dash in Windows-1252
    const doc = await extract(latin, 'produk.csv');
    expect(doc.format).toBe('csv');
    expect(doc.sections[0]!.text).toBe('Nama: Kebaya\nKeterangan: Motif "café" – 2 warna');
  });

  it('text formats: HTML by markup, CSV by consistent delimiters, Markdown by its syntax, else plain text', () => {
    expect(sniffFormat(bytes('<p>Halo</p><p>Kami buka jam 9.</p>'))).toBe('html');
    expect(sniffFormat(bytes('<!DOCTYPE html><title>x</title>Halo'), 'a.md')).toBe('html');
    expect(sniffFormat(bytes('kota,ongkir\nJakarta,22000\nMedan,45000'))).toBe('csv');
    expect(sniffFormat(bytes('# Harga\n\nKemeja Rp 185.000'))).toBe('md');
    expect(sniffFormat(bytes('Info:\n- COD Yogyakarta\n- Transfer BCA'))).toBe('md');
    expect(sniffFormat(bytes('Lihat [katalog](https://batiksekar.example/katalog).'))).toBe('md');
    // Prose with a comma on each line is not a table.
    expect(sniffFormat(bytes('Halo kak, kami buka setiap hari.\nUntuk COD, hanya area Yogyakarta.'))).toBe('txt');
    expect(sniffFormat(bytes('Toko buka jam 9 pagi.\nTutup hari Minggu.'))).toBe('txt');
  });

  it('the name only breaks ties between md, txt and csv', () => {
    const plain = bytes('Toko buka jam 9 pagi.\nTutup hari Minggu.');
    expect(sniffFormat(plain, 'catatan.md')).toBe('md');
    expect(sniffFormat(plain, 'daftar.csv')).toBe('csv');
    expect(sniffFormat(bytes('Info:\n- COD Yogyakarta'), 'catatan.txt')).toBe('txt');
    // Excel's "Text (Tab delimited)" export is a table even when named .txt.
    expect(sniffFormat(bytes('Produk\tHarga\nKemeja\t185000\nDaster\t95000'), 'export.txt')).toBe('csv');
    // Markdown headings and links outweigh a .csv name; a name never makes binary into text.
    expect(sniffFormat(bytes('# Harga\n\n[katalog](https://x.example)'), 'data.csv')).toBe('md');
    expectSniffFailure(scannedPagePng(8, 8), 'unsupported_type', 'catatan.txt');
  });
});

describe('failures with a clear reason', () => {
  it('a file over the limit is too_large, with the limit in MB, before anything is parsed', async () => {
    const err = await expectFailure(extractDocument(new Uint8Array(3 * MB + 1), { maxBytes: 3 * MB }), 'too_large');
    expect(err.message).toContain('3 MB');
    // Exactly at the limit is fine.
    const atLimit = Buffer.alloc(1024, 'a');
    await expect(extractDocument(atLimit, { maxBytes: 1024 })).resolves.toMatchObject({ format: 'txt' });
  });

  it('an empty file and a whitespace-only file are empty', async () => {
    await expectFailure(extract(new Uint8Array(0), 'kosong.txt'), 'empty');
    await expectFailure(extract(bytes(' \n\t\r\n  \n'), 'spasi.md'), 'empty');
    await expectFailure(extract(Buffer.from('\uFEFF  \n', 'utf16le')), 'empty');
  });

  it('a password-protected PDF is encrypted', async () => {
    const pdf = await encryptedPdf();
    expect(ENCRYPTED_PDF_PASSWORD).toBeTruthy();
    const err = await expectFailure(extract(pdf, 'grosir.pdf'), 'encrypted');
    expect(err.message).toContain('password');
  });

  it('a scanned PDF (images only, no text layer) is no_text, and says OCR is not supported', async () => {
    const err = await expectFailure(extract(await scannedPdf(), 'nota.pdf'), 'no_text');
    expect(err.message).toMatch(/scanned/);
    expect(err.message).toMatch(/OCR is not supported/);
  });

  it('a truncated PDF is corrupt', async () => {
    const pdf = await samplePdf();
    await expectFailure(extract(pdf.subarray(0, Math.floor(pdf.length / 2))), 'corrupt');
    await expectFailure(extract(pdf.subarray(0, 200)), 'corrupt');
  });

  it('a damaged DOCX is corrupt', async () => {
    const docx = await sampleDocx();
    await expectFailure(extract(docx.subarray(0, Math.floor(docx.length / 2)), 'rusak.docx'), 'corrupt');
    // A ZIP that claims to be a DOCX but whose document part is not XML.
    const fake = storedZip({ '[Content_Types].xml': 'not xml', 'word/document.xml': 'not xml either' });
    await expectFailure(extract(fake, 'palsu.docx'), 'corrupt');
  });

  it('a document with structure but no words is no_text', async () => {
    await expectFailure(extract(bytes('<html><body><div><img src="a.png"></div><script>x()</script></body></html>')), 'no_text');
    await expectFailure(extract(bytes('Nama,Harga\n,\n,\n'), 'kosong.csv'), 'no_text');
  });

  it('errors are ExtractionError instances with the code and a developer message', async () => {
    const err = await expectFailure(extract(scannedPagePng(8, 8)), 'unsupported_type');
    expect(err.name).toBe('ExtractionError');
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/supported types are PDF, DOCX, TXT, Markdown, CSV and HTML/);
  });
});
