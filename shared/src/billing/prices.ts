/**
 * The one price table: what an AI call costs in credits, the credit packages a workspace buys with
 * QRIS, and the plans with their limits. Everything that charges, estimates, shows or sells credits
 * reads it from here.
 *
 * 1 credit = Rp1 of AI cost. Provider prices are the public list prices per 1M tokens as of 2025
 * (USD), converted at USD 1 = Rp16.500, e.g. gpt-4o-mini $0.15 / $0.60 → 2.475 / 9.900 credits per
 * 1M input / output tokens. A configurable markup (`CREDITS_MARKUP_PERCENT`, default 20) is added on
 * top, and every charge is rounded UP to whole credits.
 */
import { loadConfig, type Config, type CreditPackage } from '../config';

export const IDR_PER_USD = 16_500;

export interface ModelPrice {
  provider: string;
  model: string;
  label: string;
  /** `chat` answers customers; `embedding` turns knowledge into vectors. */
  kind: 'chat' | 'embedding';
  /** Base cost in credits per 1M tokens, before the markup (may be fractional: 0.075 USD → 1.237,5). */
  inputPer1M: number;
  outputPer1M: number;
}

const usd = (provider: string, model: string, label: string, input: number, output: number, kind: ModelPrice['kind'] = 'chat'): ModelPrice => ({
  provider,
  model,
  label,
  kind,
  // Rounded to milli-credits so binary floating point (0.15 × 16.500 = 2474.9999…) does not leak in.
  inputPer1M: Math.round(input * IDR_PER_USD * 1000) / 1000,
  outputPer1M: Math.round(output * IDR_PER_USD * 1000) / 1000,
});

/** Providers whose calls Sapa does not pay for: the offline answerer and the local embedding. */
export const FREE_PROVIDERS: readonly string[] = ['offline', 'local'];

/** Public list prices, USD per 1M input / output tokens (2025). */
export const MODEL_PRICES: readonly ModelPrice[] = [
  usd('openai', 'gpt-4o-mini', 'GPT-4o mini', 0.15, 0.6),
  usd('openai', 'gpt-4o', 'GPT-4o', 2.5, 10),
  usd('openai', 'gpt-4.1-nano', 'GPT-4.1 nano', 0.1, 0.4),
  usd('openai', 'gpt-4.1-mini', 'GPT-4.1 mini', 0.4, 1.6),
  usd('openai', 'gpt-4.1', 'GPT-4.1', 2, 8),
  usd('openai', 'gpt-5-nano', 'GPT-5 nano', 0.05, 0.4),
  usd('openai', 'gpt-5-mini', 'GPT-5 mini', 0.25, 2),
  usd('openai', 'gpt-5', 'GPT-5', 1.25, 10),
  usd('openai', 'o4-mini', 'o4-mini', 1.1, 4.4),
  usd('openai', 'text-embedding-3-small', 'text-embedding-3-small', 0.02, 0, 'embedding'),
  usd('openai', 'text-embedding-3-large', 'text-embedding-3-large', 0.13, 0, 'embedding'),
  usd('anthropic', 'claude-3-5-haiku', 'Claude 3.5 Haiku', 0.8, 4),
  usd('anthropic', 'claude-haiku-4-5', 'Claude Haiku 4.5', 1, 5),
  usd('anthropic', 'claude-3-7-sonnet', 'Claude 3.7 Sonnet', 3, 15),
  usd('anthropic', 'claude-sonnet-4', 'Claude Sonnet 4', 3, 15),
  usd('anthropic', 'claude-sonnet-4-5', 'Claude Sonnet 4.5', 3, 15),
  usd('anthropic', 'claude-opus-4-1', 'Claude Opus 4.1', 15, 75),
  usd('gemini', 'gemini-2.0-flash-lite', 'Gemini 2.0 Flash-Lite', 0.075, 0.3),
  usd('gemini', 'gemini-2.0-flash', 'Gemini 2.0 Flash', 0.1, 0.4),
  usd('gemini', 'gemini-2.5-flash-lite', 'Gemini 2.5 Flash-Lite', 0.1, 0.4),
  usd('gemini', 'gemini-2.5-flash', 'Gemini 2.5 Flash', 0.3, 2.5),
  usd('gemini', 'gemini-2.5-pro', 'Gemini 2.5 Pro (prompts ≤ 200k)', 1.25, 10),
  usd('gemini', 'text-embedding-004', 'text-embedding-004', 0.025, 0, 'embedding'),
  usd('gemini', 'gemini-embedding-001', 'gemini-embedding-001', 0.15, 0, 'embedding'),
  usd('replicate', 'meta/meta-llama-3-8b-instruct', 'Llama 3 8B Instruct', 0.05, 0.25),
  usd('replicate', 'meta/meta-llama-3-70b-instruct', 'Llama 3 70B Instruct', 0.65, 2.75),
  usd('replicate', 'meta/meta-llama-3.1-405b-instruct', 'Llama 3.1 405B Instruct', 9.5, 9.5),
  // OpenAI-compatible endpoints are priced like a hosted open model (Groq's list prices): a
  // self-hosted Ollama costs Sapa nothing, but whether such a call is charged is the caller's
  // decision (whose endpoint/key it is), not the price table's.
  usd('openai_compatible', 'llama3.1', 'Llama 3.1 8B', 0.05, 0.08),
  usd('openai_compatible', 'llama-3.1-8b-instant', 'Llama 3.1 8B Instant', 0.05, 0.08),
  usd('openai_compatible', 'llama-3.3-70b-versatile', 'Llama 3.3 70B', 0.59, 0.79),
  usd('openai_compatible', 'nomic-embed-text', 'nomic-embed-text', 0.02, 0, 'embedding'),
];

