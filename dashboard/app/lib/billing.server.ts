/**
 * The Billing page's data and its small changes: who may see it (owners and admins: they decide
 * what the workspace spends), the credit balance and its low-balance threshold, what can be
 * bought (credit packages, plan months) and whether payments are configured at all, the current
 * plan with its limits, the owner alerts, and the latest payments. Usage and the transaction
 * history have modules of their own; buying and cancelling are in payments.server.ts.
 */
import {
  CounterModel,
  CreditAccountModel,
  NoticeModel,
  PLANS,
  PaymentModel,
  creditPackages,
  currentEventSeq,
  forbidden,
  getBalance,
  isDuplicateKeyError,
  planOf,
  t,
  type Locale,
  type Membership,
  type MessageKey,
  type NoticeKind,
  type Payment,
  type PaymentStatusValue,
  type Plan,
  type Workspace,
} from '@sapa/shared';
import { config, ensureDatabase } from './env.server';
import { BUYABLE_PLANS, type BuyablePlan } from './billing-forms.server';
import { formatIdr, formatNumber } from './billing-labels';
import { requireUser, type SessionUser } from './session.server';
import { timeFormatter } from './time.server';
import { describePurchase } from './payments.server';

export function canManageBilling(membership: Pick<Membership, 'role'>): boolean {
  return membership.role === 'owner' || membership.role === 'admin';
}

/** The signed-in owner or admin; a 403 for an agent (and the login redirect when signed out). */
export async function requireBillingManager(request: Request): Promise<SessionUser> {
  const signedIn = await requireUser(request);
  if (!canManageBilling(signedIn.membership)) throw forbidden('billing.error.adminOnly');
  return signedIn;
}

export interface ViewContext {
  workspaceId: string;
  locale: Locale;
  timeZone: string | null | undefined;
}

/** The account's schema default, so a workspace that never set a threshold shows what the worker uses. */
const DEFAULT_THRESHOLD: number = new CreditAccountModel().lowBalanceThreshold;

/** Owner alerts shown on the page, newest first. */
const NOTICES_SHOWN = 20;
/** Payments listed under "latest payments" (a QR left open is found again there). */
const PAYMENTS_SHOWN = 5;

const PROVIDER_NAMES = { midtrans: 'Midtrans', xendit: 'Xendit' } as const;

export interface PackageCard {
  id: string;
  name: string;
  price: string;
  credits: string;
}

export interface PlanLimitsView {
  botRepliesPerMonth: string;
  chatbots: string;
  knowledgeSources: string;
  knowledgePages: string;
}

export interface PlanCard {
  id: BuyablePlan;
  name: string;
  price: string;
  limits: PlanLimitsView;
  /** The workspace is on this plan now: buying it renews (adds a month). */
  current: boolean;
}

export interface CurrentPlanView {
  id: string;
  name: string;
  limits: PlanLimitsView;
  /** When the paid plan ends ('' on Free). */
  endsAt: string;
  /** A paid plan that has run out: the workspace is on Free again. */
  lapsedPlan: string;
  lapsedAt: string;
  repliesThisMonth: string;
  repliesUsedPercent: number;
}

export interface NoticeView {
  id: string;
  kind: NoticeKind;
  text: string;
  at: string;
  read: boolean;
}

export interface PaymentRow {
  orderId: string;
  status: PaymentStatusValue;
  what: string;
  amount: string;
  at: string;
}

export interface BillingOverview {
  balance: number;
  balanceText: string;
  threshold: number;
  thresholdText: string;
  low: boolean;
  /** `Midtrans` / `Xendit`, or null when the operator configured no payment provider. */
  paymentProvider: string | null;
  packages: PackageCard[];
  plans: PlanCard[];
  plan: CurrentPlanView;
  notices: NoticeView[];
  unreadNotices: number;
  payments: PaymentRow[];
  /** Emails are kept in the dev outbox instead of being sent. */
  emailOutboxOnly: boolean;
}

