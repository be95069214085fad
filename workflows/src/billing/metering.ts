/**
 * After a reply: what it cost and who pays. Credits are deducted from the workspace's ledger once
 * per reply (the entry's key is the reply id; a retried activity finds it there), never below
 * zero (a reply that cost more than was left takes what is left and records the shortfall), and a
 * balance under the owner's threshold raises the low-balance alert once a day.
 */
import {
  CreditAccountModel,
  DEFAULT_LOW_BALANCE_THRESHOLD,
  appendEntry,
  creditsFor,
  publishEvent,
  raiseNotice,
  type Config,
} from '@sapa/shared';
import type { AnswerUsage } from '../ai/answer';
import type { Funding } from './funding';

const jakartaDay = (now = new Date()) => new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);

export async function alertIfLow(config: Config, workspaceId: string, balance: number): Promise<void> {
  const account = await CreditAccountModel.findById(workspaceId, { lowBalanceThreshold: 1 }).lean();
  const threshold = account?.lowBalanceThreshold ?? DEFAULT_LOW_BALANCE_THRESHOLD;
  if (balance >= threshold) return;
  await raiseNotice(config, {
    workspaceId,
    kind: 'low_balance',
    dedupeKey: `low_balance:${workspaceId}:${jakartaDay()}`,
    vars: { balance: balance.toLocaleString('id-ID'), threshold: threshold.toLocaleString('id-ID') },
    email: true,
  });
}

export async function alertCreditsExhausted(config: Config, workspaceId: string, provider: string): Promise<void> {
  await raiseNotice(config, {
    workspaceId,
    kind: 'credits_exhausted',
    dedupeKey: `credits_exhausted:${workspaceId}:${jakartaDay()}`,
    vars: { provider },
    email: true,
  });
}

/**
 * Charge one reply. Returns the credits it cost (also for an own key: that counts toward the key's
 * monthly limit, but nothing is deducted).
 */
export async function chargeReply(
  config: Config,
  input: { workspaceId: string; replyId: string; chatbotId: string; usage: AnswerUsage; funding: Funding | undefined },
): Promise<number> {
  const { usage, funding } = input;
  if (!funding || funding.via === 'own_endpoint') return 0;
  const credits = creditsFor({ provider: usage.provider, model: usage.model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens });
  if (funding.via === 'own_key' || credits === 0) return credits;
  const { entry, duplicate } = await appendEntry({
    workspaceId: input.workspaceId,
    amount: -credits,
    idempotencyKey: `usage:${input.replyId}`,
    kind: 'usage',
    partial: true,
    ref: {
      replyId: input.replyId,
      chatbotId: input.chatbotId,
      provider: usage.provider,
      model: usage.model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
    },
  });
  if (!duplicate) {
    await publishEvent({ workspaceId: input.workspaceId, type: 'balanceChanged', data: { balance: entry.balanceAfter }, dedupeKey: `balance:usage:${input.replyId}` });
    await alertIfLow(config, input.workspaceId, entry.balanceAfter);
  }
  return credits;
}
