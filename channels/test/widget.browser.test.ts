/**
 * The embeddable widget in real Chromium, against a stand-in gateway that speaks the widget API
 * contract. The demo page is served from a different origin than the gateway, as on a real shop
 * site, so CORS, the origin check and third-party localStorage all behave as they will in production.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '@sapa/testkit/browser';
import { t } from '@sapa/shared/i18n';
import { renderDemoPage } from '../src/web/demo-page';
import { buildWidgetScript } from '../src/web/widget/build';
import { FakeWidgetGateway } from './support/widget-gateway';

const PUBLIC_ID = 'toko-sari-01';
const STORAGE_KEY = `sapa:${PUBLIC_ID}`;
const HOSTILE_RED = 'rgb(185, 28, 28)';

let gateway: FakeWidgetGateway;
let site: Server;
let siteUrl: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

function eventually<T>(read: () => T | Promise<T>, timeout = 10_000) {
  return expect.poll(read, { timeout, interval: 50 });
}

async function visit(path: string, viewport = { width: 1280, height: 720 }) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${siteUrl}${path}`);
  await page.locator('.sapa-launcher').waitFor();
  return { page, pageErrors };
}

async function openPanel(page: Page): Promise<void> {
  await page.locator('.sapa-launcher').click();
  await page.locator('.sapa-panel').waitFor({ state: 'visible' });
}

async function sendText(page: Page, text: string): Promise<void> {
  const input = page.locator('.sapa-input');
  await input.fill(text);
  await input.press('Enter');
}

async function storedIdentity(page: Page): Promise<{ visitorId: string; token: string }> {
  const raw = await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY);
  expect(raw).not.toBeNull();
  return JSON.parse(raw!) as { visitorId: string; token: string };
}

/** A conversation with one exchange, as most tests need one. Returns the visitor id. */
async function chatOnce(page: Page, text: string): Promise<string> {
  await openPanel(page);
  const bots = page.locator('.sapa-msg[data-author="bot"]');
  const before = await bots.count();
  await sendText(page, text);
  await eventually(() => bots.count()).toBe(before + 1);
  return (await storedIdentity(page)).visitorId;
}

const messageIds = (page: Page) =>
  page.locator('.sapa-msg').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-id')));

const focusedClass = (page: Page) =>
  page.evaluate(() => document.getElementById('sapa-widget-host')?.shadowRoot?.activeElement?.className ?? null);

beforeAll(async () => {
  site = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    if (path !== '/' && path !== '/en' && path !== '/strict-csp') {
      res.writeHead(404).end();
      return;
    }
    const html = renderDemoPage({
      scriptUrl: `${gateway.url}/widget.js`,
      publicId: PUBLIC_ID,
      shopName: 'Toko Sari <Sembako & Camilan>',
      ...(path === '/en' ? { widgetLang: 'en' as const } : {}),
    });
    const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
    // A shop that forbids inline styles: only its own stylesheets, scripts and calls to the gateway.
    if (path === '/strict-csp') {
      headers['content-security-policy'] = `default-src 'self'; script-src ${gateway.url}; connect-src ${gateway.url}; style-src 'self'`;
    }
    res.writeHead(200, headers).end(html);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

  gateway = new FakeWidgetGateway({
    publicId: PUBLIC_ID,
    widgetScript: await buildWidgetScript(),
    allowedOrigins: [siteUrl],
    maxMessageChars: 500,
    replyDelayMs: 300,
    sseRetryMs: 300,
    reply: (text) =>
      text.includes('html')
        ? {
            text: '<img src=x onerror="window.__sapaPwned=1"><b>tebal</b>',
            citations: [
              { title: 'Katalog', url: 'https://toko.example/katalog' },
              { title: 'Tautan jahat', url: 'javascript:window.__sapaPwned=2' },
            ],
          }
        : { text: `Toko buka Senin–Jumat 08.00–20.00 WIB. Pertanyaan Anda: "${text}"`, citations: [] },
  });
  await gateway.listen();

  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await gateway?.close();
  site?.closeAllConnections();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
});

