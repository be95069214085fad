/**
 * An agent sends a file from the inbox: it is stored in Sapa's media store, delivered through the
 * conversation's channel (here Telegram, as a photo with its caption) and shown in the thread.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageModel } from '@sapa/shared';
import { TestStack, createTelegramChannel, launchBrowser, uniqueName, waitUntil } from '@sapa/testkit';
import { fakeBotToken, startFakeTelegram, type FakeTelegram } from '@sapa/testkit/fakes/telegram';

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('attachments from the inbox', () => {
  let stack: TestStack;
  let telegram: FakeTelegram;
  let browser: Browser;
  let agent: Page;
  const token = fakeBotToken(888000111);
  const secret = 'attach_secret-0123456789ab';
  const chatId = 5550077;
  let channelId: string;

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    telegram.addBot({ token, id: 888000111, username: 'toko_lampiran_bot' });
    stack = await TestStack.start({ dashboard: true, env: { TELEGRAM_API_ROOT: telegram.url, BATCH_WINDOW_MS: '200' } });
    channelId = String((await createTelegramChannel(stack.config, stack.seed, { botToken: token, botId: 888000111, username: 'toko_lampiran_bot', webhookSecret: secret }))._id);
    browser = await launchBrowser();
    agent = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await telegram?.close();
  });

  it('sends a photo with a caption through Telegram and shows it in the thread', async () => {
    telegram.addChat(chatId, { firstName: 'Wati' });
    const url = `${stack.gatewayUrl}/v1/webhooks/telegram/${channelId}`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: JSON.stringify(telegram.textUpdate({ chatId, text: 'boleh lihat foto menunya?', firstName: 'Wati' })),
    });
    expect(res.status).toBe(200);
    const inbound = await waitUntil(async () => MessageModel.findOne({ text: 'boleh lihat foto menunya?' }).lean(), 'the message stored');

    await agent.goto(`${stack.dashboardUrl}/login`);
    await agent.locator('input[name="email"]').fill(stack.seed.ownerEmail);
    await agent.locator('input[name="password"]').fill(stack.seed.ownerPassword);
    await agent.locator('form:has(input[name="password"]) button[type="submit"]').click();
    await agent.waitForURL(/\/inbox/);
    await agent.goto(`${stack.dashboardUrl}/inbox/${String(inbound.conversationId)}`);
    await agent.getByRole('button', { name: 'Ambil alih' }).click();

    const dir = await mkdtemp(path.join(os.tmpdir(), uniqueName('upload')));
    const file = path.join(dir, 'menu.png');
    await writeFile(file, PNG);
    await agent.locator('[data-testid="reply-attachment"]').setInputFiles(file);
    await agent.locator('textarea[name="text"]').fill('Ini menu kami, kak');
    await agent.locator('.composer button[type="submit"]').click();

    const photo = await waitUntil(() => telegram.sentMessages(chatId).find((m) => m.method === 'sendPhoto'), 'the photo at the Bot API');
    expect(photo.caption).toBe('Ini menu kami, kak');
    expect(photo.file?.bytes.equals(await readFile(file))).toBe(true);

    const stored = await waitUntil(async () => MessageModel.findOne({ type: 'image', author: 'agent' }).lean(), 'the agent photo stored');
    expect(stored.media).toMatchObject({ state: 'stored', mimeType: 'image/png', fileName: 'menu.png' });
    expect(stored.status).toBe('sent');
    // The thread shows the picture, served by the dashboard's media route.
    await expect.poll(() => agent.locator(`img[src="/media/${String(stored._id)}"]`).count(), { timeout: 15_000 }).toBe(1);
  });
});
