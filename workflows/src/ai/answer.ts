/**
 * The answering engine: retrieve the chatbot's passages for a question, then answer from them with
 * the chatbot's provider (or the offline answerer), grounded and cited. When nothing relevant is
 * retrieved no model is asked at all: the reply says so and offers a human, so an uncovered
 * question can never get an invented answer.
 */
import { DEFAULT_CHAT_MODELS, type AiSettings, type Config, type Locale, type RetrievalSettings } from '@sapa/shared';
import type { RagEngine } from '../rag/engine';
import { retrieve, type RetrievedPassage } from '../rag/retrieve';
import { buildMemory, historyBudget, type HistoryMessage } from './memory';
import { offlineAnswerText, passagesToQuote } from './offline';
import { buildSystemPrompt, citedPassages, isNoAnswer, stripCitationMarkers } from './prompt';
import type { Funding, FundingResolver, Refusal } from '../billing/funding';
import { AllProvidersFailedError, routeChat, type RouteTarget, type RouterDeps } from './router';
import { countTokens } from './tokens';

export interface Citation {
  title: string;
  url?: string;
}

export interface AnswerUsage {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  attempts: number;
  fallback: boolean;
}

export interface AnswerRequest {
  workspaceId: string;
  chatbotId: string;
  businessName: string;
  ai: AiSettings;
  retrieval: RetrievalSettings;
  /** The customer's question (a batch of lines joined with newlines). */
  question: string;
  /** The conversation before the question, oldest first (for LLM providers). */
  history: HistoryMessage[];
  language: Locale;
}

export type EngineAnswer =
  | { kind: 'answer'; text: string; citations: Citation[]; passages: RetrievedPassage[]; usage: AnswerUsage; funding?: Funding }
  | { kind: 'no_answer'; passages: RetrievedPassage[]; usage: AnswerUsage; funding?: Funding }
  | { kind: 'failed'; error: string; passages: RetrievedPassage[]; usage: AnswerUsage }
  /** Nobody can pay for the call: no own key and not enough credits (or no platform key). */
  | { kind: 'unfunded'; reason: Refusal['refused']; provider: string; passages: RetrievedPassage[]; usage: AnswerUsage };

export interface AnswerDeps {
  config: Config;
  rag: RagEngine;
  router: Omit<RouterDeps, 'config'>;
  /** Who pays for each call (own key → credits); without it every call uses the platform's keys. */
  funding?: FundingResolver;
}

function citationOf(passage: RetrievedPassage, language: Locale): Citation {
  const page = passage.page !== undefined ? (language === 'id' ? `, hlm. ${passage.page}` : `, p. ${passage.page}`) : '';
  // A web page is named by its title (the link says where); a document by its name and the section.
  // The innermost heading names the section ("Jam buka", not "Info pelanggan › Jam buka").
  const heading = passage.heading.split(' › ').at(-1) ?? '';
  const section = !passage.url && heading && heading !== passage.title ? ` — ${heading}` : '';
  return { title: `${passage.title || heading}${section}${page}`, ...(passage.url ? { url: passage.url } : {}) };
}

