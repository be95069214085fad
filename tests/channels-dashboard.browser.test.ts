/**
 * The dashboard's Channels pages and the inbox's per-channel content, in real Chromium against the
 * whole stack, with Meta's Graph API and Telegram's Bot API played by testkit's fakes.
 *
 * An owner connects WhatsApp Cloud numbers (the token is checked with Meta, stored sealed, shown
 * masked; the webhook URL and verify token are shown to paste into Meta), a Telegram bot (its
 * webhook registered with a secret), WhatsApp Web (the QR arrives live), and sets the widget's
 * allowed sites. An agent can do none of that. In the inbox, attachments are served only to their
 * own workspace, messages show their media, details and delivery ticks, and once WhatsApp's
 * 24-hour window has closed only an approved template can be sent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  ChannelModel,
  ChatbotModel,
  ContactModel,
  ConversationModel,
  KeyVault,
  MediaStore,
  MembershipModel,
  MessageModel,
  UserModel,
  createWorkspace,
  hashPassword,
  openSecrets,
  publishEvent,
  telegramSecretsSchema,
  whatsappCloudSecretsSchema,
  type Channel,
} from '@sapa/shared';
import { TestStack, launchBrowser, logInToDashboard, uniqueName } from '@sapa/testkit';
import {
  deliverWebhook,
  fakeBotToken,
  startFakeGraph,
  startFakeTelegram,
  textWebhook,
  verifyWebhookSubscription,
  type FakeGraph,
  type FakeTelegram,
} from '@sapa/testkit/fakes/index';

const WABA_ID = '104729384756102';
const FIRST = { phoneNumberId: '109876543210001', accessToken: 'EAAGm0PX4ZCpsBAFirstNumberToken9f3K', display: '+62 812-3000-0001' };
const SECOND = { phoneNumberId: '109876543210002', accessToken: 'EAAGm0PX4ZCpsBASecondNumberToken7q2L', display: '+62 812-3000-0002' };
const THIRD = { phoneNumberId: '109876543210003', accessToken: 'EAAGm0PX4ZCpsBAThirdNumberToken5w8M', display: '+62 812-3000-0003' };
const APP_SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
const BOT = { id: 7012345678, username: 'toko_kopi_sapa_bot' };
const CUSTOMER_WA_ID = '6281299990000';
const TWO_DAYS_MS = 2 * 24 * 60 * 60 * 1000;

describe('the Channels pages and the per-channel inbox', () => {
  let stack: TestStack;
  let graph: FakeGraph;
  let telegram: FakeTelegram;
  let browser: Browser;
  let mediaDir: string;
  let vault: KeyVault;
  const contexts: BrowserContext[] = [];
  let owner: Page;
  const botToken = fakeBotToken(BOT.id);

  const agentEmail = `${uniqueName('agent')}@example.test`;
  const agentPassword = 'rahasia-agen-123';

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return context.newPage();
  }

  const logIn = (page: Page, email: string, password: string) => logInToDashboard(page, stack.dashboardUrl, email, password);

  const fieldError = (page: Page, name: string) => page.locator(`.field:has([name="${name}"]) .field__error`);

  async function fillWhatsappForm(page: Page, values: { phoneNumberId: string; accessToken: string; verifyToken?: string }) {
    await page.goto(`${stack.dashboardUrl}/channels/new/whatsapp-cloud`);
    const form = page.locator('[data-testid="connect-form"]');
    await form.locator('input[name="phoneNumberId"]').fill(values.phoneNumberId);
    await form.locator('input[name="wabaId"]').fill(WABA_ID);
    await form.locator('input[name="accessToken"]').fill(values.accessToken);
    await form.locator('input[name="appSecret"]').fill(APP_SECRET);
    await form.locator('input[name="verifyToken"]').fill(values.verifyToken ?? '');
    await form.locator('button[type="submit"]').click();
  }

  async function channelIdFromUrl(page: Page): Promise<string> {
    await page.waitForURL(/\/channels\/[0-9a-f]{24}$/);
    return new URL(page.url()).pathname.split('/').pop()!;
  }

  const csrfOf = (page: Page) => page.locator('input[name="csrf"]').first().inputValue();

  beforeAll(async () => {
    graph = await startFakeGraph({
      numbers: [
        { phoneNumberId: FIRST.phoneNumberId, accessToken: FIRST.accessToken, wabaId: WABA_ID, displayPhoneNumber: FIRST.display, verifiedName: 'Toko Kopi Sapa' },
        { phoneNumberId: SECOND.phoneNumberId, accessToken: SECOND.accessToken, wabaId: WABA_ID, displayPhoneNumber: SECOND.display, verifiedName: 'Toko Kopi Sapa 2' },
        { phoneNumberId: THIRD.phoneNumberId, accessToken: THIRD.accessToken, wabaId: WABA_ID, displayPhoneNumber: THIRD.display, verifiedName: 'Toko Kopi Sapa 3' },
      ],
      templates: {
        [WABA_ID]: [
          {
            name: 'pesanan_siap',
            language: 'id',
            status: 'APPROVED',
            category: 'UTILITY',
            components: [{ type: 'BODY', text: 'Halo {{1}}, pesanan {{2}} sudah siap diambil.' }],
          },
          { name: 'promo_ditolak', language: 'id', status: 'REJECTED', category: 'MARKETING', components: [{ type: 'BODY', text: 'Diskon!' }] },
        ],
      },
    });
    telegram = await startFakeTelegram();
    telegram.addBot({ token: botToken, id: BOT.id, username: BOT.username });
    mediaDir = await mkdtemp(path.join(os.tmpdir(), 'sapa-media-'));
    stack = await TestStack.start({
      dashboard: true,
      env: {
        WHATSAPP_GRAPH_URL: graph.url,
        TELEGRAM_API_ROOT: telegram.url,
        // The dashboard runs in another working directory: the media store must be one absolute folder.
        MEDIA_DIR: mediaDir,
        // No WhatsApp Web sessions: they would try to reach WhatsApp's servers. The test plays the host.
        BAILEYS_ENABLED: 'false',
      },
    });
    vault = new KeyVault(stack.config.SAPA_MASTER_KEYS);
    const agent = await UserModel.create({ email: agentEmail, name: 'Agus Agen', passwordHash: await hashPassword(agentPassword), locale: 'id' });
    await MembershipModel.create({ workspaceId: stack.seed.workspaceId, userId: agent._id, role: 'agent' });
    browser = await launchBrowser();
    owner = await newPage();
    await logIn(owner, stack.seed.ownerEmail, stack.seed.ownerPassword);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
    await graph?.close();
    await telegram?.close();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  it('lets an agent see the channels but not connect or change them', async () => {
    const page = await newPage();
    await logIn(page, agentEmail, agentPassword);
    await page.locator('.app-nav').getByRole('link', { name: 'Saluran' }).click();
    const items = page.locator('[data-testid="channel-item"]');
    await items.first().waitFor();
    expect(await items.count()).toBe(1);
    expect(await items.first().getAttribute('data-type')).toBe('web');
    expect(await page.locator('[data-testid="admin-only-note"]').count()).toBe(1);
    expect(await page.locator('[data-testid^="add-"]').count()).toBe(0);
    // Rows are not links for an agent.
    expect(await items.locator('a').count()).toBe(0);

    const form = await page.request.get(`${stack.dashboardUrl}/channels/new/whatsapp-cloud`);
    expect(form.status()).toBe(403);
    const csrf = await csrfOf(page);
    const connect = await page.request.post(`${stack.dashboardUrl}/channels/new/whatsapp-cloud`, {
      form: {
        csrf,
        channelId: new mongoose.Types.ObjectId().toString(),
        phoneNumberId: FIRST.phoneNumberId,
        wabaId: WABA_ID,
        accessToken: FIRST.accessToken,
        appSecret: APP_SECRET,
        verifyToken: '',
      },
    });
    expect(connect.status()).toBe(403);
    const origins = await page.request.post(`${stack.dashboardUrl}/channels/${stack.seed.channelId}`, {
      form: { csrf, intent: 'saveOrigins', allowedOrigins: 'https://penyusup.example' },
    });
    expect(origins.status()).toBe(403);
    expect(await page.request.get(`${stack.dashboardUrl}/channels/${stack.seed.channelId}`).then((r) => r.status())).toBe(403);

    expect(await ChannelModel.countDocuments({ workspaceId: stack.seed.workspaceId })).toBe(1);
    expect((await ChatbotModel.findById(stack.seed.chatbotId).lean())?.allowedOrigins).toEqual([]);
    expect(graph.state.requests.length).toBe(0);
  });

  let firstChannelId: string;

  it('refuses a WhatsApp Cloud token Meta does not accept, then connects with the right one, sealed and masked', async () => {
    await owner.locator('.app-nav').getByRole('link', { name: 'Saluran' }).click();
    await owner.waitForURL(/\/channels$/);
    await owner.locator('[data-testid="add-whatsapp_cloud"]').click();
    await owner.waitForURL(/\/channels\/new\/whatsapp-cloud$/);

    await fillWhatsappForm(owner, { phoneNumberId: FIRST.phoneNumberId, accessToken: 'EAAGm0PX4ZCpsBAWrongToken0000' });
    await expect.poll(() => fieldError(owner, 'accessToken').textContent()).toContain('Meta menolak access token');
    expect(await ChannelModel.countDocuments({ type: 'whatsapp_cloud' })).toBe(0);

    await fillWhatsappForm(owner, { phoneNumberId: FIRST.phoneNumberId, accessToken: FIRST.accessToken });
    firstChannelId = await channelIdFromUrl(owner);

    const page = owner.locator('[data-testid="channel-page"]');
    expect(await page.locator('[data-testid="channel-health"]').getAttribute('data-status')).toBe('active');
    const webhookUrl = await page.locator('[data-testid="webhook-url"]').textContent();
    expect(webhookUrl).toBe(`${stack.gatewayUrl}/v1/webhooks/whatsapp/${firstChannelId}`);
    const verifyToken = (await page.locator('[data-testid="verify-token"]').textContent()) ?? '';
    expect(verifyToken).toMatch(/^[A-Za-z0-9_-]{24,}$/);
    expect(await page.locator('[data-testid="access-token-masked"]').textContent()).toBe(`••••${FIRST.accessToken.slice(-4)}`);
    // Neither the page (its HTML and the data it hydrates from) nor the database shows a secret.
    const html = await owner.content();
    expect(html).not.toContain(FIRST.accessToken);
    expect(html).not.toContain(APP_SECRET);

    const stored = await ChannelModel.findById(firstChannelId).lean<Channel>();
    expect(stored?.status).toBe('active');
    expect(stored?.settings).toMatchObject({ routingKey: FIRST.phoneNumberId, phoneNumberId: FIRST.phoneNumberId, wabaId: WABA_ID, displayPhoneNumber: FIRST.display });
    expect(stored?.secrets).toBeTruthy();
    expect(JSON.stringify(stored)).not.toContain(FIRST.accessToken);
    expect(JSON.stringify(stored)).not.toContain(APP_SECRET);
    expect(openSecrets(vault, stored!, whatsappCloudSecretsSchema)).toEqual({ accessToken: FIRST.accessToken, appSecret: APP_SECRET, verifyToken });

    // The URL and token shown are the ones the gateway answers Meta's verification with.
    const handshake = await verifyWebhookSubscription(webhookUrl!, verifyToken);
    expect(handshake.status).toBe(200);
    expect(handshake.body).toBe(handshake.challenge);

    await owner.locator('.channel-page__back').click();
    await owner.waitForURL(/\/channels$/);
    const row = owner.locator(`[data-testid="channel-item"][data-channel-id="${firstChannelId}"]`);
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await row.textContent()).toContain(FIRST.display);
  });

  it('connects a second number as a second channel, refuses a number already connected, and takes one offline', async () => {
    await fillWhatsappForm(owner, { phoneNumberId: SECOND.phoneNumberId, accessToken: SECOND.accessToken, verifyToken: 'token-verifikasi-kedua' });
    const secondId = await channelIdFromUrl(owner);
    expect(secondId).not.toBe(firstChannelId);
    expect(await owner.locator('[data-testid="verify-token"]').textContent()).toBe('token-verifikasi-kedua');

    await fillWhatsappForm(owner, { phoneNumberId: FIRST.phoneNumberId, accessToken: FIRST.accessToken });
    await expect.poll(() => fieldError(owner, 'phoneNumberId').textContent()).toContain('sudah tersambung');
    expect(await ChannelModel.countDocuments({ type: 'whatsapp_cloud' })).toBe(2);

    // The same form posted twice (double click, retry) creates one channel and lands on it both times.
    await owner.goto(`${stack.dashboardUrl}/channels/new/whatsapp-cloud`);
    const twinForm = {
      csrf: await csrfOf(owner),
      channelId: await owner.locator('input[name="channelId"]').inputValue(),
      phoneNumberId: THIRD.phoneNumberId,
      wabaId: WABA_ID,
      accessToken: THIRD.accessToken,
      appSecret: APP_SECRET,
      verifyToken: '',
    };
    const posts = await Promise.all(
      [0, 1].map(() => owner.request.post(`${stack.dashboardUrl}/channels/new/whatsapp-cloud`, { form: twinForm, maxRedirects: 0 })),
    );
    expect(posts.map((p) => p.status())).toEqual([302, 302]);
    expect(posts.map((p) => p.headers().location)).toEqual([`/channels/${twinForm.channelId}`, `/channels/${twinForm.channelId}`]);
    expect(await ChannelModel.countDocuments({ type: 'whatsapp_cloud', 'settings.phoneNumberId': THIRD.phoneNumberId })).toBe(1);
    expect(await ChannelModel.countDocuments({ type: 'whatsapp_cloud' })).toBe(3);

    await owner.goto(`${stack.dashboardUrl}/channels/${secondId}`);
    await owner.getByRole('button', { name: 'Putuskan' }).click();
    await expect.poll(() => owner.locator('[data-testid="channel-health"]').getAttribute('data-status')).toBe('disabled');
    const disabled = await ChannelModel.findById(secondId).lean<Channel>();
    expect(disabled?.status).toBe('disabled');
    expect(disabled?.secrets).toBeUndefined();

    await owner.locator('summary', { hasText: 'Hapus saluran' }).click();
    await owner.getByRole('button', { name: 'Ya, hapus saluran ini' }).click();
    await owner.waitForURL(/\/channels$/);
    await owner.locator(`[data-testid="channel-item"][data-channel-id="${firstChannelId}"]`).waitFor();
    expect(await ChannelModel.exists({ _id: secondId })).toBeNull();
    expect(await owner.locator(`[data-testid="channel-item"][data-channel-id="${secondId}"]`).count()).toBe(0);
  });

  it('connects a Telegram bot: a token Telegram refuses is an error, a good one registers the webhook with a secret', async () => {
    await owner.goto(`${stack.dashboardUrl}/channels/new/telegram`);
    await owner.locator('input[name="botToken"]').fill(fakeBotToken(7099999999));
    await owner.locator('[data-testid="connect-form"] button[type="submit"]').click();
    await expect.poll(() => fieldError(owner, 'botToken').textContent()).toContain('Telegram tidak menerima token');
    expect(await ChannelModel.countDocuments({ type: 'telegram' })).toBe(0);

    await owner.locator('input[name="botToken"]').fill('bukan-token');
    await owner.locator('[data-testid="connect-form"] button[type="submit"]').click();
    await expect.poll(() => fieldError(owner, 'botToken').textContent()).toContain('123456789:ABC');

    await owner.locator('input[name="botToken"]').fill(botToken);
    await owner.locator('[data-testid="connect-form"] button[type="submit"]').click();
    const channelId = await channelIdFromUrl(owner);
    expect(await owner.locator('[data-testid="channel-health"]').getAttribute('data-status')).toBe('active');
    expect(await owner.locator('[data-testid="bot-username"]').textContent()).toBe(`@${BOT.username}`);
    expect(await owner.locator('[data-testid="bot-token-masked"]').textContent()).toBe(`••••${botToken.slice(-4)}`);
    expect(await owner.content()).not.toContain(botToken.split(':')[1]);

    const stored = await ChannelModel.findById(channelId).lean<Channel>();
    expect(stored?.settings).toMatchObject({ routingKey: String(BOT.id), botId: BOT.id, username: BOT.username });
    expect(JSON.stringify(stored)).not.toContain(botToken.split(':')[1]);
    const secrets = openSecrets(vault, stored!, telegramSecretsSchema);
    expect(secrets.botToken).toBe(botToken);
    expect(secrets.webhookSecret).toMatch(/^[A-Za-z0-9_-]{16,}$/);

    const webhookUrl = `${stack.gatewayUrl}/v1/webhooks/telegram/${channelId}`;
    const info = (await (await fetch(`${telegram.url}/bot${botToken}/getWebhookInfo`)).json()) as { ok: boolean; result: { url: string } };
    expect(info.ok).toBe(true);
    expect(info.result.url).toBe(webhookUrl);
    expect(telegram.webhookOf(botToken)?.secretToken).toBe(secrets.webhookSecret);

    // The same bot cannot become a second channel.
    await owner.goto(`${stack.dashboardUrl}/channels/new/telegram`);
    await owner.locator('input[name="botToken"]').fill(botToken);
    await owner.locator('[data-testid="connect-form"] button[type="submit"]').click();
    await expect.poll(() => fieldError(owner, 'botToken').textContent()).toContain('sudah tersambung');
    expect(await ChannelModel.countDocuments({ type: 'telegram' })).toBe(1);
  });

  it('pairs WhatsApp Web: the QR the session host writes appears on the open page without a reload', async () => {
    await owner.goto(`${stack.dashboardUrl}/channels/new/whatsapp-web`);
    await owner.locator('input[name="phoneNumber"]').fill('0812 3456 7890');
    await owner.locator('[data-testid="connect-form"] button[type="submit"]').click();
    const channelId = await channelIdFromUrl(owner);
    expect(await owner.locator('[data-testid="channel-health"]').getAttribute('data-status')).toBe('pairing');
    expect(await owner.locator('[data-testid="pairing-waiting"]').count()).toBe(1);
    const stored = await ChannelModel.findById(channelId).lean<Channel>();
    expect(stored?.pairing?.phoneNumber).toBe('6281234567890');
    await expect.poll(() => owner.locator('[data-testid="live-indicator"]').getAttribute('data-status')).toBe('live');

    // What the gateway's session host does when WhatsApp hands it a QR.
    const workspaceId = stack.seed.workspaceId;
    await ChannelModel.updateOne({ _id: channelId }, { $set: { 'pairing.qr': '2@sapa-test-qr-payload,abc,def', 'pairing.updatedAt': new Date() } });
    await publishEvent({ workspaceId, type: 'channelUpdated', data: { channelId, status: 'pairing', qr: '2@sapa-test-qr-payload,abc,def' } });
    const qr = owner.locator('[data-testid="pairing-qr"]');
    await expect.poll(() => qr.count(), { timeout: 15_000 }).toBe(1);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);

    // Paired: the health turns to connected, still without a reload.
    await ChannelModel.updateOne(
      { _id: channelId },
      { $set: { status: 'active', 'settings.phoneNumber': '6281234567890', 'settings.routingKey': '6281234567890' }, $unset: { 'pairing.qr': 1 } },
    );
    await publishEvent({ workspaceId, type: 'channelUpdated', data: { channelId, status: 'active' } });
    await expect.poll(() => owner.locator('[data-testid="channel-health"]').getAttribute('data-status'), { timeout: 15_000 }).toBe('active');
    expect(await owner.locator('[data-testid="pairing-qr"]').count()).toBe(0);
    expect(await owner.locator('[data-testid="paired-number"]').textContent()).toBe('+6281234567890');
  });

  it('works without JavaScript: the QR is drawn on the server, the page refreshes itself while pairing, forms post', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${stack.dashboardUrl}/login`);
    await page.locator('input[name="email"]').fill(stack.seed.ownerEmail);
    await page.locator('input[name="password"]').fill(stack.seed.ownerPassword);
    await Promise.all([page.waitForURL(/\/inbox/), page.locator('form:has(input[name="password"]) button[type="submit"]').click()]);

    await page.goto(`${stack.dashboardUrl}/channels/new/whatsapp-web`);
    await Promise.all([page.waitForURL(/\/channels\/[0-9a-f]{24}$/), page.locator('[data-testid="connect-form"] button[type="submit"]').click()]);
    const channelId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await page.locator('noscript').innerHTML()).toContain('http-equiv="refresh"');
    await ChannelModel.updateOne({ _id: channelId }, { $set: { 'pairing.qr': '2@sapa-test-qr-nojs,xyz' } });
    await page.reload();
    expect(await page.locator('[data-testid="pairing-qr"]').getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);

    // Disconnecting is a plain form post, like every other change on these pages.
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Putuskan' }).click()]);
    await expect.poll(() => ChannelModel.findById(channelId).lean<Channel>().then((c) => c?.status)).toBe('disabled');
  });

  it("saves the widget's allowed sites, refusing one that is not a site origin", async () => {
    await owner.goto(`${stack.dashboardUrl}/channels/${stack.seed.channelId}`);
    expect(await owner.locator('[data-testid="widget-snippet"]').textContent()).toBe(
      `<script src="${stack.gatewayUrl}/widget.js" data-chatbot="${stack.seed.publicId}" async></script>`,
    );
    const preview = owner.locator('[data-testid="widget-preview"]');
    expect(await preview.getAttribute('src')).toBe(`${stack.gatewayUrl}/demo/${stack.seed.publicId}`);
    // The gateway lets the dashboard frame its demo page: the preview really shows the shop.
    await preview.scrollIntoViewIfNeeded();
    expect(await owner.frameLocator('[data-testid="widget-preview"]').locator('h1').first().textContent({ timeout: 15_000 })).toBe('Toko Kopi Sapa');

    const origins = owner.locator('textarea[name="allowedOrigins"]');
    await origins.fill('https://toko-kopi.example\nhttps://toko-kopi.example/produk');
    await owner.locator('[data-testid="origins-form"] button[type="submit"]').click();
    await expect.poll(() => owner.locator('[data-testid="origins-error"]').textContent()).toContain('https://toko-kopi.example/produk');
    expect((await ChatbotModel.findById(stack.seed.chatbotId).lean())?.allowedOrigins).toEqual([]);

    await origins.fill('https://toko-kopi.example/\n\nhttp://localhost:8080');
    await owner.locator('[data-testid="origins-form"] button[type="submit"]').click();
    await expect.poll(() => owner.locator('[data-testid="saved"]').count()).toBe(1);
    expect((await ChatbotModel.findById(stack.seed.chatbotId).lean())?.allowedOrigins).toEqual(['https://toko-kopi.example', 'http://localhost:8080']);
    expect(await origins.inputValue()).toBe('https://toko-kopi.example\nhttp://localhost:8080');
  });

  // --- the inbox ---

  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );
  let conversationId: string;
  let imageMessageId: string;

  /** A WhatsApp Cloud conversation whose customer last wrote two days ago, made directly in the database. */
  async function seedWhatsappConversation() {
    const store = new MediaStore(mediaDir);
    const workspaceId = new mongoose.Types.ObjectId(stack.seed.workspaceId);
    const channelId = new mongoose.Types.ObjectId(firstChannelId);
    const contact = await ContactModel.create({ workspaceId, channelId, externalId: CUSTOMER_WA_ID, name: 'Bu Rina' });
    const longAgo = new Date(Date.now() - TWO_DAYS_MS);
    const conversation = await ConversationModel.create({
      workspaceId,
      chatbotId: new mongoose.Types.ObjectId(stack.seed.chatbotId),
      channelId,
      channelType: 'whatsapp_cloud',
      contactId: contact._id,
      contactName: 'Bu Rina',
      mode: 'bot',
      lastMessageAt: longAgo,
      lastCustomerMessageAt: longAgo,
      lastMessagePreview: 'Terima kasih',
    });
    await ContactModel.updateOne({ _id: contact._id }, { $set: { currentConversationId: conversation._id } });
    const at = (minutes: number) => new Date(longAgo.getTime() - 60 * 60 * 1000 + minutes * 60 * 1000);
    const base = { workspaceId, conversationId: conversation._id, channelId };
    const inbound = { ...base, direction: 'inbound', author: 'customer', authorName: 'Bu Rina', status: 'received' } as const;
    const outbound = { ...base, direction: 'outbound', author: 'agent', authorName: 'Sari Owner' } as const;
    const image = await MessageModel.create({
      ...inbound,
      channelMessageId: 'wamid.image-1',
      type: 'image',
      text: 'Foto kopinya',
      media: { kind: 'image', mimeType: 'image/png', storageKey: await store.put(stack.seed.workspaceId, PNG), state: 'stored' as const, size: PNG.length },
      createdAt: at(1),
    });
    await MessageModel.create([
      {
        ...inbound,
        channelMessageId: 'wamid.location-1',
        type: 'location',
        text: '📍 Toko Kopi Sapa, Jl. Kemang Raya 10',
        details: { location: { latitude: -6.2607, longitude: 106.8137, name: 'Toko Kopi Sapa', address: 'Jl. Kemang Raya 10' } },
        createdAt: at(2),
      },
      { ...outbound, channelMessageId: 'out-1', providerMessageId: 'wamid.out-1', text: 'Siap, Bu!', status: 'read' as const, createdAt: at(3) },
      {
        ...inbound,
        channelMessageId: 'wamid.reaction-1',
        type: 'reaction',
        text: '👍',
        details: { reaction: { targetChannelMessageId: 'wamid.out-1', emoji: '👍' } },
        createdAt: at(4),
      },
      {
        ...inbound,
        channelMessageId: 'wamid.unsupported-1',
        type: 'unsupported',
        text: '',
        details: { unsupported: { type: 'poll', reason: 'Message type unknown (131051)' } },
        createdAt: at(5),
      },
      {
        ...outbound,
        channelMessageId: 'out-2',
        text: 'Halo Bu, masih ada yang bisa dibantu?',
        status: 'failed' as const,
        errorCode: 'window_closed',
        error: '(#131047) Re-engagement message',
        createdAt: at(6),
      },
    ]);
    return { conversationId: String(conversation._id), imageMessageId: String(image._id) };
  }

  it('shows a WhatsApp conversation with its media, details and ticks, and only templates once the window has closed', async () => {
    ({ conversationId, imageMessageId } = await seedWhatsappConversation());
    await owner.goto(`${stack.dashboardUrl}/inbox/${conversationId}`);
    expect(await owner.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"] [data-testid="conversation-channel"]`).getAttribute('data-channel')).toBe(
      'whatsapp_cloud',
    );
    const message = (kind: string) => owner.locator(`[data-testid="message"][data-kind="${kind}"]`);

    const image = message('image').locator('[data-testid="media-image"]');
    expect(await image.getAttribute('src')).toBe(`/media/${imageMessageId}`);
    // The browser really loaded the picture through the media route.
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    expect(await message('image').textContent()).toContain('Foto kopinya');

    const location = message('location').locator('[data-testid="message-location"]');
    expect(await location.textContent()).toContain('Jl. Kemang Raya 10');
    expect(await location.locator('a').getAttribute('href')).toContain('query=-6.2607,106.8137');
    expect(await message('reaction').textContent()).toContain('memberi reaksi 👍 pada "Siap, Bu!"');
    expect(await message('unsupported').textContent()).toContain('Pesan tidak didukung: Message type unknown (131051)');

    const agentMessages = owner.locator('[data-testid="message"][data-author="agent"]');
    expect(await agentMessages.first().locator('[data-testid="message-status"]').getAttribute('data-status')).toBe('read');
    const failed = agentMessages.nth(1).locator('[data-testid="message-status"]');
    expect(await failed.getAttribute('data-error-code')).toBe('window_closed');
    expect(await failed.textContent()).toContain('hanya template');

    // The reply box is replaced: the window notice and the approved templates only.
    expect(await owner.locator('[data-testid="window-closed"]').count()).toBe(1);
    expect(await owner.locator('textarea[name="text"]').count()).toBe(0);
    const templates = owner.locator('[data-testid="template"]');
    expect(await templates.count()).toBe(1);
    expect(await templates.first().getAttribute('data-template')).toBe('pesanan_siap');

    // A free-form reply is refused by the server too, whatever the form says.
    const refused = await owner.request.post(`${stack.dashboardUrl}/inbox/${conversationId}`, {
      form: { csrf: await csrfOf(owner), intent: 'reply', text: 'Halo?' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(409);
    expect(await refused.text()).toContain('Jendela 24 jam WhatsApp sudah tertutup');
  });

  it('sends an approved template from the picker, and it reaches Meta as a template message', async () => {
    await owner.goto(`${stack.dashboardUrl}/inbox/${conversationId}`);
    const template = owner.locator('[data-testid="template"][data-template="pesanan_siap"]');
    await template.locator('summary').click();
    const params = template.locator('input[name="bodyParam"]');
    expect(await params.count()).toBe(2);
    await params.nth(0).fill('Bu Rina');
    await params.nth(1).fill('#1042');
    expect(await template.locator('[data-testid="template-preview"]').textContent()).toContain('Halo Bu Rina, pesanan #1042 sudah siap diambil.');
    await template.getByRole('button', { name: 'Kirim template' }).click();

    await expect
      .poll(() => graph.state.sent.filter((s) => s.type === 'template' && s.phoneNumberId === FIRST.phoneNumberId).length, { timeout: 30_000 })
      .toBe(1);
    const sent = graph.state.sent.find((s) => s.type === 'template')!;
    expect(sent.to).toBe(CUSTOMER_WA_ID);
    expect(sent.body.template).toMatchObject({
      name: 'pesanan_siap',
      language: { code: 'id' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Bu Rina' }, { type: 'text', text: '#1042' }] }],
    });
    await expect
      .poll(() => owner.locator('[data-testid="message"]').last().textContent(), { timeout: 15_000 })
      .toContain('Halo Bu Rina, pesanan #1042 sudah siap diambil.');
  });

  it('offers the templates on the closed conversation too, and sending one reopens it for the agent', async () => {
    await owner.goto(`${stack.dashboardUrl}/inbox/${conversationId}`);
    await owner.getByRole('button', { name: 'Tutup percakapan' }).click();
    await expect.poll(() => owner.locator('.conversation__header [data-testid="mode-badge"]').getAttribute('data-mode'), { timeout: 15_000 }).toBe('closed');
    await owner.reload();
    const template = owner.locator('[data-testid="template"][data-template="pesanan_siap"]');
    expect(await template.count()).toBe(1);
    await template.locator('summary').click();
    const params = template.locator('input[name="bodyParam"]');
    await params.nth(0).fill('Bu Rina');
    await params.nth(1).fill('#2001');
    await template.getByRole('button', { name: 'Kirim template' }).click();
    await expect
      .poll(() => graph.state.sent.filter((s) => s.type === 'template' && JSON.stringify(s.body).includes('#2001')).length, { timeout: 30_000 })
      .toBe(1);
    await expect.poll(async () => (await ConversationModel.findById(conversationId).lean())?.mode, { timeout: 15_000 }).toBe('agent');
  });

  it("serves an attachment only to its own workspace, with safe headers", async () => {
    const store = new MediaStore(mediaDir);
    const own = await owner.request.get(`${stack.dashboardUrl}/media/${imageMessageId}`);
    expect(own.status()).toBe(200);
    expect(own.headers()['content-type']).toBe('image/png');
    expect(own.headers()['x-content-type-options']).toBe('nosniff');
    expect(own.headers()['cache-control']).toContain('private');
    expect(Buffer.from(await own.body()).equals(PNG)).toBe(true);

    // A page a customer sent is never rendered as a page of the dashboard.
    const html = Buffer.from('<script>alert(document.cookie)</script>');
    const htmlMessage = await MessageModel.create({
      workspaceId: stack.seed.workspaceId,
      conversationId,
      channelId: firstChannelId,
      channelMessageId: 'wamid.document-1',
      direction: 'inbound',
      author: 'customer',
      type: 'document',
      status: 'received',
      media: { kind: 'document', mimeType: 'text/html', fileName: 'katalog.html', storageKey: await store.put(stack.seed.workspaceId, html), state: 'stored' },
    });
    const download = await owner.request.get(`${stack.dashboardUrl}/media/${String(htmlMessage._id)}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('application/octet-stream');
    expect(download.headers()['content-disposition']).toMatch(/^attachment;/);

    const other = await createWorkspace({
      workspaceName: 'Toko Lain',
      owner: { email: `${uniqueName('other')}@example.test`, name: 'Orang Lain', password: 'rahasia-lain-123' },
    });
    const foreign = await MessageModel.create({
      workspaceId: other.workspace._id,
      conversationId: new mongoose.Types.ObjectId(),
      channelId: other.channel._id,
      channelMessageId: 'foreign-image',
      direction: 'inbound',
      author: 'customer',
      type: 'image',
      status: 'received',
      media: { kind: 'image', mimeType: 'image/png', storageKey: await store.put(String(other.workspace._id), PNG), state: 'stored' },
    });
    expect((await owner.request.get(`${stack.dashboardUrl}/media/${String(foreign._id)}`)).status()).toBe(404);
    expect((await owner.request.get(`${stack.dashboardUrl}/media/${new mongoose.Types.ObjectId().toString()}`)).status()).toBe(404);
    expect((await owner.request.get(`${stack.dashboardUrl}/media/not-an-id`)).status()).toBe(404);
  });

  it('shows "needs re-connecting" with the reason, live, when Meta refuses the token', async () => {
    await owner.goto(`${stack.dashboardUrl}/channels/${firstChannelId}`);
    expect(await owner.locator('[data-testid="channel-health"]').getAttribute('data-status')).toBe('active');
    // The token was revoked at Meta: the next answer the bot sends is refused with code 190.
    graph.failNext(FIRST.phoneNumberId, { code: 190, times: Infinity });
    const status = await deliverWebhook(
      `${stack.gatewayUrl}/v1/webhooks/whatsapp/${firstChannelId}`,
      textWebhook({ phoneNumberId: FIRST.phoneNumberId, from: '6281399990000', name: 'Tono', text: 'jam berapa toko buka?' }),
      APP_SECRET,
    );
    expect(status).toBe(200);
    const health = owner.locator('[data-testid="channel-health"]');
    await expect.poll(() => health.getAttribute('data-status'), { timeout: 30_000 }).toBe('needs_reconnect');
    expect(await health.locator('.health__reason').textContent()).toMatch(/190/);
    graph.clearFailures(FIRST.phoneNumberId);
  });

  it('marks a Telegram customer who blocked the bot', async () => {
    const channel = await ChannelModel.findOne({ type: 'telegram', workspaceId: stack.seed.workspaceId }).lean<Channel>();
    const contact = await ContactModel.create({
      workspaceId: stack.seed.workspaceId,
      channelId: channel!._id,
      externalId: '555000111',
      name: 'Dodi',
      blocked: true,
      blockedAt: new Date(),
    });
    const conversation = await ConversationModel.create({
      workspaceId: stack.seed.workspaceId,
      chatbotId: stack.seed.chatbotId,
      channelId: channel!._id,
      channelType: 'telegram',
      contactId: contact._id,
      contactName: 'Dodi',
      lastCustomerMessageAt: new Date(Date.now() - TWO_DAYS_MS),
    });
    await owner.goto(`${stack.dashboardUrl}/inbox/${String(conversation._id)}`);
    expect(await owner.locator('[data-testid="contact-blocked"]').textContent()).toBe('Memblokir bot');
    // Telegram has no 24-hour window.
    expect(await owner.locator('[data-testid="window-closed"]').count()).toBe(0);
    expect(await owner.locator('[data-testid="conversation-channel"]').first().getAttribute('data-channel')).toBe('telegram');
  });
});
