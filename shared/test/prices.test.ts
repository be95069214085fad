/** The price table: credits per call (rounded up, markup, free offline, unknown models never free), packages and plans. */
import { describe, expect, it } from 'vitest';
import {
  CREDIT_PACKAGES,
  MODEL_PRICES,
  PLANS,
  creditPackages,
  creditsFor,
  estimateCredits,
  findCreditPackage,
  loadConfig,
  planOf,
  priceList,
  priceOf,
} from '../src/index';

const noMarkup = { markupPercent: 0 };
/** Config from these variables alone (not the test process's environment). */
const configFrom = (vars: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'test', ...vars });

describe('creditsFor', () => {
  it('converts 2025 list prices at Rp16.500 per USD, 1 credit = Rp1', () => {
    // gpt-4o-mini: $0.15 / $0.60 per 1M tokens.
    expect(creditsFor({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1_000_000, outputTokens: 0 }, noMarkup)).toBe(2475);
    expect(creditsFor({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 0, outputTokens: 1_000_000 }, noMarkup)).toBe(9900);
    // Claude 3.5 Haiku: $0.80 / $4.
    expect(creditsFor({ provider: 'anthropic', model: 'claude-3-5-haiku-latest', inputTokens: 1_000_000, outputTokens: 1_000_000 }, noMarkup)).toBe(13_200 + 66_000);
  });

  it('adds the markup and rounds up to whole credits, without floating-point noise', () => {
    // 1M input tokens of gpt-4o-mini: 2.475 × 1,2 = 2.970 exactly (not 2.971 from 2970.0000000000005).
    expect(creditsFor({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1_000_000, outputTokens: 0 }, { markupPercent: 20 })).toBe(2970);
    // A typical reply: 1.000 in + 300 out = 2,475 + 2,97 = 5,445 credits base → ×1,2 = 6,534 → 7.
    expect(creditsFor({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 300 }, { markupPercent: 20 })).toBe(7);
    expect(creditsFor({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 300 }, noMarkup)).toBe(6);
    // Gemini 2.0 Flash-Lite input is $0.075 → 1.237,5 per 1M: 2M tokens are exactly 2.475.
    expect(creditsFor({ provider: 'gemini', model: 'gemini-2.0-flash-lite', inputTokens: 2_000_000, outputTokens: 0 }, noMarkup)).toBe(2475);
    expect(creditsFor({ provider: 'gemini', model: 'gemini-2.0-flash-lite', inputTokens: 1_000_001, outputTokens: 0 }, noMarkup)).toBe(1238);
    // Any paid call that used a token costs at least one credit; no tokens, nothing.
    expect(creditsFor({ provider: 'gemini', model: 'gemini-2.0-flash-lite', inputTokens: 1, outputTokens: 0 }, noMarkup)).toBe(1);
    expect(creditsFor({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 0, outputTokens: 0 }, noMarkup)).toBe(0);
  });

  it('uses CREDITS_MARKUP_PERCENT (default 20) when no markup is given', () => {
    expect(configFrom().CREDITS_MARKUP_PERCENT).toBe(20);
    expect(configFrom({ CREDITS_MARKUP_PERCENT: '35' }).CREDITS_MARKUP_PERCENT).toBe(35);
    expect(() => configFrom({ CREDITS_MARKUP_PERCENT: '-1' })).toThrow(/CREDITS_MARKUP_PERCENT/);
    const call = { provider: 'openai', model: 'gpt-4o', inputTokens: 1_000_000, outputTokens: 0 };
    expect(creditsFor(call)).toBe(creditsFor(call, { markupPercent: loadConfig().CREDITS_MARKUP_PERCENT }));
  });

  it('charges nothing for the offline answerer and the local embedding', () => {
    expect(creditsFor({ provider: 'offline', model: 'sapa-offline', inputTokens: 5000, outputTokens: 800 })).toBe(0);
    expect(creditsFor({ provider: 'local', model: 'sapa-local-v2', inputTokens: 5000, outputTokens: 0 })).toBe(0);
    expect(priceList(noMarkup)[0]).toMatchObject({ provider: 'offline', inputPer1M: 0, outputPer1M: 0, typicalReply: 0 });
  });

  it('prices dated and versioned names like their model, and unknown models like the provider’s dearest', () => {
    const cost = (provider: string, model: string) => creditsFor({ provider, model, inputTokens: 1_000_000, outputTokens: 1_000_000 }, noMarkup);
    expect(cost('openai', 'gpt-4o-mini-2024-07-18')).toBe(cost('openai', 'gpt-4o-mini'));
    expect(cost('gemini', 'models/gemini-2.0-flash-001')).toBe(cost('gemini', 'gemini-2.0-flash'));
    expect(cost('anthropic', 'claude-sonnet-4-5-20250929')).toBe(cost('anthropic', 'claude-sonnet-4-5'));
    expect(priceOf('openai', 'gpt-4o-mini-2024-07-18').known).toBe(true);

    // Not a version of gpt-5: a different (pricier) model, so not billed as gpt-5.
    expect(priceOf('openai', 'gpt-5-pro').known).toBe(false);
    const dearestOpenAi = Math.max(...MODEL_PRICES.filter((p) => p.provider === 'openai').map((p) => p.outputPer1M));
    expect(priceOf('openai', 'gpt-5-pro').outputPer1M).toBe(dearestOpenAi);
    expect(cost('openai', 'gpt-5-pro')).toBeGreaterThanOrEqual(cost('openai', 'gpt-4o'));
    expect(cost('anthropic', 'claude-next')).toBe(cost('anthropic', 'claude-opus-4-1'));
    expect(cost('openai_compatible', 'qwen2.5:7b')).toBeGreaterThan(0);
    expect(cost('replicate', 'someone/some-model')).toBeGreaterThan(0);
    // An unknown provider is never free either.
    expect(cost('mystery', 'x')).toBeGreaterThanOrEqual(cost('anthropic', 'claude-opus-4-1'));
  });

  it('refuses impossible token counts', () => {
    expect(() => creditsFor({ provider: 'openai', model: 'gpt-4o', inputTokens: -1, outputTokens: 0 })).toThrow(RangeError);
    expect(() => creditsFor({ provider: 'openai', model: 'gpt-4o', inputTokens: 1.5, outputTokens: 0 })).toThrow(RangeError);
  });

  it('estimates the most a call can cost from the prompt and maxTokens', () => {
    const estimate = estimateCredits({ provider: 'openai', model: 'gpt-4o-mini', promptTokens: 1000, maxTokens: 512 }, noMarkup);
    expect(estimate).toBe(Math.ceil((1000 * 2475 + 512 * 9900) / 1_000_000));
    expect(estimate).toBeGreaterThanOrEqual(creditsFor({ provider: 'openai', model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 300 }, noMarkup));
    expect(estimateCredits({ provider: 'offline', model: 'sapa-offline', promptTokens: 1000, maxTokens: 512 })).toBe(0);
  });

  it('lists every model with marked-up prices for the dashboard', () => {
    const list = priceList({ markupPercent: 20 });
    expect(list).toHaveLength(MODEL_PRICES.length + 1);
    expect(list.find((p) => p.model === 'gpt-4o-mini')).toMatchObject({ provider: 'openai', kind: 'chat', inputPer1M: 2970, outputPer1M: 11_880, typicalReply: 7 });
    expect(list.find((p) => p.model === 'text-embedding-3-small')).toMatchObject({ kind: 'embedding', outputPer1M: 0 });
    expect(list.every((p) => Number.isInteger(p.inputPer1M) && Number.isInteger(p.outputPer1M))).toBe(true);
  });
});

