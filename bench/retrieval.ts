/**
 * Retrieval latency of the embedded default at scale: a workspace index of 10k and 100k chunks
 * (generated shop knowledge for several chatbots, local embeddings) built in memory, then ~300
 * informal customer questions through `retrieve` with the embedded vector store over that index.
 * No database: this measures the in-process search (BM25 + dense scan + fusion), which is what a
 * reply waits on once the index is loaded. Also reports build time and memory.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { DEFAULT_RETRIEVAL_SETTINGS } from '@sapa/shared/ai/settings';
import { embedLocal } from '../workflows/src/rag/embed/local';
import { embeddingText, inMemoryRag } from '../workflows/src/rag/in-memory';
import { WorkspaceIndex, type ChunkInput } from '../workflows/src/rag/knowledge-index';
import { retrieve, type RetrievalDeps } from '../workflows/src/rag/retrieve';
import { percentile } from './stats';

const SIZES = [10_000, 100_000] as const;
const QUERIES = 300;
const WARM_UP = 30;
const GOAL_P95_MS = 30;
/** Chunks per knowledge source: a document of a few dozen passages. */
const CHUNKS_PER_SOURCE = 40;

/** mulberry32: a small seeded PRNG, so every run indexes and asks exactly the same text. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Random = ReturnType<typeof prng>;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const rupiah = (n: number) => `Rp${n.toLocaleString('id-ID')}`;

interface Business {
  name: string;
  products: readonly string[];
  /** Price range of the products, in thousands of rupiah. */
  priceK: readonly [number, number];
}

/** One chatbot per business, all in the same workspace (an agency or a shop with several brands). */
const BUSINESSES: readonly Business[] = [
  { name: 'Toko Kopi Sapa', products: ['kopi susu gula aren', 'arabika gayo', 'robusta temanggung', 'cold brew', 'drip bag', 'house blend', 'grinder manual', 'v60'], priceK: [15, 650] },
  { name: 'Batik Sekar', products: ['kemeja batik parang', 'kain batik tulis', 'daster batik', 'selendang sutra', 'blus batik', 'outer batik', 'sarimbit'], priceK: [85, 900] },
  { name: 'Bengkel Motor Jaya', products: ['ganti oli', 'servis rutin', 'kampas rem', 'aki motor', 'ban tubeless', 'busi iridium', 'turun mesin'], priceK: [25, 1500] },
  { name: 'Laundry Bersih Wangi', products: ['cuci kering setrika', 'cuci sepatu', 'bed cover', 'karpet', 'setrika saja', 'dry clean jas', 'boneka'], priceK: [7, 120] },
  { name: 'Dapur Kue Bunda', products: ['kue ulang tahun', 'brownies panggang', 'nastar', 'kastengel', 'bolu pandan', 'tumpeng mini', 'snack box'], priceK: [20, 750] },
  { name: 'Klinik Cantik Ayu', products: ['facial acne', 'peeling', 'laser rambut', 'konsultasi dokter', 'serum vitamin c', 'sunscreen', 'paket glowing'], priceK: [50, 2500] },
  { name: 'Gadget Murah Jaya', products: ['hp android', 'charger fast charging', 'tempered glass', 'earphone bluetooth', 'powerbank', 'casing hp', 'smartwatch'], priceK: [25, 4500] },
  { name: 'Catering Sehat Nusantara', products: ['nasi box', 'paket diet harian', 'prasmanan', 'katering kantor', 'tumpeng', 'menu vegetarian', 'coffee break'], priceK: [25, 150] },
];

const CITIES = ['Jakarta', 'Bandung', 'Surabaya', 'Semarang', 'Yogyakarta', 'Medan', 'Makassar', 'Denpasar', 'Palembang', 'Balikpapan', 'Malang', 'Bogor', 'Depok', 'Tangerang', 'Bekasi', 'Pontianak', 'Manado', 'Padang'];
const COURIERS = ['JNE', 'J&T Express', 'SiCepat', 'AnterAja', 'Pos Indonesia', 'GoSend', 'GrabExpress', 'Lalamove'];
const BANKS = ['BCA', 'Mandiri', 'BNI', 'BRI', 'BSI', 'CIMB Niaga', 'Permata'];
const WALLETS = ['QRIS', 'GoPay', 'OVO', 'DANA', 'ShopeePay'];
const DAYS = ['Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu', 'Minggu'];

interface Topic {
  heading: string;
  sentences: ReadonlyArray<(r: Random, b: Business) => string>;
}