function limitsView(plan: Plan, locale: Locale): PlanLimitsView {
  const n = (value: number) => formatNumber(value, locale);
  return {
    botRepliesPerMonth: n(plan.limits.botRepliesPerMonth),
    chatbots: n(plan.limits.chatbots),
    knowledgeSources: n(plan.limits.knowledgeSources),
    knowledgePages: n(plan.limits.knowledgePages),
  };
}

/** A calendar day with its year (plan ends, alerts), in the workspace's time zone. */
export function dateFormatter(locale: Locale, timeZone: string | null | undefined): (date: Date) => string {
  const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric' };
  const intlLocale = locale === 'id' ? 'id-ID' : 'en-GB';
  try {
    const format = new Intl.DateTimeFormat(intlLocale, { ...options, timeZone: timeZone || 'Asia/Jakarta' });
    return (date) => format.format(date);
  } catch {
    // An unknown zone stored on the workspace: Jakarta, the product's default.
    const format = new Intl.DateTimeFormat(intlLocale, { ...options, timeZone: 'Asia/Jakarta' });
    return (date) => format.format(date);
  }
}

/** The month's reply counter the worker advances (plan-limits.ts): `replies:<ws>:<yyyy-mm>`, Jakarta months. */
async function repliesThisMonth(workspaceId: string, now: Date): Promise<number> {
  const month = new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 7);
  const counter = await CounterModel.findById(`replies:${workspaceId}:${month}`).lean<{ seq?: number }>();
  return counter?.seq ?? 0;
}

async function currentPlanView(ctx: ViewContext, workspace: Pick<Workspace, 'plan' | 'planEndsAt'>, now: Date): Promise<CurrentPlanView> {
  const day = dateFormatter(ctx.locale, ctx.timeZone);
  const paid = Boolean(workspace.plan && workspace.plan !== 'free');
  const endsAt = workspace.planEndsAt ?? null;
  const active = paid && endsAt !== null && endsAt.getTime() > now.getTime();
  // A paid plan counts until it ends, then the workspace is on Free again (as the worker decides).
  const plan = planOf(active ? workspace.plan : 'free');
  const used = await repliesThisMonth(ctx.workspaceId, now);
  return {
    id: plan.id,
    name: plan.name,
    limits: limitsView(plan, ctx.locale),
    endsAt: active && endsAt ? day(endsAt) : '',
    lapsedPlan: paid && !active ? planOf(workspace.plan).name : '',
    lapsedAt: paid && !active && endsAt ? day(endsAt) : '',
    repliesThisMonth: formatNumber(used, ctx.locale),
    repliesUsedPercent: Math.min(100, Math.round((used / Math.max(1, plan.limits.botRepliesPerMonth)) * 100)),
  };
}

/** A notice's text: its catalog entry filled with the values it was raised with. */
function noticeText(locale: Locale, kind: NoticeKind, vars: unknown, workspaceName: string): string {
  const values: Record<string, string> = { workspace: workspaceName };
  if (vars && typeof vars === 'object') {
    for (const [key, value] of Object.entries(vars)) if (typeof value === 'string' || typeof value === 'number') values[key] = String(value);
  }
  return t(locale, `notice.${kind}` as MessageKey, values);
}

async function noticesOf(ctx: ViewContext, workspaceName: string): Promise<{ notices: NoticeView[]; unread: number }> {
  const time = timeFormatter(ctx.locale, ctx.timeZone);
  const [found, unread] = await Promise.all([
    NoticeModel.find({ workspaceId: ctx.workspaceId }).sort({ createdAt: -1 }).limit(NOTICES_SHOWN).lean<Array<{ _id: string; kind: NoticeKind; vars?: unknown; readAt?: Date; createdAt?: Date }>>(),
    NoticeModel.countDocuments({ workspaceId: ctx.workspaceId, readAt: { $exists: false } }),
  ]);
  return {
    notices: found.map((n) => ({
      id: n._id,
      kind: n.kind,
      text: noticeText(ctx.locale, n.kind, n.vars, workspaceName),
      at: n.createdAt ? time.full(n.createdAt) : '',
      read: Boolean(n.readAt),
    })),
    unread,
  };
}

