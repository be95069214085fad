/**
 * Turns chat text into lowercase words the way Indonesian customers write: "brp ongkirnya kak??",
 * "gmn cara order", "barang2 sdh sampai". Everything downstream (search terms, intent rules,
 * language scoring) reads these words, so informal spellings are resolved once, here.
 */

/** Informal spellings and shorthand, mapped to the standard words they stand for. */
const ABBREVIATIONS: Record<string, string> = {
  yg: 'yang',
  brp: 'berapa',
  brapa: 'berapa',
  gmn: 'bagaimana',
  gmna: 'bagaimana',
  bgmn: 'bagaimana',
  gimana: 'bagaimana',
  tdk: 'tidak',
  gak: 'tidak',
  ga: 'tidak',
  gk: 'tidak',
  nggak: 'tidak',
  ngga: 'tidak',
  enggak: 'tidak',
  engga: 'tidak',
  kagak: 'tidak',
  sdh: 'sudah',
  udh: 'sudah',
  udah: 'sudah',
  blm: 'belum',
  belom: 'belum',
  utk: 'untuk',
  dgn: 'dengan',
  dg: 'dengan',
  jg: 'juga',
  krn: 'karena',
  karna: 'karena',
  bs: 'bisa',
  bsa: 'bisa',
  ongkir: 'ongkos kirim',
  tp: 'tapi',
  sy: 'saya',
  gw: 'saya',
  gue: 'saya',
  gua: 'saya',
  aq: 'aku',
  km: 'kamu',
  dr: 'dari',
  org: 'orang',
  hrg: 'harga',
  skrg: 'sekarang',
  bgt: 'banget',
  trs: 'terus',
  lg: 'lagi',
  klo: 'kalau',
  kalo: 'kalau',
  kl: 'kalau',
  pd: 'pada',
  dlm: 'dalam',
  msh: 'masih',
  mo: 'mau',
  pengen: 'ingin',
  pingin: 'ingin',
  pgn: 'ingin',
  bnyk: 'banyak',
  sblm: 'sebelum',
  stlh: 'setelah',
  tgl: 'tanggal',
  bln: 'bulan',
  thn: 'tahun',
  jkt: 'jakarta',
  tf: 'transfer',
  trf: 'transfer',
  rek: 'rekening',
  byr: 'bayar',
  ama: 'sama',
  sm: 'sama',
  makasih: 'terima kasih',
  makasi: 'terima kasih',
  mksh: 'terima kasih',
  trims: 'terima kasih',
  tks: 'terima kasih',
  thx: 'thanks',
  pls: 'please',
  plis: 'please',
  dmn: 'dimana',
  dmana: 'dimana',
  kpn: 'kapan',
  knp: 'kenapa',
  dpt: 'dapat',
  pake: 'pakai',
  sampe: 'sampai',
  nyampe: 'sampai',
  nyampai: 'sampai',
  dtg: 'datang',
  merk: 'merek',
  pait: 'pahit',
  tlg: 'tolong',
  bkn: 'bukan',
  dah: 'sudah',
  emg: 'memang',
  bbrp: 'beberapa',
  ttg: 'tentang',
  spt: 'seperti',
};

/**
 * Word pairs that mean one thing. Joining them keeps "terima kasih" from matching "kami terima
 * QRIS" and lets intent rules see "customer service" as the single word customers mean by "CS".
 */
const PHRASES: Record<string, string> = {
  'terima kasih': 'terimakasih',
  'di mana': 'dimana',
  'customer service': 'cs',
  'customer care': 'cs',
  'customer support': 'cs',
  'layanan pelanggan': 'cs',
  'thank you': 'thanks',
};

/**
 * The canonical spelling of one word: lowercase, accents removed, and a run of one repeated letter
 * at the end shortened ("halooo", "iyaa", "kakk" → "halo", "iya", "kak"), the way people stretch
 * words in chat. Every fixed word list in the answerer goes through this too, so lists and
 * messages always compare in the same spelling.
 */
export function normalizeWord(word: string): string {
  // eslint-disable-next-line no-control-regex -- plain ASCII has no accents to strip
  const unaccented = /^[\x00-\x7f]*$/.test(word) ? word : word.normalize('NFKD').replace(/\p{M}/gu, '');
  const lower = unaccented.toLowerCase();
  // Most words do not end in a doubled letter: skip the (slow, Unicode) regex for them.
  if (lower.length < 2 || lower.charCodeAt(lower.length - 1) !== lower.charCodeAt(lower.length - 2)) return lower;
  return lower.replace(/(\p{L})\1+$/u, '$1');
}

/** The words of `text`, without expanding shorthand: what the tokenizer sees before it reads meaning. */
function rawWordsOf(text: string): string[] {
  const prepared = text
    .normalize('NFKC')
    // "barang-barang" means "barang": reduplication marks plural, which search should not care about.
    .replace(/(?<![\p{L}\p{N}])(\p{L}+)-\1(?![\p{L}\p{N}])/giu, '$1')
    // "brg2" is the shorthand for the same reduplication.
    .replace(/(?<![\p{L}\p{N}])(\p{L}{2,})2(?![\p{L}\p{N}])/gu, '$1')
    // "Rp18.000" and "08.00": separators inside numbers are not word breaks.
    .replace(/(\p{N})[.,](?=\p{N})/gu, '$1')
    // "assalamu'alaikum", "don't": an apostrophe joins the parts of one word.
    .replace(/(\p{L})['’](?=\p{L})/gu, '$1')
    // "rp18000", "250gr": letters and digits glued together are separate words.
    .replace(/(\p{L})(?=\p{N})|(\p{N})(?=\p{L})/gu, '$1$2 ');
  return prepared
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .map(normalizeWord);
}

const abbreviations = new Map(Object.entries(ABBREVIATIONS).map(([short, full]) => [normalizeWord(short), full]));

/** "ongkirnya" is "ongkir" + the definite "-nya": look the shorthand up without it. */
function expandAbbreviation(word: string): string[] {
  const full = abbreviations.get(word) ?? (word.endsWith('nya') ? abbreviations.get(word.slice(0, -3)) : undefined);
  return full ? full.split(' ') : [word];
}

/** First words of the phrases: only a word among them needs a pair looked up (most words are not). */
const phraseStarts = new Set(Object.keys(PHRASES).map((phrase) => phrase.split(' ')[0]!));

function joinPhrases(words: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const phrase = phraseStarts.has(words[i]!) ? PHRASES[`${words[i]} ${words[i + 1]}`] : undefined;
    if (phrase) {
      joined.push(phrase);
      i++;
    } else {
      joined.push(words[i]!);
    }
  }
  return joined;
}

/** Lowercase words of `text` with shorthand expanded and fixed phrases joined. No stemming, no stopwords. */
export function tokenize(text: string): string[] {
  return joinPhrases(rawWordsOf(text).flatMap(expandAbbreviation));
}

/** A fixed word list in the tokenizer's spelling, for membership tests against `tokenize` output. */
export function wordSet(words: readonly string[]): ReadonlySet<string> {
  return new Set(words.map(normalizeWord));
}
