/**
 * The offline answerer over retrieved passages (the embedded default: no provider, no key). It
 * quotes the best one or two passages under a short intro, exactly as the business wrote them, so
 * it cannot invent a price or a policy; the dashboard labels it as offline mode.
 */
import { t, type Locale } from '@sapa/shared';

export interface QuotablePassage {
  text: string;
  score: number;
  /** The best passage for one of several questions in the message (see retrieve). */
  leads?: boolean;
}

/** One or two passages read well in a chat bubble; more becomes a wall of text. */
const MAX_QUOTED = 2;
/** A second passage is quoted only when it answers nearly as well as the best one. */
const RUNNER_UP_SHARE = 0.75;

/**
 * The passages worth quoting, best first (the caller's list is already ranked): the answer to each
 * question of a message with several, else the best passage and a runner-up that is nearly as good.
 */
export function passagesToQuote<T extends QuotablePassage>(passages: readonly T[]): T[] {
  const leaders = passages.filter((p) => p.leads);
  if (leaders.length > 1) return leaders.slice(0, MAX_QUOTED);
  const best = passages[0]?.score ?? 0;
  return passages.filter((p) => p.score >= best * RUNNER_UP_SHARE).slice(0, MAX_QUOTED);
}

export function offlineAnswerText(quoted: readonly QuotablePassage[], language: Locale): string {
  return [t(language, 'bot.answerIntro'), ...quoted.map((p) => p.text)].join('\n\n');
}
