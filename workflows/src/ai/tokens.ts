/**
 * Token counting with a real tokenizer (js-tiktoken's cl100k_base, the encoding of OpenAI's chat
 * and embedding models). Other providers count a little differently; cl100k is close enough for
 * chunk sizes and context budgets, which keep a margin anyway. The encoding's tables take most of
 * a second to load, so they are loaded once, on first use.
 */
import { getEncoding, type Tiktoken } from 'js-tiktoken';

let encoding: Tiktoken | undefined;

function encoder(): Tiktoken {
  encoding ??= getEncoding('cl100k_base');
  return encoding;
}

export function countTokens(text: string): number {
  return text ? encoder().encode(text).length : 0;
}

/** The longest start of `text` that fits in `maxTokens` tokens (cut on a token boundary). */
export function truncateToTokens(text: string, maxTokens: number): string {
  const tokens = encoder().encode(text);
  if (tokens.length <= maxTokens) return text;
  return encoder().decode(tokens.slice(0, Math.max(0, maxTokens)));
}
