/**
 * The plan's monthly bot-reply allowance. Each bot reply advances a per-workspace, per-month
 * counter (`replies:<workspaceId>:<yyyy-mm>`, Asia/Jakarta months); at the plan's limit the bot
 * stops answering and the customer is handed to a person, and the owner is told once a month.
 * The counter is advanced after the reply, so two replies at the same moment can pass the limit
 * by one or two; it is an allowance, not money (credits are exact).
 */
import { CounterModel, TtlCache, currentPlan, nextSequence, raiseNotice, type Config, type Plan } from '@sapa/shared';

// Read on every reply; a plan changes once a month at most, so a few seconds' staleness is fine.
const plans = new TtlCache<Plan>(10_000);

const jakartaMonth = (now = new Date()) => new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 7);
const counterId = (workspaceId: string) => `replies:${workspaceId}:${jakartaMonth()}`;

export async function repliesThisMonth(workspaceId: string): Promise<number> {
  return (await CounterModel.findById(counterId(workspaceId)).lean())?.seq ?? 0;
}

/** Whether the bot may answer once more; at the limit, tells the owner (once a month). */
export async function mayReply(config: Config, workspaceId: string): Promise<boolean> {
  const plan = await plans.get(workspaceId, () => currentPlan(workspaceId));
  if ((await repliesThisMonth(workspaceId)) < plan.limits.botRepliesPerMonth) return true;
  await raiseNotice(config, {
    workspaceId,
    kind: 'plan_limit',
    dedupeKey: `plan_limit:replies:${workspaceId}:${jakartaMonth()}`,
    vars: { plan: plan.name, limit: plan.limits.botRepliesPerMonth.toLocaleString('id-ID') },
    email: true,
  });
  return false;
}

export async function countReply(workspaceId: string): Promise<void> {
  await nextSequence(counterId(workspaceId));
}
