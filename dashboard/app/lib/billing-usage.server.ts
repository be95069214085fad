/**
 * AI usage paid from the credit balance over the last 30 days, by day, by chatbot and by model, for the
 * Billing page's charts. Two `$match` + `$group`/`$sum` aggregations (what FerretDB v1 runs) over
 * the usage records (`ai_usage`, indexed by workspace and time); replies paid with the
 * workspace's own key or endpoint cost it no credits and are left out.
 */
import mongoose from 'mongoose';
import { AiUsageModel, ChatbotModel, priceOf, t, type Locale } from '@sapa/shared';
import { ensureDatabase } from './env.server';
import { formatNumber } from './billing-labels';

export const USAGE_WINDOW_DAYS = 30;
/** Bars per chart; the rest is summed into one "other" bar so the chart stays readable. */
const MAX_BARS = 8;

export interface UsageBar {
  key: string;
  label: string;
  /** A longer name for the bar's tooltip (the provider and model id). */
  title: string;
  credits: number;
  creditsText: string;
}

export interface UsageView {
  days: number;
  totalText: string;
  total: number;
  byChatbot: UsageBar[];
  byModel: UsageBar[];
  /** Credits per day (Asia/Jakarta), oldest first, days with usage only: usage over time. */
  byDay: UsageBar[];
}

interface Group<Id> {
  _id: Id;
  credits: number;
}

/** Largest first, the tail folded into one bar. */
function topBars(bars: UsageBar[], otherLabel: string, locale: Locale): UsageBar[] {
  const sorted = bars.filter((b) => b.credits > 0).sort((a, b) => b.credits - a.credits || a.label.localeCompare(b.label));
  if (sorted.length <= MAX_BARS) return sorted;
  const rest = sorted.slice(MAX_BARS - 1).reduce((sum, b) => sum + b.credits, 0);
  return [...sorted.slice(0, MAX_BARS - 1), { key: 'other', label: otherLabel, title: otherLabel, credits: rest, creditsText: formatNumber(rest, locale) }];
}

export async function loadUsage(workspaceId: string, locale: Locale, now = new Date()): Promise<UsageView> {
  await ensureDatabase();
  const match = {
    $match: {
      workspaceId: new mongoose.Types.ObjectId(workspaceId),
      createdAt: { $gte: new Date(now.getTime() - USAGE_WINDOW_DAYS * 86_400_000) },
      funding: 'credits' as const,
    },
  };
  const [chatbotGroups, modelGroups, chatbots, records] = await Promise.all([
    AiUsageModel.aggregate<Group<mongoose.Types.ObjectId | null>>([match, { $group: { _id: '$chatbotId', credits: { $sum: '$credits' } } }]),
    AiUsageModel.aggregate<Group<{ provider?: string; model?: string }>>([
      match,
      { $group: { _id: { provider: '$provider', model: '$model' }, credits: { $sum: '$credits' } } },
    ]),
    ChatbotModel.find({ workspaceId }, { name: 1 }).lean<Array<{ _id: mongoose.Types.ObjectId; name: string }>>(),
    // Days are bucketed here rather than with date operators, which FerretDB v1 does not all have.
    AiUsageModel.find(match.$match, { createdAt: 1, credits: 1 }).lean<Array<{ createdAt: Date; credits?: number }>>(),
  ]);
  const names = new Map(chatbots.map((c) => [String(c._id), c.name]));
  const bar = (key: string, label: string, title: string, credits: number): UsageBar => ({ key, label, title, credits, creditsText: formatNumber(credits, locale) });
  const byChatbot = chatbotGroups.map((g) => {
    const id = g._id ? String(g._id) : '';
    const name = names.get(id) ?? t(locale, 'billing.usage.deletedChatbot');
    return bar(id || 'none', name, name, g.credits ?? 0);
  });
  const byModel = modelGroups.map((g) => {
    const provider = g._id?.provider ?? '';
    const model = g._id?.model ?? '';
    const price = priceOf(provider, model);
    return bar(`${provider}/${model}`, price.known ? price.label : model, `${provider} · ${model}`, g.credits ?? 0);
  });
  const perDay = new Map<string, number>();
  for (const r of records) {
    const day = new Date(r.createdAt.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + (r.credits ?? 0));
  }
  const dayLabel = new Intl.DateTimeFormat(locale === 'id' ? 'id-ID' : 'en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const byDay = [...perDay.entries()]
    .filter(([, credits]) => credits > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, credits]) => bar(day, dayLabel.format(new Date(`${day}T00:00:00Z`)), day, credits));
  const total = byChatbot.reduce((sum, b) => sum + b.credits, 0);
  const other = t(locale, 'billing.usage.other');
  return {
    days: USAGE_WINDOW_DAYS,
    total,
    totalText: formatNumber(total, locale),
    byChatbot: topBars(byChatbot, other, locale),
    byModel: topBars(byModel, other, locale),
    byDay,
  };
}