const product = (r: Random, b: Business) => pick(r, b.products);
const price = (r: Random, b: Business) => rupiah(Math.round(b.priceK[0] + r() * (b.priceK[1] - b.priceK[0])) * 1000);
const hour = (r: Random, from: number, span: number) => `${String(from + Math.floor(r() * span)).padStart(2, '0')}.00`;

const TOPICS: readonly Topic[] = [
  {
    heading: 'Daftar harga',
    sentences: [
      (r, b) => `Harga ${product(r, b)} ${price(r, b)} per paket, sudah termasuk kemasan.`,
      (r, b) => `${capitalize(product(r, b))} dijual seharga ${price(r, b)}, harga bisa berubah sewaktu-waktu mengikuti bahan baku.`,
      (r, b) => `Untuk pembelian di atas ${price(r, b)} ada potongan ${5 + Math.floor(r() * 20)}% khusus member.`,
      (r, b) => `Harga grosir ${product(r, b)} berlaku untuk minimal ${3 + Math.floor(r() * 20)} pcs per transaksi.`,
      (r, b) => `Biaya tambahan ${rupiah((2 + Math.floor(r() * 20)) * 1000)} berlaku untuk ${product(r, b)} ukuran besar.`,
    ],
  },
  {
    heading: 'Pengiriman dan ongkir',
    sentences: [
      (r) => `Ongkir ke ${pick(r, CITIES)} mulai ${rupiah((8 + Math.floor(r() * 60)) * 1000)} per kg lewat ${pick(r, COURIERS)}, estimasi ${1 + Math.floor(r() * 6)} hari kerja.`,
      (r) => `Pesanan yang dibayar sebelum pukul ${hour(r, 11, 5)} WIB dikirim di hari yang sama, selebihnya besok pagi.`,
      (r) => `Nomor resi dikirim lewat WhatsApp setelah paket diserahkan ke ${pick(r, COURIERS)}.`,
      (r) => `Gratis ongkir ke ${pick(r, CITIES)} untuk belanja minimal ${rupiah((100 + Math.floor(r() * 400)) * 1000)}.`,
      (r) => `Pengiriman instan dengan ${pick(r, ['GoSend', 'GrabExpress', 'Lalamove'])} tersedia untuk area ${pick(r, CITIES)} dan sekitarnya.`,
      () => `Paket dibungkus bubble wrap dan kardus tebal supaya aman sampai tujuan.`,
    ],
  },
  {
    heading: 'Jam buka dan lokasi',
    sentences: [
      (r) => `Kami buka ${pick(r, DAYS)} sampai ${pick(r, DAYS)} pukul ${hour(r, 7, 4)}–${hour(r, 17, 5)} WIB.`,
      (r) => `Hari ${pick(r, DAYS)} dan tanggal merah buka lebih siang, pukul ${hour(r, 10, 2)} WIB.`,
      (r) => `Alamat toko di Jl. ${pick(r, ['Merdeka', 'Sudirman', 'Gajah Mada', 'Diponegoro', 'Pahlawan', 'Veteran', 'Kenanga', 'Melati'])} No. ${1 + Math.floor(r() * 200)}, ${pick(r, CITIES)}.`,
      () => `Parkir motor gratis di depan toko, parkir mobil tersedia terbatas.`,
      () => `Selama libur Lebaran toko tutup beberapa hari, jadwalnya diumumkan di Instagram.`,
    ],
  },
  {
    heading: 'Cara pembayaran',
    sentences: [
      (r) => `Pembayaran bisa lewat transfer ${pick(r, BANKS)} atau ${pick(r, BANKS)} atas nama pemilik toko.`,
      (r) => `Kami menerima ${pick(r, WALLETS)} dan ${pick(r, WALLETS)} tanpa biaya tambahan.`,
      (r) => `COD tersedia untuk wilayah ${pick(r, CITIES)} dengan nilai pesanan maksimal ${rupiah((500 + Math.floor(r() * 1500)) * 1000)}.`,
      () => `Setelah transfer mohon kirim bukti pembayaran beserta nomor pesanan ke admin.`,
      (r) => `Pesanan yang belum dibayar dalam ${pick(r, ['1x24 jam', '2x24 jam', '12 jam'])} otomatis dibatalkan.`,
      (r) => `Cicilan 0% kartu kredit ${pick(r, BANKS)} tersedia untuk transaksi di atas ${rupiah((1 + Math.floor(r() * 5)) * 1_000_000)}.`,
    ],
  },
  {
    heading: 'Retur dan garansi',
    sentences: [
      (r) => `Barang rusak atau salah kirim bisa ditukar dalam ${3 + Math.floor(r() * 12)} hari setelah diterima dengan video unboxing.`,
      (r, b) => `Garansi ${product(r, b)} ${1 + Math.floor(r() * 12)} bulan untuk kerusakan pabrik, bukan karena salah pemakaian.`,
      (r) => `Refund dikirim lewat transfer bank dalam ${1 + Math.floor(r() * 7)} hari kerja setelah retur disetujui.`,
      () => `Ongkos kirim retur ditanggung toko bila kesalahan dari pihak kami.`,
      () => `Barang promo dan barang yang sudah dipakai tidak bisa dikembalikan.`,
    ],
  },
  {
    heading: 'Promo dan member',
    sentences: [
      (r, b) => `Promo bulan ini: beli dua ${product(r, b)} gratis satu, berlaku sampai akhir bulan.`,
      (r) => `Member mendapat 1 poin setiap belanja ${rupiah((5 + Math.floor(r() * 20)) * 1000)}, poin bisa ditukar voucher belanja.`,
      (r) => `Diskon ulang tahun ${10 + Math.floor(r() * 20)}% untuk member yang menunjukkan KTP.`,
      (r, b) => `Flash sale setiap ${pick(r, DAYS)} jam ${hour(r, 12, 8)} untuk ${product(r, b)} pilihan.`,
    ],
  },
  {
    heading: 'Cara pemesanan',
    sentences: [
      (r, b) => `Pesan ${product(r, b)} lewat WhatsApp admin, website, atau marketplace resmi kami.`,
      (r) => `Pemesanan untuk acara sebaiknya ${1 + Math.floor(r() * 14)} hari sebelumnya supaya kami bisa menyiapkan stok.`,
      () => `Pesanan bisa diubah atau dibatalkan selama belum dikemas, hubungi admin dengan nomor pesanan.`,
      (r, b) => `Stok ${product(r, b)} terbatas, cek ketersediaan ke admin sebelum transfer.`,
      () => `Ambil sendiri di toko bisa, pilih opsi pick up saat checkout dan tunjukkan nomor pesanan ke kasir.`,
    ],
  },
  {
    heading: 'Reseller dan grosir',
    sentences: [
      (r) => `Reseller mendapat diskon ${10 + Math.floor(r() * 25)}% dari harga eceran dengan minimal order pertama ${rupiah((5 + Math.floor(r() * 20)) * 100_000)}.`,
      () => `Pendaftaran reseller gratis, isi formulir di website dan tunggu persetujuan admin.`,
      (r, b) => `Harga grosir ${product(r, b)} untuk kafe, kantor dan hotel bisa dinegosiasikan.`,
      () => `Reseller wajib menjual sesuai harga eceran yang ditetapkan di marketplace.`,
    ],
  },
];

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** 60–120 words on one topic of one business. */
function passage(r: Random, b: Business, topic: Topic): string {
  const target = 60 + Math.floor(r() * 61);
  const sentences: string[] = [];
  let words = 0;
  while (words < target) {
    const sentence = pick(r, topic.sentences)(r, b);
    sentences.push(sentence);
    words += sentence.split(' ').length;
  }
  return sentences.join(' ');
}

