/**
 * How the bot replies to a batch of customer lines: the intents first (asks for a person, accepts
 * the offer of one, only says hello or thanks), then the answering engine. The offline answerer is
 * in-process and quick, so it runs inside the conversation's local activity; an LLM provider is
 * slow and may need retries, so the workflow asks for it in a regular activity (`generate`).
 * Every answer is recorded in `ai_usage` under the reply's id, once.
 */
import mongoose from 'mongoose';
import {
  AiUsageModel,
  MessageModel,
  isDuplicateKeyError,
  readAiSettings,
  t,
  type Chatbot,
  type Config,
  type Locale,
} from '@sapa/shared';
import { answerQuestion, usagePassages, type AnswerDeps, type Citation, type EngineAnswer } from '../ai/answer';
import type { HistoryMessage } from '../ai/memory';
import { alertCreditsExhausted, chargeReply } from '../billing/metering';
import { countReply, mayReply } from '../billing/plan-limits';
import { detectAcceptance, detectCourtesy, detectHumanRequest, detectLanguage } from '../answerer';

export type ReplyDecision =
  | { kind: 'handoff'; reason: 'customer_request' | 'accepted_offer'; language: Locale }
  /** An LLM answers: the workflow runs `generateReply` next. */
  | { kind: 'generate'; language: Locale }
  /**
   * No AI answer: every provider failed (`ai_unavailable`), nobody can pay for one
   * (`credits_exhausted`) or the plan's monthly replies are used up (`plan_limit`). The customer
   * is told politely and a person takes over.
   */
  | { kind: 'failed'; reason: FailureReason; language: Locale }
  | { kind: 'answer' | 'no_answer' | 'greeting'; text: string; citations: Citation[]; language: Locale };

export type FailureReason = 'ai_unavailable' | 'credits_exhausted' | 'plan_limit';

export interface ReplyQuestion {
  workspaceId: string;
  conversationId: string;
  chatbot: Chatbot;
  question: string;
  /** The outbound id of the reply: the usage record's key. */
  replyId: string;
  locale?: Locale;
}

/** Messages of the conversation before the current batch, for the model's memory. */
const HISTORY_MESSAGES = 30;

export function createReplyEngine(deps: AnswerDeps & { config: Config }) {
  async function recordUsage(q: ReplyQuestion, answer: EngineAnswer, credits: number) {
    const { usage } = answer;
    const funding = 'funding' in answer ? answer.funding : undefined;
    // Insert, keyed by the reply's id: a retried activity finds it there (duplicate key) and the
    // usual path costs one write, no read (FerretDB scans for an upsert's filter).
    await AiUsageModel.create({
      _id: q.replyId,
      workspaceId: new mongoose.Types.ObjectId(q.workspaceId),
      chatbotId: q.chatbot._id,
      conversationId: new mongoose.Types.ObjectId(q.conversationId),
      purpose: 'reply',
      ...usage,
      credits,
      ...(funding ? { funding: funding.via } : {}),
      ...(funding?.via === 'own_key' ? { apiKeyId: new mongoose.Types.ObjectId(funding.apiKeyId) } : {}),
      outcome: answer.kind === 'answer' ? 'answered' : answer.kind,
      ...(answer.kind === 'failed' ? { error: answer.error.slice(0, 500) } : {}),
      passages: usagePassages(answer.passages),
    }).catch((err: unknown) => {
      if (!isDuplicateKeyError(err)) throw err;
    });
  }

  function toDecision(answer: EngineAnswer, language: Locale): ReplyDecision {
    if (answer.kind === 'failed') return { kind: 'failed', reason: 'ai_unavailable', language };
    if (answer.kind === 'unfunded') return { kind: 'failed', reason: 'credits_exhausted', language };
    if (answer.kind === 'no_answer') return { kind: 'no_answer', text: t(language, 'bot.noAnswer'), citations: [], language };
    return { kind: 'answer', text: answer.text, citations: answer.citations, language };
  }

  async function answer(q: ReplyQuestion, language: Locale, history: HistoryMessage[]): Promise<ReplyDecision> {
    if (!(await mayReply(deps.config, q.workspaceId))) return { kind: 'failed', reason: 'plan_limit', language };
    const { ai, retrieval } = readAiSettings(q.chatbot);
    const result = await answerQuestion(deps, {
      workspaceId: q.workspaceId,
      chatbotId: String(q.chatbot._id),
      businessName: q.chatbot.name,
      ai,
      retrieval,
      question: q.question,
      history,
      language,
    });
    if (result.kind === 'unfunded') await alertCreditsExhausted(deps.config, q.workspaceId, result.provider);
    // Charged before the usage record: the ledger entry (keyed by the reply) is what makes it once.
    const credits =
      result.kind === 'answer' || result.kind === 'no_answer'
        ? await chargeReply(deps.config, { workspaceId: q.workspaceId, replyId: q.replyId, chatbotId: String(q.chatbot._id), usage: result.usage, funding: result.funding })
        : 0;
    await recordUsage(q, result, credits);
    if (result.kind === 'answer' || result.kind === 'no_answer') await countReply(q.workspaceId);
    return toDecision(result, language);
  }

  return {
    /** Intents, then the offline answer; for an LLM provider only says that one is needed. */
    async decide(q: ReplyQuestion & { offeredHuman: boolean }): Promise<ReplyDecision> {
      const language = detectLanguage(q.question, q.locale);
      if (detectHumanRequest(q.question, q.chatbot.handoffKeywords ?? [])) return { kind: 'handoff', reason: 'customer_request', language };
      if (q.offeredHuman && detectAcceptance(q.question)) return { kind: 'handoff', reason: 'accepted_offer', language };
      const courtesy = detectCourtesy(q.question);
      if (courtesy) return { kind: 'greeting', text: t(language, courtesy === 'greeting' ? 'bot.greeting' : 'bot.thanksReply'), citations: [], language };
      if (readAiSettings(q.chatbot).ai.provider !== 'offline') return { kind: 'generate', language };
      return answer(q, language, []);
    },

    /** The LLM answer, with the conversation so far as memory. */
    async generate(q: ReplyQuestion & { language: Locale; batchMessageIds: string[] }): Promise<ReplyDecision> {
      const recent = await MessageModel.find(
        { conversationId: new mongoose.Types.ObjectId(q.conversationId), workspaceId: new mongoose.Types.ObjectId(q.workspaceId) },
        { author: 1, text: 1, createdAt: 1 },
      )
        .sort({ createdAt: -1 })
        .limit(HISTORY_MESSAGES + q.batchMessageIds.length)
        .lean();
      const batch = new Set(q.batchMessageIds);
      const history: HistoryMessage[] = recent
        .reverse()
        .filter((m) => !batch.has(String(m._id)))
        .map((m) => ({ author: m.author === 'customer' ? 'customer' : m.author === 'system' ? 'system' : m.author === 'agent' ? 'agent' : 'bot', text: m.text ?? '' }));
      return answer(q, q.language, history);
    },
  };
}

export type ReplyEngine = ReturnType<typeof createReplyEngine>;
