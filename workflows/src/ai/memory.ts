/**
 * Conversation memory for a prompt: the most recent turns verbatim, newest kept first, within a
 * token budget (counted with the real tokenizer), and a running summary of what came before them
 * so a long conversation keeps its thread ("yang tadi", "the second one") without overflowing the
 * model's context. The summary is extractive (the earlier lines themselves, shortened): it costs
 * no extra model call and cannot invent anything.
 */
import { countTokens, truncateToTokens } from './tokens';
import type { ChatTurn } from './types';

export interface HistoryMessage {
  author: 'customer' | 'bot' | 'agent' | 'system';
  text: string;
}

export interface Memory {
  turns: ChatTurn[];
  summary: string;
}

/** Context windows of common models (tokens); unknown models get a cautious 8k. */
const CONTEXT_WINDOWS: Array<[RegExp, number]> = [
  [/^gpt-4o|^gpt-4\.1|^o\d/, 128_000],
  [/^gpt-3\.5/, 16_000],
  [/^claude/, 200_000],
  [/^gemini/, 1_000_000],
  [/llama-?3\.1|llama3\.1|qwen2\.5|mistral-nemo/, 128_000],
];
/** History is capped well below large windows: older turns rarely help and cost tokens every reply. */
const HISTORY_CAP = 3000;
const SUMMARY_TOKENS = 300;

export function contextWindowOf(model: string): number {
  return CONTEXT_WINDOWS.find(([pattern]) => pattern.test(model))?.[1] ?? 8_000;
}

/** Tokens left for history once the system prompt and the answer are accounted for. */
export function historyBudget(model: string, systemPromptTokens: number, maxTokens: number): number {
  return Math.max(0, Math.min(HISTORY_CAP, contextWindowOf(model) - systemPromptTokens - maxTokens - 200));
}

function turnOf(message: HistoryMessage): ChatTurn | null {
  const text = message.text.trim();
  if (!text || message.author === 'system') return null;
  return { role: message.author === 'customer' ? 'user' : 'assistant', content: text };
}

function summarize(older: ChatTurn[]): string {
  if (older.length === 0) return '';
  const lines = older.map((t) => `${t.role === 'user' ? 'Customer' : 'Business'}: ${t.content.replace(/\s+/g, ' ').slice(0, 160)}`);
  // Keep the latest of the older lines when they do not all fit: they matter most to what follows.
  let summary = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    const next = summary ? `${lines[i]} | ${summary}` : lines[i]!;
    if (countTokens(next) > SUMMARY_TOKENS) break;
    summary = next;
  }
  return summary || truncateToTokens(lines[lines.length - 1]!, SUMMARY_TOKENS);
}

/**
 * `history` is oldest first and ends with the customer's current question (which is always kept).
 */
export function buildMemory(history: readonly HistoryMessage[], budgetTokens: number): Memory {
  const turns = history.map(turnOf).filter((t): t is ChatTurn => t !== null);
  if (turns.length === 0) return { turns: [], summary: '' };
  const kept: ChatTurn[] = [];
  let used = 0;
  let i = turns.length - 1;
  for (; i >= 0; i--) {
    const tokens = countTokens(turns[i]!.content) + 4;
    if (kept.length > 0 && used + tokens > budgetTokens) break;
    kept.unshift(turns[i]!);
    used += tokens;
  }
  // A conversation shown to a model starts with the customer.
  while (kept.length > 1 && kept[0]!.role !== 'user') kept.shift();
  return { turns: kept, summary: summarize(turns.slice(0, i + 1)) };
}