/** `count` chunks in sources of `CHUNKS_PER_SOURCE`; a source serves one chatbot, sometimes two. */
export function generateChunks(count: number, seed = 42): Array<Omit<ChunkInput, 'vector'>> {
  const r = prng(seed);
  const chunks: Array<Omit<ChunkInput, 'vector'>> = [];
  for (let source = 0; chunks.length < count; source++) {
    const owner = source % BUSINESSES.length;
    const business = BUSINESSES[owner]!;
    const chatbotIds = r() < 0.15 ? [`bot-${owner}`, `bot-${(owner + 1) % BUSINESSES.length}`] : [`bot-${owner}`];
    const title = `${business.name} — ${pick(r, ['Info Pelanggan', 'FAQ', 'Katalog', 'Panduan Belanja', 'Kebijakan Toko'])} ${source + 1}`;
    for (let position = 0; position < CHUNKS_PER_SOURCE && chunks.length < count; position++) {
      const topic = pick(r, TOPICS);
      chunks.push({ id: `src-${source}:doc:${position}`, sourceId: `src-${source}`, chatbotIds, heading: topic.heading, title, text: passage(r, business, topic) });
    }
  }
  return chunks;
}

const QUESTION_TEMPLATES: ReadonlyArray<(r: Random, b: Business) => string> = [
  (r, b) => `brp harga ${product(r, b)} kak?`,
  (r) => `ongkir ke ${pick(r, CITIES).toLowerCase()} brp ya`,
  (r) => `kak kirim ke ${pick(r, CITIES).toLowerCase()} brp hari nyampe?`,
  () => `jam buka hari minggu?`,
  () => `tokonya dmn kak`,
  (r) => `bs bayar pake ${pick(r, WALLETS).toLowerCase()}?`,
  (r) => `bisa COD ke ${pick(r, CITIES).toLowerCase()} ga?`,
  () => `sy udh tf tp blm dikonfirmasi, gmn?`,
  (r, b) => `garansi ${product(r, b)} brp lama`,
  () => `brg dtg rusak bisa retur gk?`,
  () => `refund nya brp hari kak`,
  (r, b) => `ada promo ${product(r, b)} ga bulan ini`,
  () => `mau jadi reseller gmn caranya`,
  (r, b) => `mau order ${product(r, b)} 10 pcs bisa? ada harga grosir?`,
  () => `cicilan 0% bisa pake kartu kredit apa aja`,
  () => `bisa ambil sendiri di toko ga biar hemat ongkir`,
  (r, b) => `halo kak mau nanya, ${product(r, b)} ready? trus ongkir ke ${pick(r, CITIES).toLowerCase()} brp`,
  () => `do you deliver same day? how much is shipping`,
  () => `what are your opening hours`,
];

