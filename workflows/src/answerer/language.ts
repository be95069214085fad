/**
 * Which language to answer in. Sapa's customers write Indonesian by default, often mixed with
 * English shop words ("gmn cara order", "bisa COD?"), so a message is English only when English
 * function words clearly outnumber Indonesian ones.
 */
import type { Locale } from '@sapa/shared/i18n';
import { ENGLISH_STOPWORDS, INDONESIAN_STOPWORDS } from './stopwords';
import { SHOP_WORDS } from './synonyms';
import { tokenize } from './tokenize';

const indonesianWords = new Set([...INDONESIAN_STOPWORDS, ...SHOP_WORDS.id]);
const englishWords = new Set([...ENGLISH_STOPWORDS, ...SHOP_WORDS.en]);
/** Words both languages use ("hi", "order", "refund") tell nothing either way. */
const indonesianMarkers = new Set([...indonesianWords].filter((w) => !englishWords.has(w)));
const englishMarkers = new Set([...englishWords].filter((w) => !indonesianWords.has(w)));

/**
 * 'en' when English words are at least twice as many as Indonesian ones, 'id' when Indonesian words
 * are at least as many as English ones, otherwise (no signal, or evenly mixed) `fallback`: the
 * language the customer chose in the widget, if known.
 */
export function detectLanguage(text: string, fallback: Locale = 'id'): Locale {
  let indonesian = 0;
  let english = 0;
  for (const word of tokenize(text)) {
    if (indonesianMarkers.has(word)) indonesian++;
    else if (englishMarkers.has(word)) english++;
  }
  if (english > 0 && english >= 2 * indonesian) return 'en';
  if (indonesian > 0 && indonesian >= english) return 'id';
  return fallback;
}
