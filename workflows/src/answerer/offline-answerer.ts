/**
 * The answerer that needs no AI provider: it finds the knowledge passages that answer the
 * customer and quotes them under a short intro, or says it does not know and offers a human.
 * It never writes an answer of its own: the reply is a catalog sentence plus passage text exactly
 * as the business wrote it, so it cannot invent a price, a stock level or a policy.
 */
import { t, type Locale, type MessageKey } from '@sapa/shared/i18n';
import { detectCourtesy, type Courtesy } from './intent';
import { detectLanguage } from './language';
import { createKnowledgeIndex, type KnowledgeIndex, type SearchHit } from './search';

export interface OfflineQuestion {
  knowledgeText: string;
  /** The customer's message; a batch of lines sent close together, joined with newlines. */
  question: string;
  /** The customer's chosen language, used when the message itself does not show one ("hi", "ok"). */
  locale?: Locale;
}

export interface Citation {
  title: string;
}

export type OfflineAnswer =
  | { kind: 'answer'; text: string; citations: Citation[]; language: Locale; passages: SearchHit[] }
  | { kind: 'no_answer'; text: string; language: Locale }
  /** Courtesy only ("halo", "makasih kak"): a polite reply, nothing looked up, no human offered. */
  | { kind: 'greeting'; text: string; language: Locale };

/** One or two passages read well in a chat bubble; more becomes a wall of text. */
const MAX_QUOTED_PASSAGES = 2;
/** A second passage is quoted only when it answers nearly as well as the best one. */
const RUNNER_UP_SHARE = 0.75;
/** Untitled passages (text before any heading) are cited by their opening words. */
const CITATION_EXCERPT_CHARS = 60;

const COURTESY_REPLIES: Record<Courtesy, MessageKey> = {
  greeting: 'bot.greeting',
  thanks: 'bot.thanksReply',
};

function bestHits(index: KnowledgeIndex, query: string): SearchHit[] {
  const hits = index.search(query, { topK: MAX_QUOTED_PASSAGES });
  const best = hits[0]?.score ?? 0;
  return hits.filter((hit) => hit.score >= best * RUNNER_UP_SHARE);
}

/**
 * A batch often holds separate questions on separate lines or after a question mark ("jam buka?",
 * "ongkir ke bandung?"), so each is searched on its own; if none finds anything alone, the batch is
 * searched as one question, for a question typed across lines ("mau tanya", "yang cappuccino",
 * "berapa ya").
 */
function passagesFor(index: KnowledgeIndex, question: string): SearchHit[] {
  const parts = question.split(/\n|[?!]+/).filter((part) => part.trim() !== '');
  let hits = parts.flatMap((part) => bestHits(index, part));
  if (hits.length === 0 && parts.length > 1) hits = bestHits(index, question);
  const seen = new Set<string>();
  return hits
    .filter((hit) => {
      const key = `${hit.heading}\n${hit.text}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_QUOTED_PASSAGES);
}

function citationTitle(hit: SearchHit): string {
  if (hit.heading) return hit.heading;
  const opening = hit.text.split('\n')[0]!;
  if (opening.length <= CITATION_EXCERPT_CHARS) return opening;
  const cut = opening.lastIndexOf(' ', CITATION_EXCERPT_CHARS);
  return `${opening.slice(0, cut > 0 ? cut : CITATION_EXCERPT_CHARS)}…`;
}

export function answerOffline({ knowledgeText, question, locale }: OfflineQuestion): OfflineAnswer {
  const language = detectLanguage(question, locale);
  const courtesy = detectCourtesy(question);
  if (courtesy) return { kind: 'greeting', text: t(language, COURTESY_REPLIES[courtesy]), language };

  const passages = passagesFor(createKnowledgeIndex(knowledgeText), question);
  if (passages.length === 0) return { kind: 'no_answer', text: t(language, 'bot.noAnswer'), language };

  const text = [t(language, 'bot.answerIntro'), ...passages.map((hit) => hit.text)].join('\n\n');
  const citations = [...new Set(passages.map(citationTitle))].map((title) => ({ title }));
  return { kind: 'answer', text, citations, language, passages };
}
