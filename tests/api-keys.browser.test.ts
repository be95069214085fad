/**
 * The API keys page (/settings/api-keys) in real Chromium against the whole stack, with OpenAI
 * played by testkit's fake: an owner adds a key and sees it masked (the page never carries the
 * key), tests it through the worker (works; a wrong key is marked invalid), sets its limit and
 * deletes it; the same page without JavaScript; an agent can neither see nor change keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ApiKeyModel, KeyVault, MembershipModel, UserModel, hashPassword } from '@sapa/shared';
import { openApiKey } from '@sapa/shared/ai/api-keys';
import { TestStack, launchBrowser, logInToDashboard, uniqueName } from '@sapa/testkit';
import { startFakeOpenAi, type FakeOpenAi } from '@sapa/testkit/fakes';

const GOOD_KEY = 'test-openai-key-browser-good-0000000000';
const WRONG_KEY = 'test-openai-key-browser-wrong-111111111';
const NOJS_KEY = 'test-openai-key-no-script-2222222222222';

describe('the API keys page', () => {
  let stack: TestStack;
  let openai: FakeOpenAi;
  let browser: Browser;
  let vault: KeyVault;
  const contexts: BrowserContext[] = [];
  const agentEmail = `${uniqueName('agent')}@example.test`;
  const agentPassword = 'rahasia-agen-123';

  async function newPage(javaScriptEnabled = true): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context.newPage();
  }

  /** A form post that ends in a new document (a redirect or a rendered answer), with or without JavaScript. */
  async function submitAndLoad(page: Page, button: Locator) {
    const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 30_000 });
    await button.click();
    await navigated;
    await page.waitForLoadState('load');
  }

  const keyItems = (page: Page) => page.locator('[data-testid="api-key-item"]');
  const fieldError = (page: Page, name: string) => page.locator(`[data-testid="api-key-add-form"] .field:has([name="${name}"]) .field__error`);

  beforeAll(async () => {
    openai = await startFakeOpenAi({ apiKey: GOOD_KEY });
    stack = await TestStack.start({ dashboard: true, env: { OPENAI_BASE_URL: openai.baseUrl, AI_REQUEST_TIMEOUT_MS: '5000' } });
    vault = new KeyVault(stack.config.SAPA_MASTER_KEYS);
    const agent = await UserModel.create({ email: agentEmail, name: 'Agus Agen', passwordHash: await hashPassword(agentPassword), locale: 'id' });
    await MembershipModel.create({ workspaceId: stack.seed.workspaceId, userId: agent._id, role: 'agent' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
    await openai?.close();
  });

  let owner: Page;

  it('adds a key from the header link and shows it masked only', async () => {
    owner = await newPage();
    await logInToDashboard(owner, stack.dashboardUrl, stack.seed.ownerEmail, stack.seed.ownerPassword);
    await owner.locator('.app-nav').getByRole('link', { name: 'Kunci API' }).click();
    await owner.waitForURL(/\/settings\/api-keys$/);
    await owner.locator('[data-testid="api-keys-page"]').waitFor();
    expect(await keyItems(owner).count()).toBe(0);

    const form = owner.locator('[data-testid="api-key-add-form"]');
    // A rejected form (no base URL for an OpenAI-compatible key) says why and does not give the key back.
    await form.locator('select[name="provider"]').selectOption('openai_compatible');
    await form.locator('input[name="key"]').fill(GOOD_KEY);
    await form.locator('input[name="monthlyLimit"]').fill('50.000');
    await form.locator('[data-testid="api-key-add-submit"]').click();
    await fieldError(owner, 'baseUrl').waitFor();
    expect(await fieldError(owner, 'baseUrl').textContent()).toContain('base URL');
    expect(await owner.content()).not.toContain(GOOD_KEY);
    expect(await ApiKeyModel.countDocuments({ workspaceId: stack.seed.workspaceId })).toBe(0);

    await form.locator('select[name="provider"]').selectOption('openai');
    await form.locator('input[name="label"]').fill('Akun kantor');
    await form.locator('input[name="key"]').fill(GOOD_KEY);
    await form.locator('input[name="monthlyLimit"]').fill('50.000');
    await form.locator('[data-testid="api-key-add-submit"]').click();
    await owner.locator('[data-testid="api-keys-notice"][data-notice="added"]').waitFor();

    const item = keyItems(owner).first();
    expect(await keyItems(owner).count()).toBe(1);
    expect(await item.getAttribute('data-provider')).toBe('openai');
    expect(await item.getAttribute('data-status')).toBe('active');
    expect(await item.locator('[data-testid="api-key-masked"]').textContent()).toBe(`•••• ${GOOD_KEY.slice(-4)}`);
    expect(await item.textContent()).toContain('Akun kantor');
    expect(await item.locator('[data-testid="api-key-usage"]').textContent()).toContain('0 dari 50.000 kredit');
    expect(await item.locator('[data-testid="api-key-tested"]').textContent()).toBe('Belum pernah diuji');
    // Neither the page nor the key field keeps the key; the database holds it sealed.
    expect(await owner.content()).not.toContain(GOOD_KEY);
    expect(await owner.locator('[data-testid="api-key-add-form"] input[name="key"]').inputValue()).toBe('');
    const stored = (await ApiKeyModel.findOne({ workspaceId: stack.seed.workspaceId }).lean())!;
    expect(stored).toMatchObject({ provider: 'openai', label: 'Akun kantor', monthlyLimitCredits: 50_000, last4: GOOD_KEY.slice(-4) });
    expect(JSON.stringify(stored)).not.toContain(GOOD_KEY);
    expect(openApiKey(vault, stored)).toBe(GOOD_KEY);
  });

  it('tests the key through the worker: a working key passes, a wrong one is marked invalid', async () => {
    openai.reset();
    const item = keyItems(owner).first();
    await item.locator('[data-testid="api-key-test"]').click();
    const result = owner.locator('[data-testid="api-key-test-result"]');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toContain('Kunci berfungsi');
    // The key's row is re-read after the test: wait for it rather than read it at once.
    await item.locator('[data-testid="api-key-tested"]', { hasText: /^Terakhir diuji / }).waitFor();
    expect(openai.requests.filter((r) => r.path === '/v1/chat/completions' && r.status === 200)).toHaveLength(1);

    // A wrong key for the same provider replaces the first one.
    const form = owner.locator('[data-testid="api-key-add-form"]');
    await form.locator('select[name="provider"]').selectOption('openai');
    await form.locator('input[name="key"]').fill(WRONG_KEY);
    await form.locator('[data-testid="api-key-add-submit"]').click();
    await owner.locator('[data-testid="api-keys-notice"][data-notice="replaced"]').waitFor();
    expect(await keyItems(owner).count()).toBe(1);
    expect(await item.locator('[data-testid="api-key-masked"]').textContent()).toBe(`•••• ${WRONG_KEY.slice(-4)}`);
    // The limit stays with the replaced key.
    expect(await item.locator('[data-testid="api-key-usage"]').textContent()).toContain('50.000');

    await item.locator('[data-testid="api-key-test"]').click();
    await owner.locator('[data-testid="api-key-test-result"][data-ok="false"]').waitFor();
    expect(await result.getAttribute('data-reason')).toBe('invalid_key');
    expect(await result.textContent()).toContain('penyedia menolak kunci ini');
    await owner.locator('[data-testid="api-key-item"][data-status="invalid"]').waitFor();
    expect(await item.locator('[data-testid="api-key-status"]').textContent()).toBe('Tidak valid');
    const html = await owner.content();
    expect(html).not.toContain(WRONG_KEY);
    expect(html).not.toMatch(/sk-\*|\*\*\*/);
  });

  it('edits the limit, refusing what is not a whole number of credits', async () => {
    const item = keyItems(owner).first();
    await item.locator('summary', { hasText: 'Ubah batas' }).click();
    const limitForm = item.locator('[data-testid="api-key-limit-form"]');
    await limitForm.locator('input[name="monthlyLimit"]').fill('12,5');
    await limitForm.locator('button[type="submit"]').click();
    await limitForm.locator('.field__error').waitFor();
    expect(await limitForm.locator('.field__error').textContent()).toContain('angka bulat');

    await limitForm.locator('input[name="monthlyLimit"]').fill('125000');
    await limitForm.locator('button[type="submit"]').click();
    await owner.locator('[data-testid="api-keys-notice"][data-notice="limit"]').waitFor();
    expect(await item.locator('[data-testid="api-key-usage"]').textContent()).toContain('0 dari 125.000 kredit');
    expect((await ApiKeyModel.findOne({ workspaceId: stack.seed.workspaceId }).lean())!.monthlyLimitCredits).toBe(125_000);
  });

  it('deletes the key after a second confirmation', async () => {
    const item = keyItems(owner).first();
    await item.locator('[data-testid="api-key-delete"]').click();
    await item.locator('[data-testid="api-key-delete-confirm"]').click();
    await owner.locator('[data-testid="api-keys-notice"][data-notice="deleted"]').waitFor();
    expect(await keyItems(owner).count()).toBe(0);
    expect(await ApiKeyModel.countDocuments({ workspaceId: stack.seed.workspaceId })).toBe(0);
  });

  it('works without JavaScript: add, see it masked, test it, delete it', async () => {
    const page = await newPage(false);
    await page.goto(`${stack.dashboardUrl}/login`);
    await page.locator('input[name=email]').fill(stack.seed.ownerEmail);
    await page.locator('input[name=password]').fill(stack.seed.ownerPassword);
    await submitAndLoad(page, page.locator('form:has(input[name="password"]) button[type="submit"]'));
    await page.goto(`${stack.dashboardUrl}/settings/api-keys`);

    const form = page.locator('[data-testid="api-key-add-form"]');
    await form.locator('select[name="provider"]').selectOption('openai');
    await form.locator('input[name="key"]').fill('too short');
    await submitAndLoad(page, form.locator('[data-testid="api-key-add-submit"]'));
    expect(await fieldError(page, 'key').textContent()).toContain('8–512');
    expect(await page.content()).not.toContain('too short');

    await form.locator('select[name="provider"]').selectOption('openai');
    await form.locator('input[name="key"]').fill(NOJS_KEY);
    await submitAndLoad(page, form.locator('[data-testid="api-key-add-submit"]'));
    expect(new URL(page.url()).search).toBe('?done=added');
    const item = keyItems(page).first();
    expect(await item.locator('[data-testid="api-key-masked"]').textContent()).toBe(`•••• ${NOJS_KEY.slice(-4)}`);
    expect(await item.locator('[data-testid="api-key-usage"]').textContent()).toContain('tanpa batas');
    expect(await page.content()).not.toContain(NOJS_KEY);

    // The fake only accepts GOOD_KEY: this one is rejected, and the page says so after a full load.
    await submitAndLoad(page, item.locator('[data-testid="api-key-test"]'));
    expect(await page.locator('[data-testid="api-key-test-result"]').getAttribute('data-reason')).toBe('invalid_key');
    expect(await keyItems(page).first().getAttribute('data-status')).toBe('invalid');

    // <details> opens without JavaScript too.
    await keyItems(page).first().locator('[data-testid="api-key-delete"]').click();
    await submitAndLoad(page, keyItems(page).first().locator('[data-testid="api-key-delete-confirm"]'));
    expect(new URL(page.url()).search).toBe('?done=deleted');
    expect(await keyItems(page).count()).toBe(0);
  });

  it('shows an agent no keys and refuses their posts', async () => {
    await ApiKeyModel.create({
      workspaceId: stack.seed.workspaceId,
      provider: 'anthropic',
      sealed: vault.encrypt('test-anthropic-key-agent-must-not-see'),
      last4: '0000',
    });
    const page = await newPage();
    await logInToDashboard(page, stack.dashboardUrl, agentEmail, agentPassword);
    await page.goto(`${stack.dashboardUrl}/settings/api-keys`);
    await page.locator('[data-testid="admin-only-note"]').waitFor();
    expect(await keyItems(page).count()).toBe(0);
    expect(await page.locator('[data-testid="api-key-add-form"]').count()).toBe(0);
    expect(await page.content()).not.toContain('•••• 0000');

    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    const key = (await ApiKeyModel.findOne({ workspaceId: stack.seed.workspaceId }).lean())!;
    const add = await page.request.post(`${stack.dashboardUrl}/settings/api-keys`, { form: { csrf, intent: 'add', provider: 'openai', key: GOOD_KEY } });
    expect(add.status()).toBe(403);
    const remove = await page.request.post(`${stack.dashboardUrl}/settings/api-keys`, { form: { csrf, intent: 'delete', keyId: String(key._id) } });
    expect(remove.status()).toBe(403);
    expect(await ApiKeyModel.countDocuments({ workspaceId: stack.seed.workspaceId })).toBe(1);
  });
});