describe('credit packages and plans', () => {
  it('sells the built-in packages, bigger ones at a better rate', () => {
    expect(CREDIT_PACKAGES.map((p) => [p.id, p.priceIdr, p.credits])).toEqual([
      ['starter', 150_000, 100_000],
      ['pro', 750_000, 600_000],
      ['business', 3_000_000, 2_500_000],
    ]);
    const rates = CREDIT_PACKAGES.map((p) => p.credits / p.priceIdr);
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
    expect(creditPackages(configFrom())).toBe(CREDIT_PACKAGES);
    expect(findCreditPackage('pro', configFrom())).toMatchObject({ credits: 600_000 });
    expect(findCreditPackage('gratis', configFrom())).toBeUndefined();
  });

  it('takes packages from CREDIT_PACKAGES_JSON, validated', () => {
    const json = JSON.stringify([{ id: 'mini', name: 'Mini', priceIdr: 50_000, credits: 30_000 }]);
    const config = configFrom({ CREDIT_PACKAGES_JSON: json });
    expect(creditPackages(config)).toEqual([{ id: 'mini', name: 'Mini', priceIdr: 50_000, credits: 30_000 }]);
    expect(findCreditPackage('starter', config)).toBeUndefined();
    for (const bad of [
      'not json',
      '[]',
      '{"id":"x"}',
      JSON.stringify([{ id: 'a', name: 'A', priceIdr: 10_000.5, credits: 1 }]),
      JSON.stringify([{ id: 'a', name: 'A', priceIdr: 20_000_000, credits: 1 }]),
      JSON.stringify([{ id: 'Bad Id', name: 'A', priceIdr: 10_000, credits: 1 }]),
      JSON.stringify([{ id: 'a', name: 'A', priceIdr: 10_000, credits: 1 }, { id: 'a', name: 'B', priceIdr: 20_000, credits: 2 }]),
    ]) {
      expect(() => configFrom({ CREDIT_PACKAGES_JSON: bad }), bad).toThrow(/CREDIT_PACKAGES_JSON/);
    }
  });

  it('has four plans with their limits; an unknown plan is Free', () => {
    expect(Object.values(PLANS).map((p) => [p.id, p.priceIdr > 0, p.limits.botRepliesPerMonth, p.limits.chatbots, p.limits.knowledgeSources, p.limits.knowledgePages])).toEqual([
      ['free', false, 300, 1, 5, 50],
      ['pro', true, 5_000, 3, 50, 1_000],
      ['premium', true, 20_000, 10, 200, 5_000],
      ['enterprise', true, 100_000, 50, 1_000, 20_000],
    ]);
    const prices = Object.values(PLANS).map((p) => p.priceIdr);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(planOf('premium').name).toBe('Premium');
    expect(planOf('platinum')).toBe(PLANS.free);
    expect(planOf(undefined)).toBe(PLANS.free);
  });
});
