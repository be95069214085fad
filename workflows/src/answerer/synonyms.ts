/**
 * A tiny bilingual thesaurus of shop words. Customers ask "ongkir", "delivery" or "shipping" for
 * what the owner wrote under "Pengiriman"; mapping each group to one concept term lets an English
 * question find an Indonesian passage and an informal word find the formal one, without any model.
 */
import { normalizeWord } from './tokenize';

interface SynonymGroup {
  /** The search term every member becomes. */
  concept: string;
  /** Indonesian members (roots: affixed forms reach them through the stemmer). */
  id: readonly string[];
  en: readonly string[];
}

const SHOP_SYNONYMS: readonly SynonymGroup[] = [
  {
    concept: 'jam',
    id: ['jam', 'buka', 'tutup', 'pukul', 'operasional', 'jadwal'],
    en: ['hour', 'hours', 'open', 'opens', 'opening', 'close', 'closes', 'closing', 'closed', 'schedule'],
  },
  {
    concept: 'harga',
    id: ['harga', 'biaya', 'tarif'],
    en: ['price', 'prices', 'pricing', 'cost', 'costs', 'fee', 'fees'],
  },
  {
    concept: 'kirim',
    id: ['kirim', 'antar', 'ekspedisi', 'kurir'],
    en: ['delivery', 'deliver', 'delivers', 'ship', 'ships', 'shipping', 'shipment', 'send', 'courier'],
  },
  {
    concept: 'retur',
    id: ['retur', 'tukar', 'refund', 'garansi', 'rusak', 'cacat'],
    en: ['return', 'returns', 'exchange', 'refund', 'refunds', 'warranty', 'broken', 'damaged', 'defective'],
  },
  {
    concept: 'bayar',
    id: ['bayar'],
    en: ['pay', 'paying', 'paid', 'payment', 'payments'],
  },
  {
    concept: 'alamat',
    id: ['alamat', 'lokasi', 'letak', 'dimana'],
    en: ['address', 'location', 'located', 'where', 'map', 'maps'],
  },
  {
    concept: 'toko',
    id: ['toko', 'kedai', 'gerai', 'outlet'],
    en: ['shop', 'store', 'outlet'],
  },
  {
    concept: 'pesan',
    id: ['pesan', 'beli', 'order'],
    en: ['order', 'orders', 'ordering', 'buy', 'purchase'],
  },
  {
    concept: 'batal',
    id: ['batal', 'cancel'],
    en: ['cancel', 'cancels', 'cancelled', 'canceled', 'cancellation'],
  },
  {
    concept: 'gratis',
    id: ['gratis', 'free'],
    en: ['free'],
  },
  {
    concept: 'grosir',
    id: ['grosir'],
    en: ['wholesale', 'bulk'],
  },
  {
    concept: 'langganan',
    id: ['langganan'],
    en: ['subscription', 'subscriptions', 'subscribe'],
  },
];

const conceptByWord = new Map<string, string>(
  SHOP_SYNONYMS.flatMap((group) => [...group.id, ...group.en].map((word) => [normalizeWord(word), group.concept] as const)),
);

/** The concept term for a word or stem in the thesaurus, or undefined. */
export function conceptOf(word: string): string | undefined {
  return conceptByWord.get(word);
}

/** Members of the thesaurus by language, for language scoring (a word may appear in both). */
export const SHOP_WORDS = {
  id: new Set(SHOP_SYNONYMS.flatMap((group) => group.id.map(normalizeWord))),
  en: new Set(SHOP_SYNONYMS.flatMap((group) => group.en.map(normalizeWord))),
} as const;
