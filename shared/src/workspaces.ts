/**
 * Creating a workspace with everything a new owner needs to see Sapa work: the owner account and
 * membership, a first chatbot and its web channel (`createChatbot`, so the widget snippet works
 * at once), and optionally a first knowledge text. Used by sign-up in the dashboard and by the
 * demo seed of `npm start`. A knowledge source is created `queued`: the caller starts its ingestion
 * (`startKnowledgeRun`), since this module does not talk to Temporal.
 */
import mongoose from 'mongoose';
import { conflict, isDuplicateKeyError } from './errors';
import { createChatbot } from './chatbots';
import { hashPassword } from './crypto';
import type { Locale } from './i18n';
import { ChannelModel, ChatbotModel, KnowledgeSourceModel, MembershipModel, UserModel, WorkspaceModel } from './models';

export interface NewWorkspaceInput {
  workspaceName: string;
  owner: { email: string; name: string; password: string };
  locale?: Locale;
  chatbot?: { name?: string; greeting?: string; knowledge?: { name: string; text: string } };
}

export async function createWorkspace(input: NewWorkspaceInput) {
  const locale = input.locale ?? 'id';
  const passwordHash = await hashPassword(input.owner.password);
  const workspaceId = new mongoose.Types.ObjectId();
  // The user goes first: its unique email is the check that can fail, before anything else exists.
  let user;
  try {
    user = await UserModel.create({ email: input.owner.email, name: input.owner.name, passwordHash, locale });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict('error.emailTaken');
    throw err;
  }
  try {
    const workspace = await WorkspaceModel.create({ _id: workspaceId, name: input.workspaceName, locale });
    await MembershipModel.create({ workspaceId, userId: user._id, role: 'owner' });
    const { chatbot, channel } = await createChatbot(workspaceId, {
      name: input.chatbot?.name ?? input.workspaceName,
      language: locale,
      ...(input.chatbot?.greeting ? { greeting: input.chatbot.greeting } : {}),
    });
    const knowledge = input.chatbot?.knowledge;
    const sources = knowledge
      ? [await KnowledgeSourceModel.create({ workspaceId, chatbotIds: [chatbot._id], kind: 'text', name: knowledge.name, text: knowledge.text })]
      : [];
    return { workspace, user, chatbot, channel, knowledgeSourceIds: sources.map((s) => String(s._id)) };
  } catch (err) {
    // No transactions on FerretDB: undo by hand so the email can be used again.
    await Promise.allSettled([
      UserModel.deleteOne({ _id: user._id }),
      WorkspaceModel.deleteOne({ _id: workspaceId }),
      MembershipModel.deleteMany({ workspaceId }),
      ChatbotModel.deleteMany({ workspaceId }),
      ChannelModel.deleteMany({ workspaceId }),
      KnowledgeSourceModel.deleteMany({ workspaceId }),
    ]);
    throw err;
  }
}