function citationsOf(passages: readonly RetrievedPassage[], language: Locale): Citation[] {
  const seen = new Set<string>();
  return passages.map((p) => citationOf(p, language)).filter((c) => {
    const key = `${c.title}\n${c.url ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The passages of an answer as its usage record keeps them. */
export function usagePassages(passages: readonly RetrievedPassage[]) {
  return passages.map((p) => ({ chunkId: p.chunkId, sourceId: p.sourceId, title: p.title, url: p.url, page: p.page, score: Number(p.score.toFixed(4)) }));
}

const noUsage = (ai: AiSettings): AnswerUsage => ({ provider: ai.provider, model: ai.model, inputTokens: 0, outputTokens: 0, latencyMs: 0, attempts: 0, fallback: false });

export async function answerQuestion(deps: AnswerDeps, request: AnswerRequest): Promise<EngineAnswer> {
  const started = Date.now();
  const { ai, retrieval, language } = request;
  const passages = await retrieve(
    { indexes: deps.rag.indexes, store: deps.rag.store, embedder: deps.rag.embedderFor(retrieval) },
    { workspaceId: request.workspaceId, chatbotId: request.chatbotId, query: request.question, settings: retrieval },
  );
  if (passages.length === 0) return { kind: 'no_answer', passages, usage: { ...noUsage(ai), latencyMs: Date.now() - started } };

  /** The offline answerer's reply: quoted passages, no provider called. */
  const offline = (usage: Partial<AnswerUsage>): EngineAnswer => {
    const quoted = passagesToQuote(passages);
    return {
      kind: 'answer',
      text: offlineAnswerText(quoted, language),
      citations: citationsOf(quoted, language),
      passages,
      usage: { ...noUsage(ai), provider: 'offline', model: DEFAULT_CHAT_MODELS.offline, latencyMs: Date.now() - started, attempts: 1, ...usage },
    };
  };
  if (ai.provider === 'offline') return offline({});

  const system = buildSystemPrompt({ ai, businessName: request.businessName, language, passages, summary: '' });
  const budget = historyBudget(ai.model, countTokens(system), ai.maxTokens);
  const memory = buildMemory([...request.history, { author: 'customer', text: request.question }], budget);
  const finalSystem = memory.summary ? buildSystemPrompt({ ai, businessName: request.businessName, language, passages, summary: memory.summary }) : system;
  const fallback = ai.fallback;
  const wanted: RouteTarget[] = [
    { provider: ai.provider, model: ai.model, ...(ai.baseUrl ? { baseUrl: ai.baseUrl } : {}) },
    // The offline answerer as a fallback is not a call: it answers below when the others failed.
    ...(fallback && fallback.provider !== 'offline'
      ? [{ provider: fallback.provider, model: fallback.model || DEFAULT_CHAT_MODELS[fallback.provider], ...(fallback.baseUrl ? { baseUrl: fallback.baseUrl } : {}) }]
      : []),
  ];
  // Each target must be paid for before it is called; one nobody can pay for is skipped.
  const promptTokens = countTokens(finalSystem) + memory.turns.reduce((sum, turn) => sum + countTokens(turn.content) + 4, 0);
  const targets: RouteTarget[] = [];
  const fundingOf = new Map<RouteTarget, Funding>();
  let refusal: Refusal['refused'] | undefined;
  for (const target of wanted) {
    if (!deps.funding) {
      targets.push(target);
      continue;
    }
    const funded = await deps.funding.resolve({ workspaceId: request.workspaceId, provider: target.provider, model: target.model, baseUrl: target.baseUrl, promptTokens, maxTokens: ai.maxTokens });
    if ('refused' in funded) {
      refusal ??= funded.refused;
      continue;
    }
    const paid = { ...target, creds: funded.creds };
    fundingOf.set(paid, funded.funding);
    targets.push(paid);
  }
  if (targets.length === 0) {
    if (fallback?.provider === 'offline') return offline({ fallback: true });
    return { kind: 'unfunded', reason: refusal ?? 'not_configured', provider: ai.provider, passages, usage: { ...noUsage(ai), latencyMs: Date.now() - started } };
  }
  try {
    const result = await routeChat(
      { ...deps.router, config: deps.config },
      targets,
      { system: finalSystem, messages: memory.turns, temperature: ai.temperature, maxTokens: ai.maxTokens },
    );
    const funding = fundingOf.get(result.target);
    const usage: AnswerUsage = {
      provider: result.provider,
      model: result.model,
      inputTokens: result.inputTokens,
      outputTokens: result.outputTokens,
      latencyMs: Date.now() - started,
      attempts: result.attempts,
      fallback: result.fallback,
    };
    if (isNoAnswer(result.text) || !result.text.trim()) return { kind: 'no_answer', passages, usage, ...(funding ? { funding } : {}) };
    const cited = citedPassages(result.text, passages.length).map((n) => passages[n - 1]!);
    return {
      kind: 'answer',
      text: stripCitationMarkers(result.text),
      // A model that cited nothing still answered from these: name the ones the offline answerer would quote.
      citations: citationsOf(cited.length > 0 ? cited : passagesToQuote(passages), language),
      passages,
      usage,
      ...(funding ? { funding } : {}),
    };
  } catch (err) {
    if (!(err instanceof AllProvidersFailedError)) throw err;
    if (fallback?.provider === 'offline') return offline({ attempts: err.attempts, fallback: true });
    return { kind: 'failed', error: err.message, passages, usage: { ...noUsage(ai), latencyMs: Date.now() - started, attempts: err.attempts } };
  }
}