describe('web widget in Chromium', { timeout: 40_000 }, () => {
  it('opens from the launcher, sends a typed message and shows the bot reply in realtime', async () => {
    const { page, pageErrors } = await visit('/');
    const sessionsBefore = gateway.sessionRequests.length;
    const launcher = page.locator('.sapa-launcher');
    expect(await launcher.getAttribute('aria-label')).toBe('Buka chat');
    expect(await page.locator('.sapa-panel').isHidden()).toBe(true);
    // A first-time visitor who never opens the chat creates no visitor record.
    expect(gateway.sessionRequests.length).toBe(sessionsBefore);

    await openPanel(page);
    expect(await page.locator('.sapa-panel').getAttribute('role')).toBe('dialog');
    expect(await page.locator('.sapa-messages').getAttribute('aria-live')).toBe('polite');
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await focusedClass(page)).toBe('sapa-input');
    expect(await page.locator('.sapa-send').textContent()).toBe('Kirim');
    expect(await page.locator('.sapa-greeting').textContent()).toBe('Halo! Ada yang bisa kami bantu hari ini?');

    await sendText(page, '  Halo, jam berapa toko buka?  ');
    const mine = page.locator('.sapa-msg[data-author="customer"]');
    await eventually(() => mine.count()).toBe(1);
    expect(await mine.locator('.sapa-text').textContent()).toBe('Halo, jam berapa toko buka?');
    expect(await page.locator('.sapa-input').inputValue()).toBe('');

    const typing = page.locator('.sapa-typing');
    await typing.waitFor({ state: 'visible' });
    expect(await typing.textContent()).toBe(`Asisten Toko Sari ${t('id', 'widget.typing')}`);

    const bot = page.locator('.sapa-msg[data-author="bot"]');
    await bot.waitFor();
    expect(await bot.locator('.sapa-text').textContent()).toBe(
      'Toko buka Senin–Jumat 08.00–20.00 WIB. Pertanyaan Anda: "Halo, jam berapa toko buka?"',
    );
    expect(await bot.locator('.sapa-author').textContent()).toBe('Asisten Toko');
    expect(await typing.isHidden()).toBe(true);

    // The optimistic bubble, the POST answer and the stream echo are one message.
    const { visitorId } = await storedIdentity(page);
    const stored = gateway.visitors.get(visitorId)!.messages;
    expect(stored.map((m) => m.author)).toEqual(['customer', 'bot']);
    await eventually(() => mine.getAttribute('data-delivery')).toBe('sent');
    expect(await messageIds(page)).toEqual(stored.map((m) => m.id));

    // Shift+Enter is a newline, Enter sends.
    const input = page.locator('.sapa-input');
    await input.fill('baris satu');
    await input.press('Shift+Enter');
    await input.pressSequentially('baris dua');
    await input.press('Enter');
    await eventually(() => mine.count()).toBe(2);
    expect(await mine.nth(1).locator('.sapa-text').textContent()).toBe('baris satu\nbaris dua');

    await input.press('Escape');
    expect(await page.locator('.sapa-panel').isHidden()).toBe(true);
    expect(await focusedClass(page)).toBe('sapa-launcher');
    expect(pageErrors).toEqual([]);
  });

  it('renders messages and citations as text, never as HTML', async () => {
    const { page, pageErrors } = await visit('/');
    await openPanel(page);
    await sendText(page, '<b>saya</b> minta html');
    const bot = page.locator('.sapa-msg[data-author="bot"]');
    await bot.waitFor();

    expect(await page.locator('.sapa-msg[data-author="customer"] .sapa-text').textContent()).toBe('<b>saya</b> minta html');
    expect(await bot.locator('.sapa-text').textContent()).toBe('<img src=x onerror="window.__sapaPwned=1"><b>tebal</b>');
    // No element came out of either text, and nothing ran.
    expect(await page.locator('.sapa-messages img, .sapa-messages b, .sapa-messages script').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __sapaPwned?: unknown }).__sapaPwned)).toBeUndefined();

    const links = bot.locator('.sapa-citations a');
    expect(await links.count()).toBe(1);
    expect(await links.first().getAttribute('href')).toBe('https://toko.example/katalog');
    expect(await links.first().getAttribute('rel')).toContain('noopener');
    expect(await bot.locator('.sapa-citations li').allTextContents()).toEqual(['Katalog', 'Tautan jahat']);
    expect(pageErrors).toEqual([]);
  });

  it('is not affected by the host page CSS', async () => {
    const { page } = await visit('/');
    await chatOnce(page, 'Halo');

    // The hostile CSS really is in force on the page itself...
    const tagline = await page.locator('#tagline').evaluate((n) => getComputedStyle(n));
    expect(tagline.color).toBe(HOSTILE_RED);
    expect(tagline.fontFamily).toMatch(/Georgia/);

    // ...and none of it reaches the widget.
    const host = await page.evaluate(() => {
      const s = getComputedStyle(document.getElementById('sapa-widget-host')!);
      return { display: s.display, transform: s.transform, border: s.borderTopWidth };
    });
    expect(host).toEqual({ display: 'block', transform: 'none', border: '0px' });

    const send = page.locator('.sapa-send');
    expect(await send.isVisible()).toBe(true);
    const sendStyle = await send.evaluate((n) => {
      const s = getComputedStyle(n);
      return { display: s.display, fontFamily: s.fontFamily, color: s.color };
    });
    expect(sendStyle.display).not.toBe('none');
    expect(sendStyle.fontFamily).not.toMatch(/Georgia|Times|^serif/);
    expect(sendStyle.fontFamily).toMatch(/sans-serif$/);
    expect(sendStyle.color).toBe('rgb(255, 255, 255)');
    expect(await page.locator('.sapa-input').isVisible()).toBe(true);

    const botText = await page.locator('.sapa-msg[data-author="bot"] .sapa-text').evaluate((n) => {
      const s = getComputedStyle(n);
      return { color: s.color, fontSize: s.fontSize, fontFamily: s.fontFamily, letterSpacing: s.letterSpacing };
    });
    expect(botText.color).not.toBe(HOSTILE_RED);
    expect(botText.fontSize).toBe('14px');
    expect(botText.fontFamily).not.toMatch(/Georgia/);
    expect(botText.letterSpacing).toBe('normal');
    expect(await page.locator('.sapa-messages').evaluate((n) => getComputedStyle(n).borderTopWidth)).toBe('0px');

    // Desktop layout: a 380x560 panel at the bottom right, above everything on the page.
    const box = (await page.locator('.sapa-panel').boundingBox())!;
    expect(box.width).toBe(380);
    expect(box.height).toBe(560);
    expect(box.x + box.width).toBe(1280 - 20);
    expect(Number(await page.locator('.sapa-panel').evaluate((n) => getComputedStyle(n).zIndex))).toBeGreaterThan(2_000_000_000);
  });

  it('stays styled on a page whose Content-Security-Policy forbids inline styles', async () => {
    const { page } = await visit('/strict-csp');
    await chatOnce(page, 'Halo');
    const launcher = await page.locator('.sapa-launcher').evaluate((n) => {
      const s = getComputedStyle(n);
      return { position: s.position, width: s.width, radius: s.borderRadius };
    });
    expect(launcher).toEqual({ position: 'fixed', width: '56px', radius: '50%' });
    expect(await page.locator('.sapa-header').evaluate((n) => getComputedStyle(n).backgroundColor)).toBe('rgb(15, 118, 110)');
    expect((await page.locator('.sapa-panel').boundingBox())!.width).toBe(380);
  });

  it('keeps the visitor across reloads and shows the earlier messages exactly once', async () => {
    const { page } = await visit('/');
    const visitorId = await chatOnce(page, 'Apakah bisa kirim ke Bandung?');
    const identity = await storedIdentity(page);
    const idsBefore = await messageIds(page);
    expect(idsBefore).toHaveLength(2);
    const visitorsBefore = gateway.visitors.size;
    const sessionsBefore = gateway.sessionRequests.length;

    // The snapshot and the start of the stream overlap by three events (a message published while
    // the gateway built the snapshot): the overlap must not show twice.
    gateway.sessionLag = 3;
    try {
      await page.reload();
      await eventually(() => gateway.sessionRequests.length).toBe(sessionsBefore + 1);
      expect(gateway.sessionRequests.at(-1)).toMatchObject({ visitorId: identity.visitorId, token: identity.token, locale: 'id' });
      await eventually(() => gateway.openStreams(visitorId).length).toBe(1);
    } finally {
      gateway.sessionLag = 0;
    }
    // An event after the replayed ones: once it is shown, the replay has been processed.
    const marker = gateway.pushReply(visitorId, 'Pesan penanda');
    await page.locator(`.sapa-msg[data-id="${marker.id}"]`).waitFor({ state: 'attached' });

    expect(await messageIds(page)).toEqual([...idsBefore, marker.id]);
    expect(gateway.visitors.size).toBe(visitorsBefore);
    expect(await storedIdentity(page)).toEqual(identity);
    // It arrived while the panel was closed.
    expect(await page.locator('.sapa-badge').textContent()).toBe('1');
    await openPanel(page);
    expect(await page.locator('.sapa-badge').isHidden()).toBe(true);
    expect(await page.locator('.sapa-msg[data-author="customer"] .sapa-text').textContent()).toBe('Apakah bisa kirim ke Bandung?');
  });

  it('resumes from the last event id after the stream drops, missing nothing and showing it once', async () => {
    const { page } = await visit('/');
    const visitorId = await chatOnce(page, 'Halo');
    await eventually(() => gateway.openStreams(visitorId).length).toBe(1);

    // 1. The connection is cut and a reply is published before the browser reconnects: EventSource's
    //    own reconnect asks for everything after Last-Event-ID.
    const seenBeforeDrop = gateway.lastDeliveredId(visitorId)!;
    let streamsBefore = gateway.streamRequests.length;
    gateway.dropStreams(visitorId);
    gateway.publishForSomeoneElse();
    const missedWhileReconnecting = gateway.pushReply(visitorId, 'Balasan saat koneksi putus (1)');
    await page.locator(`.sapa-msg[data-id="${missedWhileReconnecting.id}"]`).waitFor();
    const nativeReconnect = gateway.streamRequests.slice(streamsBefore).find((r) => r.status === 200)!;
    expect(nativeReconnect.headerLastEventId).toBe(String(seenBeforeDrop));

    // 2. The gateway refuses the reconnect (EventSource gives up for good): the widget shows the
    //    banner, then builds a new EventSource that passes the last id seen in the query.
    const seenBeforeOutage = gateway.lastDeliveredId(visitorId)!;
    streamsBefore = gateway.streamRequests.length;
    gateway.refuseStreamsWith = 503;
    gateway.dropStreams(visitorId);
    const missedDuringOutage = gateway.pushReply(visitorId, 'Balasan saat koneksi putus (2)', 'agent');
    const banner = page.locator('.sapa-banner');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).toBe(t('id', 'widget.offline'));
    await eventually(() => gateway.streamRequests.slice(streamsBefore).some((r) => r.status === 503)).toBe(true);
    gateway.refuseStreamsWith = null;

    await page.locator(`.sapa-msg[data-id="${missedDuringOutage.id}"]`).waitFor();
    const recreated = gateway.streamRequests.slice(streamsBefore).find((r) => r.status === 200)!;
    expect(recreated.queryLastEventId).toBe(String(seenBeforeOutage));
    expect(recreated.headerLastEventId).toBeNull();
    await banner.waitFor({ state: 'hidden' });

    const stored = gateway.visitors.get(visitorId)!.messages.map((m) => m.id);
    expect(await messageIds(page)).toEqual(stored);
    expect(await page.locator(`.sapa-msg[data-id="${missedDuringOutage.id}"] .sapa-author`).textContent()).toBe('Rina');
  });

  it('retries a failed send with the same clientMessageId and shows a 4xx reason under the bubble', async () => {
    const { page } = await visit('/');
    const visitorId = await chatOnce(page, 'Halo');

    gateway.failNextMessages(2, 503, 'unavailable', t('id', 'error.unavailable'));
    const text = 'Apakah ada promo minggu ini?';
    await sendText(page, text);
    const bubble = page.locator('.sapa-msg[data-author="customer"]', { hasText: 'promo' });
    await eventually(() => bubble.getAttribute('data-delivery')).toBe('sent');
    const attempts = gateway.messageRequests.filter((r) => r.text === text);
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 202]);
    expect(new Set(attempts.map((a) => a.clientMessageId)).size).toBe(1);
    expect(await bubble.getAttribute('data-client-id')).toBe(attempts[0]!.clientMessageId);
    expect(gateway.visitors.get(visitorId)!.messages.filter((m) => m.text === text)).toHaveLength(1);
    await eventually(() => bubble.count()).toBe(1);

    gateway.failNextMessages(1, 429, 'rateLimited', t('id', 'error.rateLimited'));
    await sendText(page, 'Pesan yang ditolak');
    const rejected = page.locator('.sapa-msg[data-author="customer"]', { hasText: 'ditolak' });
    await eventually(() => rejected.getAttribute('data-delivery')).toBe('rejected');
    expect(await rejected.locator('.sapa-status').textContent()).toBe(t('id', 'error.rateLimited'));
    await rejected.locator('.sapa-retry').click();
    await eventually(() => rejected.getAttribute('data-delivery')).toBe('sent');
    const tries = gateway.messageRequests.filter((r) => r.text === 'Pesan yang ditolak');
    expect(tries.map((a) => a.status)).toEqual([429, 202]);
    expect(tries[0]!.clientMessageId).toBe(tries[1]!.clientMessageId);
  });

  it('speaks English with data-lang="en", and the header toggle switches language for good', async () => {
    const { page } = await visit('/en');
    expect(await page.locator('.sapa-launcher').getAttribute('aria-label')).toBe('Open chat');
    await openPanel(page);
    expect(await page.locator('.sapa-title').textContent()).toBe('Chat with us');
    expect(await page.locator('.sapa-input').getAttribute('placeholder')).toBe('Type a message…');
    expect(await page.locator('.sapa-send').textContent()).toBe('Send');
    expect(await page.locator('.sapa-close').getAttribute('aria-label')).toBe('Close chat');
    expect(await page.locator('.sapa-lang').textContent()).toBe('Bahasa Indonesia');
    await eventually(() => gateway.sessionRequests.at(-1)?.locale).toBe('en');

    await page.locator('.sapa-lang').click();
    expect(await page.locator('.sapa-send').textContent()).toBe('Kirim');
    expect(await page.locator('.sapa-input').getAttribute('placeholder')).toBe('Tulis pesan…');

    // The visitor's own choice outlives the reload and beats the site's data-lang.
    await page.reload();
    await page.locator('.sapa-launcher').waitFor();
    expect(await page.locator('.sapa-launcher').getAttribute('aria-label')).toBe('Buka chat');
  });

  it('fills a 375px wide phone screen', async () => {
    const { page } = await visit('/', { width: 375, height: 740 });
    await openPanel(page);
    const box = (await page.locator('.sapa-panel').boundingBox())!;
    expect(box).toEqual({ x: 0, y: 0, width: 375, height: 740 });
    expect(await page.locator('.sapa-input').evaluate((n) => getComputedStyle(n).fontSize)).toBe('16px');
    await page.locator('.sapa-close').click();
    expect(await page.locator('.sapa-panel').isHidden()).toBe(true);
  });
});