/**
 * Provider APIs name one model several ways: `claude-3-5-haiku-latest`, `gpt-4o-mini-2024-07-18`,
 * `models/gemini-2.0-flash-001`, `owner/model:<version>`. Only such dated/versioned spellings of a
 * listed model take its price; any other name is unknown (and priced as the provider's most
 * expensive model), so a new `gpt-5-pro` is never billed as the cheap `gpt-5`.
 */
const VERSION_SUFFIX = /^(?:-latest|-\d{8}|-\d{4}-\d{2}-\d{2}|-\d{3}|-v\d+(?:\.\d+)*|:[0-9a-f]{8,})$/;

function normalizeModel(model: string): string {
  return model.trim().toLowerCase().replace(/^models\//, '');
}

/** The highest input and the highest output price among `prices`, so an unknown model is never undercharged. */
function mostExpensive(prices: readonly ModelPrice[]): Pick<ModelPrice, 'inputPer1M' | 'outputPer1M'> {
  return {
    inputPer1M: Math.max(...prices.map((p) => p.inputPer1M)),
    outputPer1M: Math.max(...prices.map((p) => p.outputPer1M)),
  };
}

/** The price of a provider's model; unknown models (and providers) take the most expensive listed price. */
export function priceOf(provider: string, model: string): ModelPrice & { known: boolean } {
  if (isFreeProvider(provider)) return { provider, model, label: model, kind: 'chat', inputPer1M: 0, outputPer1M: 0, known: true };
  const name = normalizeModel(model);
  const ofProvider = MODEL_PRICES.filter((p) => p.provider === provider);
  const exact = ofProvider.find((p) => p.model === name);
  if (exact) return { ...exact, known: true };
  const versioned = ofProvider
    .filter((p) => name.startsWith(p.model) && VERSION_SUFFIX.test(name.slice(p.model.length)))
    .sort((a, b) => b.model.length - a.model.length)[0];
  if (versioned) return { ...versioned, known: true };
  const fallback = mostExpensive(ofProvider.length > 0 ? ofProvider : MODEL_PRICES);
  return { ...fallback, provider, model, label: model, kind: 'chat', known: false };
}

export function isFreeProvider(provider: string): boolean {
  return FREE_PROVIDERS.includes(provider);
}

let cachedMarkup: number | undefined;
/** The markup from the environment, read once per process. */
export function configuredMarkupPercent(): number {
  cachedMarkup ??= loadConfig().CREDITS_MARKUP_PERCENT;
  return cachedMarkup;
}

export interface PriceOptions {
  /** Overrides `CREDITS_MARKUP_PERCENT` (tests, or a caller that holds a Config already). */
  markupPercent?: number;
}

const MILLI = 1000n;

/**
 * Credits for `tokens` at a price, exactly: prices become integer milli-credits per 1M tokens and
 * the sum is BigInt, so `2.475 × 1,2` is not `2970.0000000000005` rounded up to 2.971.
 */
function chargeFor(price: ModelPrice, inputTokens: number, outputTokens: number, markupPercent: number): number {
  const milli = (perMillion: number) => BigInt(Math.round(perMillion * Number(MILLI)));
  const base = BigInt(inputTokens) * milli(price.inputPer1M) + BigInt(outputTokens) * milli(price.outputPer1M);
  const numerator = base * BigInt(100 + markupPercent);
  const denominator = 1_000_000n * MILLI * 100n;
  const credits = Number((numerator + denominator - 1n) / denominator);
  // Any paid call that used tokens costs at least one credit.
  return inputTokens + outputTokens > 0 ? Math.max(1, credits) : credits;
}

function tokenCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
  return value;
}

function markupOf(opts: PriceOptions): number {
  const markup = opts.markupPercent ?? configuredMarkupPercent();
  if (!Number.isSafeInteger(markup) || markup < 0) throw new RangeError(`markupPercent must be a non-negative integer, got ${markup}`);
  return markup;
}

