/**
 * Creating a chatbot: the chatbot and its web channel, so its widget snippet works at once. The
 * one place this happens — the first chatbot of a new workspace (`createWorkspace`) and every
 * later one the owner adds in the dashboard — and it always goes through the plan's limit.
 */
import mongoose from 'mongoose';
import { z } from 'zod';
import { assertPlanAllows } from './billing/plans';
import { randomId } from './crypto';
import { LOCALES, t } from './i18n';
import { ChannelModel, ChatbotModel } from './models';

/** As long as the chatbot model allows. */
export const CHATBOT_NAME_MAX = 120;
export const CHATBOT_GREETING_MAX = 500;

/** Messages are catalog keys, so the dashboard shows a refused field in the owner's language. */
export const newChatbotSchema = z.object({
  name: z.string().trim().min(1, 'chatbots.new.nameRequired').max(CHATBOT_NAME_MAX, 'error.fieldTooLong'),
  language: z.enum(LOCALES, 'error.validation').default('id'),
  /** The widget's first line; the language's standard greeting when empty. */
  greeting: z.string().trim().max(CHATBOT_GREETING_MAX, 'error.fieldTooLong').optional(),
});
export type NewChatbotInput = z.input<typeof newChatbotSchema>;

/** The name a chatbot's web channel gets (the owner renames it under Channels). */
export const WEB_CHANNEL_NAME = 'Web widget';

/**
 * Creates a chatbot of the workspace with its web channel. Refuses (409 `plan_limit`) when the
 * workspace's plan has no room for another chatbot; then nothing is created. When the channel
 * cannot be stored the chatbot is removed again: no chatbot without its widget is left behind.
 */
export async function createChatbot(workspaceId: string | mongoose.Types.ObjectId, input: NewChatbotInput) {
  const fields = newChatbotSchema.parse(input);
  const workspace = new mongoose.Types.ObjectId(String(workspaceId));
  await assertPlanAllows(String(workspace), 'chatbots');
  const chatbot = await ChatbotModel.create({
    workspaceId: workspace,
    name: fields.name,
    publicId: randomId(9),
    language: fields.language,
    greeting: fields.greeting || t(fields.language, 'bot.greeting'),
  });
  try {
    const channel = await ChannelModel.create({ workspaceId: workspace, chatbotId: chatbot._id, type: 'web', name: WEB_CHANNEL_NAME });
    return { chatbot, channel };
  } catch (err) {
    await ChatbotModel.deleteOne({ _id: chatbot._id, workspaceId: workspace }).catch(() => undefined);
    throw err;
  }
}
