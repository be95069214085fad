/**
 * End to end in real Chromium: a visitor on the demo page asks the bot, an agent logged into the
 * dashboard in a second browser context takes over and replies, the visitor sees it, and after hand
 * back the bot answers again. Everything runs for real: gateway, worker, dashboard, FerretDB, Temporal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConversationModel, MessageModel, createWorkspace } from '@sapa/shared';
import { TestStack, launchBrowser, uniqueName } from '@sapa/testkit';

describe('visitor, bot and agent in the browser', () => {
  let stack: TestStack;
  let browser: Browser;
  let visitorContext: BrowserContext;
  let agentContext: BrowserContext;
  let visitor: Page;
  let agent: Page;

  beforeAll(async () => {
    stack = await TestStack.start({ dashboard: true, env: { BATCH_WINDOW_MS: '300' } });
    browser = await launchBrowser();
    visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    agentContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    visitor = await visitorContext.newPage();
    agent = await agentContext.newPage();
  });

  afterAll(async () => {
    await visitorContext?.close();
    await agentContext?.close();
    await browser?.close();
    await stack?.stop();
  });

  const bubbles = (author: string) => visitor.locator(`.sapa-msg[data-author="${author}"]`);

  async function visitorSays(text: string) {
    await visitor.locator('.sapa-input').fill(text);
    await visitor.locator('.sapa-input').press('Enter');
  }

  it('the bot answers the visitor from the demo knowledge', async () => {
    await visitor.goto(`${stack.gatewayUrl}/demo/${stack.seed.publicId}`);
    await visitor.locator('.sapa-launcher').click();
    await visitorSays('Halo, jam berapa toko buka?');
    await expect.poll(() => bubbles('bot').last().textContent(), { timeout: 20_000 }).toContain('08.00');
    expect(await bubbles('customer').first().textContent()).toContain('Halo, jam berapa toko buka?');
  });

  it('an agent takes over from the dashboard and the visitor sees the reply', async () => {
    await agent.goto(`${stack.dashboardUrl}/login`);
    await agent.locator('input[name="email"]').fill(stack.seed.ownerEmail);
    await agent.locator('input[name="password"]').fill(stack.seed.ownerPassword);
    await agent.locator('form:has(input[name="password"]) button[type="submit"]').click();
    await agent.waitForURL(/\/inbox/);

    const item = agent.locator('[data-testid="conversation-item"]').first();
    await expect.poll(() => item.getAttribute('data-mode'), { timeout: 15_000 }).toBe('bot');
    // One customer message nobody has read yet.
    expect((await item.locator('[data-testid="unread-count"]').textContent())?.trim()).toBe('1');
    await item.locator('a').first().click();
    await agent.locator('[data-testid="thread"]').waitFor();
    await expect.poll(() => agent.locator('[data-testid="message"][data-author="bot"]').count()).toBeGreaterThan(0);

    await agent.getByRole('button', { name: 'Ambil alih' }).click();
    await expect.poll(() => agent.locator('[data-testid="conversation-header"] [data-testid="mode-badge"]').getAttribute('data-mode'), { timeout: 20_000 }).toBe('agent');
    // The visitor is told a person joined.
    await expect.poll(() => bubbles('system').last().textContent(), { timeout: 20_000 }).toContain('Sari Owner');

    // The agent sees the visitor's new line live, without reloading.
    await visitorSays('Kak, bisa kirim ke Bandung?');
    await expect
      .poll(() => agent.locator('[data-testid="message"][data-author="customer"]').last().textContent(), { timeout: 20_000 })
      .toContain('Bandung');

    await agent.locator('textarea[name="text"]').fill('Bisa, Kak! Kami kirim lewat JNE ke Bandung.');
    await agent.getByRole('button', { name: 'Balas', exact: true }).click();
    await expect.poll(() => bubbles('agent').last().textContent(), { timeout: 20_000 }).toContain('lewat JNE ke Bandung');
    // The bot stayed silent while the agent had the conversation.
    expect(await bubbles('bot').count()).toBe(1);
  });

  it('after hand back the bot answers the next question', async () => {
    await agent.getByRole('button', { name: 'Serahkan ke bot' }).click();
    await expect.poll(() => agent.locator('[data-testid="conversation-header"] [data-testid="mode-badge"]').getAttribute('data-mode'), { timeout: 20_000 }).toBe('bot');
    await visitorSays('berapa harga cappuccino?');
    await expect.poll(() => bubbles('bot').last().textContent(), { timeout: 20_000 }).toContain('22.000');
  });

  it("refuses another workspace's conversation in a dashboard action, changing nothing", async () => {
    const other = await createWorkspace({
      workspaceName: 'Toko Lain',
      owner: { email: `${uniqueName('other')}@example.test`, name: 'Orang Lain', password: 'rahasia-lain-123' },
    });
    const foreign = await ConversationModel.create({
      workspaceId: other.workspace._id,
      chatbotId: other.chatbot._id,
      channelId: other.channel._id,
      channelType: 'web',
      contactId: new mongoose.Types.ObjectId(),
    });
    const csrf = await agent.locator('input[name="csrf"]').first().inputValue();
    for (const intent of ['takeOver', 'close']) {
      const res = await agent.request.post(`${stack.dashboardUrl}/inbox/${String(foreign._id)}`, { form: { intent, csrf } });
      expect(res.status()).toBe(404);
    }
    const view = await agent.request.get(`${stack.dashboardUrl}/inbox/${String(foreign._id)}`);
    expect(view.status()).toBe(404);
    const malformed = await agent.request.post(`${stack.dashboardUrl}/inbox/not-an-id`, { form: { intent: 'close', csrf } });
    expect(malformed.status()).toBe(404);
    const noCsrf = await agent.request.post(`${stack.dashboardUrl}/inbox/${String(foreign._id)}`, { form: { intent: 'close' } });
    expect(noCsrf.status()).toBe(403);

    const after = await ConversationModel.findById(foreign._id).lean();
    expect(after?.mode).toBe('bot');
    expect(await MessageModel.countDocuments({ conversationId: foreign._id })).toBe(0);
  });

  it('sends a reply once when the same form is posted twice (double click, retry on a bad connection)', async () => {
    await agent.getByRole('button', { name: 'Ambil alih' }).click();
    await agent.locator('textarea[name="text"]').waitFor();
    const conversationId = new URL(agent.url()).pathname.split('/').pop()!;
    const form = {
      intent: 'reply',
      csrf: await agent.locator('input[name="csrf"]').first().inputValue(),
      replyId: await agent.locator('input[name="replyId"]').inputValue(),
      text: 'Pesanan Kakak sudah kami proses.',
    };
    const [first, second] = await Promise.all([
      agent.request.post(`${stack.dashboardUrl}/inbox/${conversationId}`, { form, maxRedirects: 0 }),
      agent.request.post(`${stack.dashboardUrl}/inbox/${conversationId}`, { form, maxRedirects: 0 }),
    ]);
    expect([first.status(), second.status()]).toEqual([302, 302]);
    await expect.poll(() => bubbles('agent').last().textContent(), { timeout: 20_000 }).toContain('sudah kami proses');
    expect(await MessageModel.countDocuments({ conversationId, author: 'agent', text: form.text })).toBe(1);
  });
});
