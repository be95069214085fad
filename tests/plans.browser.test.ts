/**
 * Prices and plan limits in real Chromium: the chatbot settings' model selector shows what each
 * listed model of the chosen provider costs (credits per 1M tokens and per typical reply, from
 * the one price table), follows the provider select, suggests the listed models, and says when
 * replies cost no credits (offline, an own endpoint, the workspace's own key); without
 * JavaScript every provider's prices are on the page. On the Chatbots page without JavaScript,
 * the "New chatbot" form of a Free workspace that has its one chatbot shows the plan's message
 * with a link to the plans, and nothing is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ChatbotModel, KeyVault, priceList, t, type PriceListItem } from '@sapa/shared';
import { addApiKey } from '@sapa/shared/ai/api-keys';
import { TestStack, launchBrowser, logInToDashboard } from '@sapa/testkit';
import { formatNumber } from '../dashboard/app/lib/billing-labels';

describe('prices and plan limits in the dashboard', () => {
  let stack: TestStack;
  let browser: Browser;
  let prices: PriceListItem[];
  const contexts: BrowserContext[] = [];

  async function signedInPage(javaScriptEnabled: boolean): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await logInToDashboard(page, stack.dashboardUrl, stack.seed.ownerEmail, stack.seed.ownerPassword);
    return page;
  }

  const settingsUrl = () => `${stack.dashboardUrl}/chatbots/${stack.seed.chatbotId}/settings`;
  const priceOf = (provider: string, model: string) => prices.find((p) => p.provider === provider && p.model === model)!;
  const credits = (value: number) => formatNumber(value, 'id');

  beforeAll(async () => {
    stack = await TestStack.start({ dashboard: true, gateway: 'none', worker: 'none' });
    prices = priceList({ markupPercent: stack.config.CREDITS_MARKUP_PERCENT });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
  });

  it('shows the price of every listed model of the chosen provider, and follows the provider select', async () => {
    // The workspace brings its own Anthropic key: its replies cost no credits.
    await addApiKey(new KeyVault(stack.config.SAPA_MASTER_KEYS), {
      workspaceId: stack.seed.workspaceId,
      provider: 'anthropic',
      label: 'Kantor',
      key: 'test-anthropic-key-for-price-notes-00',
    });
    const page = await signedInPage(true);
    await page.goto(settingsUrl());
    const section = page.locator('[data-testid="model-prices"]');
    // Hydrated: only the chosen provider's part is shown (the folded per-provider list is the no-JS page).
    await expect.poll(() => section.locator('details').count(), { timeout: 20_000 }).toBe(0);
    expect(await section.getAttribute('data-provider')).toBe('offline');
    expect(await section.locator('[data-testid="price-free"]').textContent()).toBe(t('id', 'chatbot.price.free'));
    expect(await section.locator('[data-testid="price-own-key-note"]').textContent()).toBe(t('id', 'chatbot.price.ownKeyNote'));

    await page.locator('select[name="provider"]').selectOption('openai');
    const table = section.locator('[data-testid="price-table"][data-provider="openai"]');
    await table.waitFor();
    const listed = prices.filter((p) => p.provider === 'openai' && p.kind === 'chat');
    expect(await table.locator('[data-testid="price-row"]').count()).toBe(listed.length);
    const mini = priceOf('openai', 'gpt-4o-mini');
    // gpt-4o-mini: $0.15 / $0.60 per 1M tokens → 2.475 / 9.900 credits, +20% → 2.970 / 11.880.
    expect(mini).toMatchObject({ inputPer1M: 2970, outputPer1M: 11880 });
    const cells = await table.locator('[data-model="gpt-4o-mini"] td').allTextContents();
    expect(cells).toEqual([
      t('id', 'chatbot.price.credits', { credits: credits(mini.inputPer1M) }),
      t('id', 'chatbot.price.credits', { credits: credits(mini.outputPer1M) }),
      t('id', 'chatbot.price.approx', { credits: credits(mini.typicalReply) }),
    ]);
    expect(cells[0]).toBe('2.970 kredit');
    expect(await table.locator('[data-model="gpt-4o-mini"] th').textContent()).toContain(`(${t('id', 'chatbot.price.default')})`);
    // The model field suggests the listed models, with their price.
    const model = page.locator('input[name="model"]');
    expect(await model.getAttribute('list')).toBe('chat-models-openai');
    const option = page.locator('datalist#chat-models-openai option[value="gpt-4o-mini"]');
    expect(await option.textContent()).toContain(t('id', 'chatbot.price.approx', { credits: credits(mini.typicalReply) }));

    await page.locator('select[name="provider"]').selectOption('anthropic');
    await section.locator('[data-testid="price-table"][data-provider="anthropic"]').waitFor();
    expect(await section.locator('[data-testid="price-own-key"]').textContent()).toBe(t('id', 'chatbot.price.ownKeyActive', { provider: 'Anthropic' }));
    const haiku = priceOf('anthropic', 'claude-haiku-4-5');
    expect(await section.locator('[data-model="claude-haiku-4-5"] td').last().textContent()).toBe(
      t('id', 'chatbot.price.approx', { credits: credits(haiku.typicalReply) }),
    );

    await page.locator('select[name="provider"]').selectOption('openai_compatible');
    await section.locator('[data-testid="price-own-endpoint"]').waitFor();
    expect(await section.locator('[data-testid="price-table"]').count()).toBe(0);
    expect(await section.locator('[data-testid="price-own-key"]').count()).toBe(0);
  });

  it('without JavaScript, shows every provider’s prices with the chosen one open', async () => {
    const page = await signedInPage(false);
    await page.goto(settingsUrl());
    const section = page.locator('[data-testid="model-prices"]');
    expect(await section.locator('details[data-provider="offline"]').getAttribute('open')).not.toBeNull();
    expect(await section.locator('details[data-provider="gemini"]').getAttribute('open')).toBeNull();
    const flash = priceOf('gemini', 'gemini-2.0-flash');
    const row = section.locator('details[data-provider="gemini"] [data-model="gemini-2.0-flash"] td');
    expect(await row.last().textContent()).toBe(t('id', 'chatbot.price.approx', { credits: credits(flash.typicalReply) }));
  });

  it('without JavaScript, the "New chatbot" form of a Free workspace at its limit says so with a link to the plans, creating nothing', async () => {
    const page = await signedInPage(false);
    await page.goto(`${stack.dashboardUrl}/chatbots`);
    const form = page.locator('[data-testid="new-chatbot-form"]');
    expect(await page.locator('[data-testid="chatbot-allowance"]').textContent()).toBe(t('id', 'chatbots.new.usage', { plan: 'Free', used: 1, limit: 1 }));
    await form.locator('input[name="name"]').fill('Bot Cabang Surabaya');
    const answered = page.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === '/chatbots', { timeout: 30_000 });
    await form.locator('[data-testid="create-chatbot"]').click();
    expect((await answered).status()).toBe(409);
    await page.waitForLoadState('load');

    const alert = page.locator('[data-testid="new-chatbot-form"] [data-testid="plan-limit"]');
    expect(await alert.textContent()).toContain(t('id', 'error.planLimitChatbots'));
    const link = alert.locator('a[data-testid="plan-limit-billing"]');
    expect(await link.getAttribute('href')).toBe('/billing');
    expect(await link.textContent()).toBe(t('id', 'plan.seePlans'));
    expect(await form.locator('input[name="name"]').inputValue()).toBe('Bot Cabang Surabaya');
    expect(await ChatbotModel.countDocuments({ workspaceId: stack.seed.workspaceId })).toBe(1);
  });
});
