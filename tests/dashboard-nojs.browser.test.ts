/**
 * The dashboard without JavaScript: every form is a plain HTML form that posts, redirects and
 * renders the new state in a full page load. Log in, take over, reply (the visitor gets it), hand
 * back, switch the language, close, log out, and sign up, all in a Chromium context with
 * JavaScript switched off. No request may come from scripts (no fetch, no EventSource).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ChannelModel, ChatbotModel, MembershipModel, WorkspaceModel } from '@sapa/shared';
import { TestStack, WidgetClient, launchBrowser, uniqueName, type SseClient } from '@sapa/testkit';

/** Requests only scripts make; with JavaScript off there must be none. */
const SCRIPT_REQUEST_TYPES = new Set(['fetch', 'xhr', 'eventsource', 'websocket']);

describe('the dashboard without JavaScript', () => {
  let stack: TestStack;
  let browser: Browser;
  let widget: WidgetClient;
  let stream: SseClient;
  const contexts: BrowserContext[] = [];
  const scriptRequests: string[] = [];

  async function noJsPage(): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('request', (req) => {
      if (SCRIPT_REQUEST_TYPES.has(req.resourceType())) scriptRequests.push(`${req.resourceType()} ${req.url()}`);
    });
    return page;
  }

  /**
   * Clicks a submit button and waits for the document it leads to (post, redirect, get) to load.
   * Without JavaScript a form post is a real navigation of the main frame; nothing else changes the page.
   */
  async function submitAndLoad(page: Page, button: Locator) {
    const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 30_000 });
    await button.click();
    await navigated;
    await page.waitForLoadState('load');
  }

  const headerMode = (page: Page) => page.locator('[data-testid="conversation-header"] [data-testid="mode-badge"]').getAttribute('data-mode');

  beforeAll(async () => {
    stack = await TestStack.start({ dashboard: true, env: { BATCH_WINDOW_MS: '300' } });
    // A visitor starts the conversation the agent will work on, and the bot answers it.
    widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
    expect((await widget.session()).status).toBe(200);
    stream = await widget.stream();
    expect((await widget.send('Halo, jam berapa toko buka?')).status).toBe(202);
    await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot', 30_000, "the bot's reply");
    browser = await launchBrowser();
  });

  afterAll(async () => {
    stream?.close();
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
  });

  let agent: Page;
  let conversationUrl: string;

  it('logs in and opens the conversation', async () => {
    agent = await noJsPage();
    await agent.goto(`${stack.dashboardUrl}/login`);
    await agent.locator('input[name=email]').fill(stack.seed.ownerEmail);
    await agent.locator('input[name=password]').fill(stack.seed.ownerPassword);
    await submitAndLoad(agent, agent.locator('form:has(input[name="password"]) button[type="submit"]'));
    expect(new URL(agent.url()).pathname).toBe('/inbox');

    const item = agent.locator('[data-testid="conversation-item"]');
    expect(await item.count()).toBe(1);
    expect(await item.getAttribute('data-mode')).toBe('bot');
    await submitAndLoad(agent, item.locator('a').first());
    expect(new URL(agent.url()).pathname).toMatch(/^\/inbox\/[0-9a-f]{24}$/);
    conversationUrl = agent.url();
    expect(await headerMode(agent)).toBe('bot');
    expect(await agent.locator('[data-testid="message"][data-author="customer"]').first().textContent()).toContain('jam berapa toko buka');
    expect(await agent.locator('[data-testid="message"][data-author="bot"]').count()).toBeGreaterThan(0);
  });

  it('takes over and replies with plain form posts, and the visitor receives the reply', async () => {
    await submitAndLoad(agent, agent.getByRole('button', { name: 'Ambil alih' }));
    expect(agent.url()).toBe(conversationUrl); // post/redirect/get back to the conversation
    expect(await headerMode(agent)).toBe('agent');

    const text = `Halo Kak, saya Sari dari tim CS (${uniqueName('r')}).`;
    await agent.locator('textarea[name="text"]').fill(text);
    await submitAndLoad(agent, agent.getByRole('button', { name: 'Balas', exact: true }));
    expect(agent.url()).toBe(conversationUrl);
    expect(await agent.locator('[data-testid="message"][data-author="agent"]').last().textContent()).toContain(text);
    // The redirect renders an empty box: a reload would not post the reply again.
    expect(await agent.locator('textarea[name="text"]').inputValue()).toBe('');

    const received = await stream.waitFor(
      (e) => e.type === 'botResponse' && e.data.message.author === 'agent' && e.data.message.text === text,
      20_000,
      "the agent's reply on the visitor's stream",
    );
    expect(received.data.message.text).toBe(text);
  });

  it('hands back to the bot', async () => {
    await submitAndLoad(agent, agent.getByRole('button', { name: 'Serahkan ke bot' }));
    expect(await headerMode(agent)).toBe('bot');
    expect(await agent.getByRole('button', { name: 'Ambil alih' }).count()).toBe(1);
  });

  it('switches the language to English and back, staying on the same page', async () => {
    expect(await agent.locator('html').getAttribute('lang')).toBe('id');
    await submitAndLoad(agent, agent.locator('.app-header').getByRole('button', { name: 'English' }));
    expect(agent.url()).toBe(conversationUrl);
    expect(await agent.locator('html').getAttribute('lang')).toBe('en');
    expect(await agent.getByRole('button', { name: 'Take over' }).count()).toBe(1);
    expect(await agent.getByRole('button', { name: 'Close conversation' }).count()).toBe(1);
    expect(await agent.getByRole('button', { name: 'Log out' }).count()).toBe(1);
    expect(await agent.getByRole('button', { name: 'Ambil alih' }).count()).toBe(0);

    await submitAndLoad(agent, agent.locator('.app-header').getByRole('button', { name: 'Bahasa Indonesia' }));
    expect(agent.url()).toBe(conversationUrl);
    expect(await agent.locator('html').getAttribute('lang')).toBe('id');
    expect(await agent.getByRole('button', { name: 'Ambil alih' }).count()).toBe(1);
  });

  it('closes the conversation', async () => {
    await submitAndLoad(agent, agent.getByRole('button', { name: 'Tutup percakapan' }));
    expect(agent.url()).toBe(conversationUrl);
    expect(await headerMode(agent)).toBe('closed');
    // A closed conversation offers no more commands.
    expect(await agent.getByRole('button', { name: 'Ambil alih' }).count()).toBe(0);
    expect(await agent.locator('textarea[name="text"]').count()).toBe(0);
  });

  it('logs out back to the log-in page', async () => {
    await submitAndLoad(agent, agent.locator('.app-header').getByRole('button', { name: 'Keluar' }));
    expect(new URL(agent.url()).pathname).toBe('/login');
    expect(await agent.locator('input[name=password]').count()).toBe(1);
    // The session is really gone: the inbox sends us back to log in.
    await agent.goto(`${stack.dashboardUrl}/inbox`);
    expect(new URL(agent.url()).pathname).toBe('/login');
  });

  it('signs up a new workspace and lands in its (empty) inbox', async () => {
    const page = await noJsPage();
    const workspaceName = `Warung ${uniqueName('nojs')}`;
    await page.goto(`${stack.dashboardUrl}/signup`);
    const form = page.locator('form:has(input[name="password"])');
    await form.locator('input[name="name"]').fill('Budi Tanpa Skrip');
    await form.locator('input[name="workspaceName"]').fill(workspaceName);
    await form.locator('input[name="email"]').fill(`${uniqueName('signup')}@example.test`);
    await form.locator('input[name="password"]').fill('rahasia-baru-123');
    await submitAndLoad(page, form.locator('button[type="submit"]'));
    expect(new URL(page.url()).pathname).toBe('/inbox');
    expect(await page.locator('.app-header__workspace').textContent()).toBe(workspaceName);
    // A new workspace sees none of the other workspace's conversations.
    expect(await page.locator('[data-testid="conversation-item"]').count()).toBe(0);
    // It starts with a chatbot and a web channel, so the widget snippet works at once.
    const workspace = await WorkspaceModel.findOne({ name: workspaceName }).lean();
    expect(workspace).not.toBeNull();
    expect(await ChatbotModel.countDocuments({ workspaceId: workspace!._id })).toBe(1);
    expect(await ChannelModel.countDocuments({ workspaceId: workspace!._id, type: 'web' })).toBe(1);
    expect(await MembershipModel.countDocuments({ workspaceId: workspace!._id, role: 'owner' })).toBe(1);
  });

  it('made no script requests at all', () => {
    expect(scriptRequests).toEqual([]);
  });
});
