/**
 * A light Indonesian affix stemmer, so "pengiriman", "dikirim" and "kirim" meet on one search term.
 *
 * Indonesian words are built as prefix(es) + root + suffix(es) + particle/possessive:
 * "pe(ng)-kirim-an", "di-tukar", "harga-nya", "meng-ikut-i". The stemmer lists every way the
 * affixes could come off (nasal prefixes are ambiguous: "meng-" + vowel drops a "k" in "mengirim"
 * but not in "mengambil"), then prefers a reading whose root is a known word, most affixes removed
 * first. With no known root it takes the default reading, which is at least consistent: the same
 * surface word always gets the same stem, in the knowledge and in the question.
 *
 * Without a dictionary of every root it over-strips some roots ("kemang" → "mang"); retrieval
 * only needs both sides to agree, so that costs little here.
 */
import { wordSet } from './tokenize';

const MIN_ROOT_LENGTH = 3;
/** A bare suffix ("pesan-an") is only taken off a word that keeps this much: "bulan" stays "bulan". */
const MIN_ROOT_LENGTH_WITHOUT_PREFIX = 4;
/** At most two prefixes stack in practice: "di-per-baik-i", "ke-ber-angkat-an". */
const MAX_PREFIXES = 2;

/**
 * Roots the ambiguous readings should land on: common shop and service words that start like a
 * prefix ("pesan", "kembali", "terima"), end like a suffix ("kopi", "makan"), or lose a letter to a
 * nasal prefix ("kirim", "tukar", "pakai", "sampai").
 */
const COMMON_ROOTS = wordSet([
  'ajar', 'aman', 'ambil', 'antar', 'atur', 'bantu', 'batal', 'bawa', 'bayar', 'beda', 'bekas', 'beli',
  'belanja', 'benar', 'berat', 'beri', 'besar', 'besok', 'buat', 'buka', 'bulan', 'cari', 'cek', 'coba',
  'cuci', 'dapat', 'datang', 'diam', 'dingin', 'diri', 'ganti', 'guna', 'hari', 'harga', 'hitung',
  'hubung', 'ikut', 'isi', 'jalan', 'jual', 'kali', 'kami', 'kasih', 'kecil', 'keluar', 'kemarin',
  'kemas', 'kembali', 'kena', 'kenal', 'kerja', 'kertas', 'kirim', 'kopi', 'kunci', 'kumpul', 'kunjung',
  'kurang', 'lagi', 'layan', 'lihat', 'makan', 'mandi', 'masuk', 'meja', 'menang', 'minta', 'minum',
  'mulai', 'nanti', 'pakai', 'pasang', 'pecah', 'pedas', 'pergi', 'perlu', 'pesan', 'pikir', 'pilih',
  'pinjam', 'pindah', 'potong', 'proses', 'periksa', 'percaya', 'rusak', 'sampai', 'sedang', 'sedia',
  'sedikit', 'segar', 'sehat', 'selesai', 'senang', 'sepatu', 'serah', 'setuju', 'sewa', 'siap',
  'simpan', 'sambung', 'tahan', 'tahu', 'tambah', 'tanya', 'tarik', 'tawar', 'teman', 'tempat',
  'tengah', 'tentu', 'tepat', 'terima', 'tetap', 'tinggal', 'tukar', 'tulis', 'tunggu', 'tutup',
  'ubah', 'ukur', 'urus',
]);

interface PrefixRule {
  prefix: string;
  /** What must follow the prefix for this reading to apply. */
  before: RegExp;
  /** Letters the prefix swallowed, to put back; the first is the default reading. */
  restore: readonly string[];
}

const VOWEL = /^[aiueo]/;

/** Longest prefix first: only the first rule whose prefix and context match is applied. */
const PREFIX_RULES: readonly PrefixRule[] = [
  { prefix: 'meng', before: VOWEL, restore: ['', 'k'] },
  { prefix: 'meng', before: /^[ghk]/, restore: [''] },
  { prefix: 'meny', before: VOWEL, restore: ['s'] },
  { prefix: 'mem', before: /^[bfpv]/, restore: [''] },
  { prefix: 'mem', before: VOWEL, restore: ['p', 'm'] },
  { prefix: 'men', before: /^[cdjz]/, restore: [''] },
  { prefix: 'men', before: VOWEL, restore: ['t', 'n'] },
  { prefix: 'me', before: /^[lrwymn]/, restore: [''] },
  { prefix: 'peng', before: VOWEL, restore: ['', 'k'] },
  { prefix: 'peng', before: /^[ghk]/, restore: [''] },
  { prefix: 'peny', before: VOWEL, restore: ['s'] },
  { prefix: 'pem', before: /^[bfpv]/, restore: [''] },
  { prefix: 'pem', before: VOWEL, restore: ['p', 'm'] },
  { prefix: 'pen', before: /^[cdjz]/, restore: [''] },
  { prefix: 'pen', before: VOWEL, restore: ['t', 'n'] },
  { prefix: 'per', before: /^./, restore: [''] },
  { prefix: 'pel', before: /^ajar/, restore: [''] },
  { prefix: 'pe', before: /^[^aiueo]/, restore: [''] },
  { prefix: 'ber', before: /^./, restore: [''] },
  { prefix: 'bel', before: /^ajar/, restore: [''] },
  { prefix: 'be', before: /^ker/, restore: [''] },
  { prefix: 'ter', before: /^./, restore: [''] },
  { prefix: 'di', before: /^./, restore: [''] },
  { prefix: 'ke', before: /^./, restore: [''] },
  { prefix: 'se', before: /^./, restore: [''] },
];

