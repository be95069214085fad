/**
 * A workspace's plan and what it allows, for the dashboard (creating chatbots and knowledge
 * sources) and the worker (bot replies, website pages). A paid plan counts until `planEndsAt`;
 * after it the workspace is on Free again.
 */
import mongoose from 'mongoose';
import { DomainError } from '../errors';
import { ChatbotModel, KnowledgePageModel, KnowledgeSourceModel, WorkspaceModel } from '../models';
import { planOf, type Plan } from './prices';

export async function currentPlan(workspaceId: string): Promise<Plan> {
  const workspace = await WorkspaceModel.findById(workspaceId, { plan: 1, planEndsAt: 1 }).lean();
  const active = workspace?.plan && workspace.plan !== 'free' && workspace.planEndsAt && workspace.planEndsAt.getTime() > Date.now();
  return planOf(active ? workspace.plan : 'free');
}

/** Refuses (409, in the owner's words) a new chatbot or knowledge source beyond the plan's limit. */
export async function assertPlanAllows(workspaceId: string, resource: 'chatbots' | 'knowledgeSources'): Promise<void> {
  const plan = await currentPlan(workspaceId);
  const filter = { workspaceId: new mongoose.Types.ObjectId(workspaceId) };
  const used = resource === 'chatbots' ? await ChatbotModel.countDocuments(filter) : await KnowledgeSourceModel.countDocuments(filter);
  const limit = plan.limits[resource];
  if (used >= limit) {
    throw new DomainError(409, 'plan_limit', resource === 'chatbots' ? 'error.planLimitChatbots' : 'error.planLimitSources', `${plan.name} allows ${limit} ${resource}`);
  }
}

/** Website pages the workspace may still add (the plan's page limit minus pages other sources hold). */
export async function remainingKnowledgePages(workspaceId: string, exceptSourceId: string): Promise<number> {
  const plan = await currentPlan(workspaceId);
  const used = await KnowledgePageModel.countDocuments({
    workspaceId: new mongoose.Types.ObjectId(workspaceId),
    sourceId: { $ne: new mongoose.Types.ObjectId(exceptSourceId) },
    url: { $exists: true },
  });
  return Math.max(0, plan.limits.knowledgePages - used);
}