async function latestPayments(ctx: ViewContext): Promise<PaymentRow[]> {
  const time = timeFormatter(ctx.locale, ctx.timeZone);
  const payments = await PaymentModel.find({ workspaceId: ctx.workspaceId })
    .sort({ createdAt: -1 })
    .limit(PAYMENTS_SHOWN)
    .lean<Array<Payment & { _id: string; createdAt?: Date }>>();
  return payments.map((p) => ({
    orderId: p._id,
    status: p.status ?? 'created',
    what: describePurchase(p, ctx.locale),
    amount: formatIdr(p.amountIdr, ctx.locale),
    at: p.createdAt ? time.full(p.createdAt) : '',
  }));
}

async function thresholdOf(workspaceId: string): Promise<number> {
  const account = await CreditAccountModel.findById(workspaceId, { lowBalanceThreshold: 1 }).lean<{ lowBalanceThreshold?: number }>();
  return account?.lowBalanceThreshold ?? DEFAULT_THRESHOLD;
}

/**
 * Where the page's live stream starts. Taken before any of the page's reads: an event that lands
 * in between reloads the page once more instead of being lost.
 */
export async function billingSnapshotSeq(workspaceId: string): Promise<number> {
  await ensureDatabase();
  return currentEventSeq(workspaceId);
}

export async function loadBillingOverview(ctx: ViewContext, workspace: Workspace, now = new Date()): Promise<BillingOverview> {
  await ensureDatabase();
  const [balance, threshold, plan, notices, payments] = await Promise.all([
    getBalance(ctx.workspaceId),
    thresholdOf(ctx.workspaceId),
    currentPlanView(ctx, workspace, now),
    noticesOf(ctx, workspace.name),
    latestPayments(ctx),
  ]);
  const provider = config.PAYMENT_PROVIDER === 'none' ? null : PROVIDER_NAMES[config.PAYMENT_PROVIDER];
  return {
    balance,
    balanceText: formatNumber(balance, ctx.locale),
    threshold,
    thresholdText: formatNumber(threshold, ctx.locale),
    low: balance < threshold,
    paymentProvider: provider,
    packages: creditPackages(config).map((p) => ({
      id: p.id,
      name: p.name,
      price: formatIdr(p.priceIdr, ctx.locale),
      credits: formatNumber(p.credits, ctx.locale),
    })),
    plans: BUYABLE_PLANS.map((id) => ({
      id,
      name: PLANS[id].name,
      price: formatIdr(PLANS[id].priceIdr, ctx.locale),
      limits: limitsView(PLANS[id], ctx.locale),
      current: plan.id === id,
    })),
    plan,
    notices: notices.notices,
    unreadNotices: notices.unread,
    payments,
    emailOutboxOnly: !config.SMTP_URL,
  };
}

/**
 * Below this balance the owner is alerted (the worker reads it after every charge). The account
 * document is shared with the ledger's head hint, so only this one field is set; the first write
 * may race the ledger creating the account, and then it is simply updated.
 */
export async function setLowBalanceThreshold(workspaceId: string, threshold: number): Promise<void> {
  await ensureDatabase();
  const update = { $set: { lowBalanceThreshold: threshold } };
  try {
    await CreditAccountModel.updateOne({ _id: workspaceId }, update, { upsert: true });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    await CreditAccountModel.updateOne({ _id: workspaceId }, update);
  }
}

/** Marks one alert (or, with `all`, every unread alert) of the workspace read. */
export async function markNoticesRead(workspaceId: string, which: { noticeId: string } | 'all'): Promise<void> {
  await ensureDatabase();
  const now = new Date();
  if (which === 'all') {
    await NoticeModel.updateMany({ workspaceId, readAt: { $exists: false } }, { $set: { readAt: now } });
    return;
  }
  // Scoped by workspace: another workspace's notice id changes nothing.
  await NoticeModel.updateOne({ _id: which.noticeId, workspaceId }, { $set: { readAt: now } });
}