const PARTICLE = /(lah|kah|pun)$/;
const POSSESSIVE = /(nya|ku|mu)$/;
/** Tried in this order, so a tie between readings favours taking "-kan" whole over "-an". */
const DERIVATIONAL_SUFFIXES = ['kan', 'an', 'i'] as const;

interface Reading {
  root: string;
  /** How many affixes this reading removed. */
  removed: number;
  /** Whether it used a non-default letter restoration after a nasal prefix. */
  alternate: boolean;
}

const isPlausibleRoot = (root: string) => root.length >= MIN_ROOT_LENGTH && /[aiueo]/.test(root);

/** The word with its particle, then its possessive, taken off: "bisakah", "harganya", "tokoku". */
function inflectionalForms(word: string): Array<{ form: string; removed: number }> {
  const forms = [{ form: word, removed: 0 }];
  let current = word;
  for (const ending of [PARTICLE, POSSESSIVE]) {
    const match = ending.exec(current);
    if (!match) continue;
    const rest = current.slice(0, -match[0].length);
    // "-nya" is so common that a three-letter rest is still a root ("tasnya"); the shorter endings are
    // often just a root's last letters ("salah", "ilmu").
    const minimum = match[0] === 'nya' ? MIN_ROOT_LENGTH : MIN_ROOT_LENGTH_WITHOUT_PREFIX;
    if (rest.length < minimum) continue;
    current = rest;
    forms.push({ form: current, removed: forms[forms.length - 1]!.removed + 1 });
  }
  return forms;
}

function prefixReadings(word: string, depth = 1): Reading[] {
  const rule = PREFIX_RULES.find((r) => word.startsWith(r.prefix) && r.before.test(word.slice(r.prefix.length)));
  if (!rule) return [];
  const rest = word.slice(rule.prefix.length);
  const readings: Reading[] = [];
  rule.restore.forEach((letters, i) => {
    const root = letters + rest;
    if (!isPlausibleRoot(root)) return;
    const alternate = i > 0;
    readings.push({ root, removed: 1, alternate });
    if (depth < MAX_PREFIXES) {
      for (const deeper of prefixReadings(root, depth + 1)) {
        readings.push({ root: deeper.root, removed: deeper.removed + 1, alternate: alternate || deeper.alternate });
      }
    }
  });
  return readings;
}

/** Every reading of `word`, most affixes removed first. */
function readingsOf(word: string): Reading[] {
  const readings: Reading[] = [];
  for (const { form, removed } of inflectionalForms(word)) {
    for (const suffix of [...DERIVATIONAL_SUFFIXES, '']) {
      if (!form.endsWith(suffix)) continue;
      const stem = form.slice(0, form.length - suffix.length);
      const suffixRemoved = suffix ? 1 : 0;
      if (!isPlausibleRoot(stem)) continue;
      for (const p of prefixReadings(stem)) {
        readings.push({ root: p.root, removed: removed + suffixRemoved + p.removed, alternate: p.alternate });
      }
      // Without a prefix, "-i" is part of the root ("kopi", "hari") and a short "-an" usually is too ("bulan").
      const bareSuffixAllowed = suffix === '' || (suffix !== 'i' && stem.length >= MIN_ROOT_LENGTH_WITHOUT_PREFIX);
      if (bareSuffixAllowed) readings.push({ root: stem, removed: removed + suffixRemoved, alternate: false });
    }
  }
  // Array.prototype.sort is stable, so equal counts keep the suffix order above.
  return readings.sort((a, b) => b.removed - a.removed);
}

/**
 * The root of one lowercase word. `knownRoots` resolves ambiguous readings; pass the set from
 * `rootLexicon` so roots that appear bare in the knowledge text count as known.
 */
export function stemIndonesian(word: string, knownRoots: ReadonlySet<string> = COMMON_ROOTS): string {
  if (word.length <= MIN_ROOT_LENGTH || knownRoots.has(word) || !/^\p{L}+$/u.test(word)) return word;
  const readings = readingsOf(word);
  const known = readings.find((r) => knownRoots.has(r.root));
  if (known) return known.root;
  return readings.find((r) => !r.alternate)?.root ?? word;
}

/**
 * The built-in roots plus every word of `words` that is already a bare root by the default reading,
 * e.g. "kirim" in "Kami kirim ke seluruh Indonesia", so "pengiriman" in a question finds it.
 */
export function rootLexicon(words: Iterable<string>): ReadonlySet<string> {
  const lexicon = new Set(COMMON_ROOTS);
  for (const word of words) if (stemIndonesian(word) === word) lexicon.add(word);
  return lexicon;
}