/** Informal customer questions, each to one of the chatbots. */
export function generateQueries(count: number, seed = 7): Array<{ chatbotId: string; query: string }> {
  const r = prng(seed);
  return Array.from({ length: count }, () => {
    const owner = Math.floor(r() * BUSINESSES.length);
    return { chatbotId: `bot-${owner}`, query: pick(r, QUESTION_TEMPLATES)(r, BUSINESSES[owner]!) };
  });
}

/** The collector, exposed the documented way, so heap numbers are live objects and not garbage. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

const mb = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;
const ms = (n: number) => Math.round(n * 100) / 100;

async function benchSize(size: number, collect: () => void) {
  collect();
  const before = process.memoryUsage();
  let t0 = performance.now();
  const chunks = generateChunks(size);
  const generateMs = performance.now() - t0;

  t0 = performance.now();
  const inputs: ChunkInput[] = chunks.map((c) => ({ ...c, vector: embedLocal(embeddingText(c)) }));
  const embedMs = performance.now() - t0;

  t0 = performance.now();
  const index = new WorkspaceIndex(inputs);
  const buildMs = performance.now() - t0;
  inputs.length = 0;
  chunks.length = 0;
  collect();
  const after = process.memoryUsage();

  const rag = inMemoryRag(index);
  const deps: RetrievalDeps = { indexes: rag.indexes, store: rag.store, embedder: rag.embedderFor(DEFAULT_RETRIEVAL_SETTINGS) };
  const queries = generateQueries(WARM_UP + QUERIES);
  const latencies: number[] = [];
  let empty = 0;
  for (const [i, { chatbotId, query }] of queries.entries()) {
    const start = performance.now();
    const passages = await retrieve(deps, { workspaceId: 'bench', chatbotId, query, settings: { topK: 5, minScore: 0 } });
    const elapsed = performance.now() - start;
    if (i < WARM_UP) continue; // the first queries build each chatbot's membership and the JIT's code
    latencies.push(elapsed);
    if (passages.length === 0) empty++;
  }
  const sorted = latencies.sort((a, b) => a - b);
  return {
    chunks: size,
    chatbots: BUSINESSES.length,
    queries: latencies.length,
    queriesWithoutResults: empty,
    latencyMs: { p50: ms(percentile(sorted, 50)), p95: ms(percentile(sorted, 95)), p99: ms(percentile(sorted, 99)), max: ms(sorted[sorted.length - 1]!) },
    build: { generateMs: Math.round(generateMs), embedMs: Math.round(embedMs), indexMs: Math.round(buildMs) },
    // Vectors live in an ArrayBuffer (outside the JS heap): `arrayBuffersMb` is where they show.
    memory: { heapUsedMb: mb(after.heapUsed - before.heapUsed), arrayBuffersMb: mb(after.arrayBuffers - before.arrayBuffers), rssMb: mb(after.rss) },
  };
}

export async function benchRetrieval() {
  const collect = collector();
  const results = [];
  for (const size of SIZES) results.push(await benchSize(size, collect));
  const largest = results[results.length - 1]!;
  return {
    sizes: results,
    goal: { p95MsAt100k: `<= ${GOAL_P95_MS}` },
    goal_met: largest.latencyMs.p95 <= GOAL_P95_MS,
  };
}
