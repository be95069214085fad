/**
 * The dashboard's playground: the owner asks their chatbot a question and sees the answer with
 * the passages it retrieved, their scores and the citations. It runs the same engine as a real
 * reply (through a short workflow, since the dashboard does not import workflow code), and its
 * usage is recorded as `playground`.
 */
import mongoose from 'mongoose';
import { AiUsageModel, ChatbotModel, readAiSettings, type PlaygroundInput, type PlaygroundResult } from '@sapa/shared';
import { answerQuestion, usagePassages, type AnswerDeps } from '../ai/answer';
import { chargeReply } from '../billing/metering';
import { detectLanguage } from '../answerer';

export function createPlaygroundActivities(deps: AnswerDeps) {
  return {
    async playgroundAnswer(input: PlaygroundInput): Promise<PlaygroundResult | null> {
      const chatbot = await ChatbotModel.findOne({ _id: new mongoose.Types.ObjectId(input.chatbotId), workspaceId: new mongoose.Types.ObjectId(input.workspaceId) }).lean();
      if (!chatbot) return null;
      const { ai, retrieval } = readAiSettings(chatbot);
      const language = detectLanguage(input.question, input.locale);
      const answer = await answerQuestion(deps, {
        workspaceId: input.workspaceId,
        chatbotId: input.chatbotId,
        businessName: chatbot.name,
        ai,
        retrieval,
        question: input.question,
        history: input.history,
        language,
      });
      // The owner's questions cost what customers' do: paid the same way (own key → credits).
      const usageId = `playground:${input.runId}`;
      const funding = 'funding' in answer ? answer.funding : undefined;
      const credits =
        answer.kind === 'answer' || answer.kind === 'no_answer'
          ? await chargeReply(deps.config, { workspaceId: input.workspaceId, replyId: usageId, chatbotId: input.chatbotId, usage: answer.usage, funding })
          : 0;
      await AiUsageModel.updateOne(
        { _id: usageId },
        {
          $setOnInsert: {
            workspaceId: chatbot.workspaceId,
            chatbotId: chatbot._id,
            purpose: 'playground',
            ...answer.usage,
            credits,
            ...(funding ? { funding: funding.via } : {}),
            ...(funding?.via === 'own_key' ? { apiKeyId: new mongoose.Types.ObjectId(funding.apiKeyId) } : {}),
            outcome: answer.kind === 'answer' ? 'answered' : answer.kind,
            passages: usagePassages(answer.passages),
          },
        },
        { upsert: true },
      );
      return {
        // The playground shows a call nobody could pay for as a failure (the reason is in `error`).
        kind: answer.kind === 'unfunded' ? 'failed' : answer.kind,
        text: answer.kind === 'answer' ? answer.text : '',
        language,
        citations: answer.kind === 'answer' ? answer.citations : [],
        passages: answer.passages.map((p) => ({
          chunkId: p.chunkId,
          title: p.title,
          heading: p.heading,
          ...(p.url ? { url: p.url } : {}),
          ...(p.page !== undefined ? { page: p.page } : {}),
          text: p.text,
          score: p.score,
          dense: p.dense,
          lexical: p.lexical,
        })),
        usage: answer.usage,
        ...(answer.kind === 'failed' ? { error: answer.error } : answer.kind === 'unfunded' ? { error: answer.reason } : {}),
      };
    },
  };
}