export interface MeteredCall {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

/** What a finished AI call costs, in whole credits (rounded up, markup included). */
export function creditsFor(call: MeteredCall, opts: PriceOptions = {}): number {
  const inputTokens = tokenCount(call.inputTokens, 'inputTokens');
  const outputTokens = tokenCount(call.outputTokens, 'outputTokens');
  if (isFreeProvider(call.provider)) return 0;
  return chargeFor(priceOf(call.provider, call.model), inputTokens, outputTokens, markupOf(opts));
}

/** The most a call can cost before it is made: the whole prompt plus `maxTokens` of answer. */
export function estimateCredits(
  call: { provider: string; model: string; promptTokens: number; maxTokens: number },
  opts: PriceOptions = {},
): number {
  return creditsFor({ provider: call.provider, model: call.model, inputTokens: call.promptTokens, outputTokens: call.maxTokens }, opts);
}

export interface PriceListItem {
  provider: string;
  model: string;
  label: string;
  kind: ModelPrice['kind'];
  /** Credits per 1M tokens, markup included, rounded up (what the dashboard shows). */
  inputPer1M: number;
  outputPer1M: number;
  /** What 1.000 input + 300 output tokens (a typical grounded reply) cost. */
  typicalReply: number;
}

/** The price table as the dashboard's model selector shows it: offline first, then every listed model. */
export function priceList(opts: PriceOptions = {}): PriceListItem[] {
  const markup = markupOf(opts);
  const offline: PriceListItem = { provider: 'offline', model: 'sapa-offline', label: 'Offline', kind: 'chat', inputPer1M: 0, outputPer1M: 0, typicalReply: 0 };
  return [
    offline,
    ...MODEL_PRICES.map((p) => ({
      provider: p.provider,
      model: p.model,
      label: p.label,
      kind: p.kind,
      inputPer1M: chargeFor(p, 1_000_000, 0, markup),
      outputPer1M: p.outputPer1M === 0 ? 0 : chargeFor(p, 0, 1_000_000, markup),
      typicalReply: chargeFor(p, 1000, p.kind === 'chat' ? 300 : 0, markup),
    })),
  ];
}

/** Built-in credit packages; `CREDIT_PACKAGES_JSON` replaces them. Bigger packages give more per rupiah. */
export const CREDIT_PACKAGES: readonly CreditPackage[] = [
  { id: 'starter', name: 'Starter', priceIdr: 150_000, credits: 100_000 },
  { id: 'pro', name: 'Pro', priceIdr: 750_000, credits: 600_000 },
  { id: 'business', name: 'Business', priceIdr: 3_000_000, credits: 2_500_000 },
];

export function creditPackages(config: Pick<Config, 'CREDIT_PACKAGES_JSON'> = loadConfig()): readonly CreditPackage[] {
  return config.CREDIT_PACKAGES_JSON ?? CREDIT_PACKAGES;
}

export function findCreditPackage(id: string, config?: Pick<Config, 'CREDIT_PACKAGES_JSON'>): CreditPackage | undefined {
  return creditPackages(config).find((p) => p.id === id);
}

export const PLAN_IDS = ['free', 'pro', 'premium', 'enterprise'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export interface PlanLimits {
  /** Bot replies per calendar month. */
  botRepliesPerMonth: number;
  chatbots: number;
  knowledgeSources: number;
  /** Website pages across all website sources. */
  knowledgePages: number;
}

export interface Plan {
  id: PlanId;
  name: string;
  /** Price of one month, IDR. */
  priceIdr: number;
  limits: PlanLimits;
}

/**
 * Plans. Prices are our own pick for Indonesian small businesses, below Chatbase's/Dify's dollar
 * tiers: Pro Rp299.000, Premium Rp999.000, Enterprise Rp4.999.000 a month (Free is free). AI usage
 * is paid in credits on top, so a plan buys capacity, not tokens.
 */
export const PLANS: Readonly<Record<PlanId, Plan>> = {
  free: { id: 'free', name: 'Free', priceIdr: 0, limits: { botRepliesPerMonth: 300, chatbots: 1, knowledgeSources: 5, knowledgePages: 50 } },
  pro: { id: 'pro', name: 'Pro', priceIdr: 299_000, limits: { botRepliesPerMonth: 5_000, chatbots: 3, knowledgeSources: 50, knowledgePages: 1_000 } },
  premium: {
    id: 'premium',
    name: 'Premium',
    priceIdr: 999_000,
    limits: { botRepliesPerMonth: 20_000, chatbots: 10, knowledgeSources: 200, knowledgePages: 5_000 },
  },
  enterprise: {
    id: 'enterprise',
    name: 'Enterprise',
    priceIdr: 4_999_000,
    limits: { botRepliesPerMonth: 100_000, chatbots: 50, knowledgeSources: 1_000, knowledgePages: 20_000 },
  },
};

/** A workspace's plan by its stored id; an unknown or missing id is Free. */
export function planOf(id: string | null | undefined): Plan {
  return (PLAN_IDS as readonly string[]).includes(id ?? '') ? PLANS[id as PlanId] : PLANS.free;
}
