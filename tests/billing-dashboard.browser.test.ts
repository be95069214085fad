/**
 * The Billing pages in real Chromium against the whole stack: gateway (payment notifications),
 * worker (the top-up workflow) and the built dashboard, with Midtrans played by testkit's fake
 * (real midtrans-client requests, signed notifications to the gateway).
 *
 * The owner buys the Starter package, sees the QR (drawn from the charge's QRIS string) and
 * Rp150.000, the fake settles it, and the page turns "Lunas" with the new balance without a
 * reload. A pending payment is cancelled at the provider; the ledger downloads as CSV with the
 * top-up row; the threshold, alerts (also one raised live), usage charts and the email outbox
 * show what the database holds; another workspace's order is a 404 and an agent is refused.
 * Without JavaScript the page renders (chart included) and buying and checking the status work
 * with plain form posts and links. Without a payment provider the page says so and offers nothing.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import QRCode from 'qrcode';
import mongoose from 'mongoose';
import {
  AiUsageModel,
  ChatbotModel,
  EmailModel,
  MembershipModel,
  NoticeModel,
  PaymentModel,
  UserModel,
  appendEntry,
  createWorkspace,
  getBalance,
  hashPassword,
  raiseNotice,
  type Payment,
} from '@sapa/shared';
import { TestStack, launchBrowser, logInToDashboard, uniqueName } from '@sapa/testkit';
import { checkQrisPayload, startFakeMidtrans, type FakeMidtrans } from '@sapa/testkit/fakes';

const SERVER_KEY = 'SB-Mid-server-sapa-billing-test';
/** Requests only scripts make; with JavaScript off there must be none. */
const SCRIPT_REQUEST_TYPES = new Set(['fetch', 'xhr', 'eventsource', 'websocket']);
const ORDER_URL = /\/billing\/payments\/(sapa-[A-Za-z0-9_-]+)$/;

/** Marks the document: if it is still there later, the page was never reloaded in between. */
const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { __sapaSameDocument: true }));
const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { __sapaSameDocument?: boolean }).__sapaSameDocument === true);

const orderIdOf = (page: Page) => ORDER_URL.exec(new URL(page.url()).pathname)?.[1] ?? '';
const packageCard = (page: Page, id: string) => page.locator(`[data-testid="credit-package"][data-package-id="${id}"]`);
const paymentStatus = (page: Page) => page.locator('[data-testid="payment-status"]');

async function storedPayment(orderId: string): Promise<Payment & { _id: string }> {
  const payment = await PaymentModel.findById(orderId).lean<Payment & { _id: string }>();
  if (!payment) throw new Error(`no payment ${orderId}`);
  return payment;
}

describe('the Billing pages with Midtrans', () => {
  let fake: FakeMidtrans;
  let stack: TestStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let owner: Page;
  let paidOrderId: string;
  let otherOrderId: string;

  const agentEmail = `${uniqueName('agent')}@example.test`;
  const agentPassword = 'rahasia-agen-123';

  async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    contexts.push(context);
    return context.newPage();
  }

  beforeAll(async () => {
    fake = await startFakeMidtrans({ serverKey: SERVER_KEY });
    stack = await TestStack.start({
      dashboard: true,
      env: { PAYMENT_PROVIDER: 'midtrans', MIDTRANS_SERVER_KEY: SERVER_KEY, MIDTRANS_BASE_URL: fake.baseUrl, PAYMENT_POLL_INTERVAL_MS: '500' },
    });
    // Midtrans' dashboard setting "Payment Notification URL": our gateway.
    fake.notificationUrl = `${stack.gatewayUrl}/v1/payments/midtrans/notification`;
    const agent = await UserModel.create({ email: agentEmail, name: 'Agus Agen', passwordHash: await hashPassword(agentPassword), locale: 'id' });
    await MembershipModel.create({ workspaceId: stack.seed.workspaceId, userId: agent._id, role: 'agent' });
    const elsewhere = await createWorkspace({
      workspaceName: 'Toko Sebelah',
      owner: { email: `${uniqueName('other')}@example.test`, name: 'Budi', password: 'rahasia-budi-123' },
    });
    otherOrderId = `sapa-${uniqueName('other')}`;
    await PaymentModel.create({
      _id: otherOrderId,
      workspaceId: elsewhere.workspace._id,
      provider: 'midtrans',
      purpose: 'credits',
      packageId: 'starter',
      credits: 100_000,
      amountIdr: 150_000,
      status: 'pending',
      qrString: 'not-for-your-eyes',
    });
    browser = await launchBrowser();
    owner = await newPage();
    await logInToDashboard(owner, stack.dashboardUrl, stack.seed.ownerEmail, stack.seed.ownerPassword);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
    await fake?.close();
  });

  it('buys Starter with QRIS, shows the QR and the amount, and turns paid with the new balance without a reload', async () => {
    await owner.locator('.app-nav').getByRole('link', { name: 'Tagihan' }).click();
    await owner.waitForURL(/\/billing$/);
    expect(await owner.locator('[data-testid="balance"]').textContent()).toBe('0');
    expect(await owner.locator('[data-testid="payments-not-configured"]').count()).toBe(0);
    const starter = packageCard(owner, 'starter');
    expect(await starter.textContent()).toContain('Rp150.000');
    expect(await starter.textContent()).toContain('100.000 kredit');
    await owner.locator('[data-testid="live-indicator"][data-status="live"]').waitFor();

    await starter.getByRole('button', { name: 'Beli dengan QRIS' }).click();
    await owner.waitForURL(ORDER_URL);
    const orderId = orderIdOf(owner);
    expect(await owner.locator('[data-testid="payment-amount"]').textContent()).toBe('Rp150.000');
    expect(await owner.locator('[data-testid="payment-what"]').textContent()).toBe('Kredit Starter · 100.000 kredit');
    await owner.locator('[data-testid="payment-status"][data-status="pending"]').waitFor();
    expect(await paymentStatus(owner).textContent()).toBe('Menunggu pembayaran');

    // The charge went to Midtrans with the server's price, and the page draws the QRIS string it returned.
    const tx = fake.transaction(orderId);
    expect(tx).toMatchObject({ status: 'pending', grossAmount: '150000.00' });
    const stored = await storedPayment(orderId);
    expect(stored).toMatchObject({ status: 'pending', amountIdr: 150_000, credits: 100_000, packageId: 'starter', qrString: tx!.qrString });
    expect(checkQrisPayload(stored.qrString!)).toMatchObject({ ok: true, amount: '150000' });
    const expectedSvg = await QRCode.toString(tx!.qrString, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    const qr = owner.locator('[data-testid="payment-qr"]');
    expect(await qr.getAttribute('src')).toBe(`data:image/svg+xml;base64,${Buffer.from(expectedSvg).toString('base64')}`);
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await owner.locator('[data-testid="countdown"]').textContent()).toContain('QR berlaku sampai');
    await expect.poll(() => owner.locator('[data-testid="countdown-left"]').textContent()).toMatch(/^Sisa waktu 1[45]:\d\d$/);

    await owner.locator('[data-testid="live-indicator"][data-status="live"]').waitFor();
    await markDocument(owner);
    const delivered = await fake.pay(orderId);
    expect(delivered.map((d) => d.statuses)).toEqual([[200]]);

    await owner.locator('[data-testid="payment-status"][data-status="paid"]').waitFor({ timeout: 30_000 });
    expect(await paymentStatus(owner).textContent()).toBe('Lunas');
    expect(await owner.locator('[data-testid="new-balance"]').textContent()).toBe('100.000');
    expect(await owner.locator('[data-testid="payment-qr"]').count()).toBe(0);
    expect(await sameDocument(owner)).toBe(true);
    expect(await getBalance(stack.seed.workspaceId)).toBe(100_000);
    expect((await storedPayment(orderId)).status).toBe('paid');
    paidOrderId = orderId;
  });

  it('shows the balance, the top-up in the history, the payment and its alert on the billing page', async () => {
    await owner.getByRole('link', { name: 'Kembali ke Tagihan' }).first().click();
    await owner.waitForURL(/\/billing$/);
    expect(await owner.locator('[data-testid="balance"]').textContent()).toBe('100.000');
    const row = owner.locator('[data-testid="history-row"]').first();
    expect(await row.getAttribute('data-kind')).toBe('topup');
    expect(await row.locator('[data-testid="history-amount"]').textContent()).toBe('+100.000');
    expect(await row.textContent()).toContain('Starter');
    expect(await owner.locator(`[data-testid="payment-row"][data-order-id="${paidOrderId}"]`).getAttribute('data-status')).toBe('paid');
    const paidNotice = owner.locator('[data-testid="notice"][data-kind="payment_paid"]');
    await expect.poll(() => paidNotice.count(), { timeout: 15_000 }).toBe(1);
    expect(await paidNotice.textContent()).toContain(paidOrderId);
  });

  it('cancels a pending payment at the provider and offers to try again', async () => {
    await packageCard(owner, 'pro').getByRole('button', { name: 'Beli dengan QRIS' }).click();
    await owner.waitForURL(ORDER_URL);
    const orderId = orderIdOf(owner);
    await owner.locator('[data-testid="payment-status"][data-status="pending"]').waitFor();
    expect(await owner.locator('[data-testid="payment-amount"]').textContent()).toBe('Rp750.000');

    await owner.getByRole('button', { name: 'Batalkan pembayaran' }).click();
    await owner.locator('[data-testid="payment-status"][data-status="cancelled"]').waitFor({ timeout: 30_000 });
    expect(await paymentStatus(owner).textContent()).toBe('Dibatalkan');
    expect(await owner.locator('[data-testid="payment-outcome"]').textContent()).toContain('dibatalkan');
    expect(await owner.getByRole('button', { name: 'Batalkan pembayaran' }).count()).toBe(0);
    const tx = fake.transaction(orderId);
    expect(tx?.status).toBe('cancel');
    // midtrans-client cancels by the order id or the transaction id; either names this charge.
    const cancelPaths = [`/v2/${orderId}/cancel`, `/v2/${tx!.transactionId}/cancel`];
    expect(fake.requests.some((r) => r.method === 'POST' && cancelPaths.includes(r.path) && r.authorized && r.status === 200)).toBe(true);
    expect((await storedPayment(orderId)).status).toBe('cancelled');
    expect(await getBalance(stack.seed.workspaceId)).toBe(100_000);

    await owner.locator('[data-testid="retry"]').click();
    await owner.waitForURL(/\/billing#credits$/);
    await packageCard(owner, 'starter').getByRole('button', { name: 'Beli dengan QRIS' }).waitFor();
  });

  it('downloads the ledger as CSV with the top-up row', async () => {
    await owner.goto(`${stack.dashboardUrl}/billing`);
    const [download] = await Promise.all([owner.waitForEvent('download'), owner.locator('[data-testid="csv-export"]').click()]);
    expect(download.suggestedFilename()).toMatch(/^sapa-transaksi-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,created_at,kind,amount,balance_after,shortfall,idempotency_key,reply_id,payment_id,chatbot_id,provider,model,input_tokens,output_tokens,note');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^1,\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?\\+07:00,topup,100000,100000,0,topup:${paidOrderId},,${paidOrderId},`));

    const response = await owner.request.get(`${stack.dashboardUrl}/billing/transactions.csv`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers()['content-disposition']).toMatch(/^attachment; filename="sapa-transaksi-[\d-]+\.csv"$/);
  });

  it('saves the low-balance threshold, warns below it, and marks alerts read (a new one arrives live)', async () => {
    await owner.goto(`${stack.dashboardUrl}/billing`);
    const form = owner.locator('[data-testid="threshold-form"]');
    await form.locator('input[name="threshold"]').fill('abc');
    await form.getByRole('button', { name: 'Simpan batas' }).click();
    expect(await form.locator('.field__error').textContent()).toBe('Isi jumlah kredit berupa angka bulat, mis. 1000.');
    await form.locator('input[name="threshold"]').fill('250.000');
    await form.getByRole('button', { name: 'Simpan batas' }).click();
    await owner.locator('[data-testid="threshold-saved"]').waitFor();
    expect(await form.locator('input[name="threshold"]').inputValue()).toBe('250000');
    expect(await owner.locator('[data-testid="low-balance"]').textContent()).toContain('250.000 kredit');

    await owner.locator('[data-testid="live-indicator"][data-status="live"]').waitFor();
    await markDocument(owner);
    await raiseNotice(stack.config, {
      workspaceId: stack.seed.workspaceId,
      kind: 'low_balance',
      dedupeKey: `low_balance:${stack.seed.workspaceId}:test`,
      vars: { balance: '100.000', threshold: '250.000' },
    });
    const low = owner.locator('[data-testid="notice"][data-kind="low_balance"]');
    await low.waitFor({ timeout: 15_000 });
    expect(await sameDocument(owner)).toBe(true);
    expect(await low.textContent()).toContain('Saldo kredit AI workspace Toko Kopi Sapa tinggal 100.000 kredit');
    // Newest first.
    expect(await owner.locator('[data-testid="notice"]').first().getAttribute('data-kind')).toBe('low_balance');
    expect(await low.getAttribute('data-read')).toBe('false');

    await low.getByRole('button', { name: 'Tandai sudah dibaca' }).click();
    await expect.poll(() => low.getAttribute('data-read')).toBe('true');
    expect((await NoticeModel.findById(`low_balance:${stack.seed.workspaceId}:test`).lean())?.readAt).toBeInstanceOf(Date);
  });

  it('charts the credits used in the last 30 days by day, by chatbot and by model', async () => {
    const chatbot = await ChatbotModel.findById(stack.seed.chatbotId).lean();
    const workspaceId = new mongoose.Types.ObjectId(stack.seed.workspaceId);
    const usage = (id: string, model: string, provider: string, credits: number, daysAgo: number, funding = 'credits') => ({
      _id: uniqueName(id),
      workspaceId,
      chatbotId: chatbot!._id,
      provider,
      model,
      credits,
      funding,
      createdAt: new Date(Date.now() - daysAgo * 86_400_000),
    });
    // Fixtures with their own (past) times: mongoose must not stamp them with now.
    const fixtures = [
      usage('u1', 'gpt-4o-mini', 'openai', 1200, 1),
      usage('u2', 'gpt-4o-mini', 'openai', 800, 3),
      usage('u3', 'claude-haiku-4-5', 'anthropic', 500, 2),
      // Not counted: older than 30 days, and paid with the workspace's own key.
      usage('u4', 'gpt-4o', 'openai', 9999, 40),
      usage('u5', 'gpt-4o', 'openai', 7777, 1, 'own_key'),
    ];
    await AiUsageModel.insertMany(fixtures, { timestamps: false });
    // Not `/billing#usage`: from /billing that would only scroll, not load the page again.
    await owner.goto(`${stack.dashboardUrl}/billing`);
    expect(await owner.locator('[data-testid="usage"]').getAttribute('data-total')).toBe('2500');
    const byModel = owner.locator('[data-testid="usage-by-model"] [data-testid="chart-bar"]');
    expect(await byModel.evaluateAll((bars) => bars.map((b) => [b.getAttribute('data-label'), b.getAttribute('data-value')]))).toEqual([
      ['GPT-4o mini', '2000'],
      ['Claude Haiku 4.5', '500'],
    ]);
    const byChatbot = owner.locator('[data-testid="usage-by-chatbot"] [data-testid="chart-bar"]');
    expect(await byChatbot.evaluateAll((bars) => bars.map((b) => [b.getAttribute('data-label'), b.getAttribute('data-value')]))).toEqual([[chatbot!.name, '2500']]);
    expect(await owner.locator('[data-testid="usage-by-model"] svg').getAttribute('aria-label')).toContain('GPT-4o mini 2.000 kredit');
    // Over time: one bar per day with usage, oldest first (3, 2 and 1 days ago).
    const byDay = owner.locator('[data-testid="usage-by-day"] [data-testid="chart-bar"]');
    expect(await byDay.evaluateAll((bars) => bars.map((b) => b.getAttribute('data-value')))).toEqual(['800', '500', '1200']);
  });

  it('lists the emails Sapa wrote in the outbox when SMTP is not set', async () => {
    await owner.goto(`${stack.dashboardUrl}/billing`);
    await owner.locator('[data-testid="outbox-link"]').click();
    await owner.waitForURL(/\/billing\/outbox$/);
    expect(await owner.locator('[data-testid="outbox-mode"]').getAttribute('data-outbox-only')).toBe('true');
    const stored = await EmailModel.find({ workspaceId: stack.seed.workspaceId }).lean();
    expect(stored.some((e) => e.subject === 'Pembayaran diterima')).toBe(true);
    const email = owner.locator('[data-testid="email"]', { hasText: 'Pembayaran diterima' });
    expect(await email.getAttribute('data-status')).toBe('outbox');
    await email.locator('summary').click();
    expect(await email.locator('.email__text').textContent()).toContain(paidOrderId);
  });

  it("answers 404 for another workspace's order and an unknown one", async () => {
    for (const id of [otherOrderId, 'sapa-does-not-exist', 'not%20an%20order']) {
      const response = await owner.goto(`${stack.dashboardUrl}/billing/payments/${id}`);
      expect(response?.status()).toBe(404);
      expect(await owner.locator('[data-testid="error"]').getAttribute('data-status')).toBe('404');
      expect(await owner.content()).not.toContain('not-for-your-eyes');
    }
  });

  it('refuses an agent the billing pages, the CSV and buying', async () => {
    const agent = await newPage();
    await logInToDashboard(agent, stack.dashboardUrl, agentEmail, agentPassword);
    const page = await agent.goto(`${stack.dashboardUrl}/billing`);
    expect(page?.status()).toBe(403);
    expect(await agent.locator('[data-testid="error"]').textContent()).toContain('Hanya pemilik atau admin yang bisa membuka tagihan.');
    expect((await agent.request.get(`${stack.dashboardUrl}/billing/transactions.csv`)).status()).toBe(403);
    expect((await agent.request.get(`${stack.dashboardUrl}/billing/payments/${paidOrderId}`)).status()).toBe(403);
    const before = await PaymentModel.countDocuments({ workspaceId: stack.seed.workspaceId });
    const csrf = await agent.locator('input[name="csrf"]').first().inputValue();
    const post = await agent.request.post(`${stack.dashboardUrl}/billing?index`, { form: { csrf, intent: 'buy-credits', packageId: 'starter' }, maxRedirects: 0 });
    expect(post.status()).toBe(403);
    expect(await PaymentModel.countDocuments({ workspaceId: stack.seed.workspaceId })).toBe(before);
  });

  describe('without JavaScript', () => {
    const scriptRequests: string[] = [];
    let page: Page;

    async function submitAndLoad(target: Page, control: Locator) {
      const navigated = target.waitForEvent('framenavigated', { predicate: (frame) => frame === target.mainFrame(), timeout: 30_000 });
      await control.click();
      await navigated;
      await target.waitForLoadState('load');
    }

    beforeAll(async () => {
      page = await newPage({ javaScriptEnabled: false });
      page.on('request', (req) => {
        if (SCRIPT_REQUEST_TYPES.has(req.resourceType())) scriptRequests.push(`${req.resourceType()} ${req.url()}`);
      });
      await page.goto(`${stack.dashboardUrl}/login`);
      await page.locator('input[name=email]').fill(stack.seed.ownerEmail);
      await page.locator('input[name=password]').fill(stack.seed.ownerPassword);
      await submitAndLoad(page, page.locator('form:has(input[name="password"]) button[type="submit"]'));
    });

    it('renders the billing page, chart included, from the server', async () => {
      await page.goto(`${stack.dashboardUrl}/billing`);
      expect(await page.locator('[data-testid="balance"]').textContent()).toBe('100.000');
      expect(await page.locator('[data-testid="usage-by-model"] svg rect').count()).toBe(2);
      expect(await page.locator('[data-testid="history-row"]').count()).toBe(1);
      expect(await page.locator('[data-testid="live-indicator"]').count()).toBe(0);
    });

    it('rejects a bad threshold with the reason, in a full page load', async () => {
      const form = page.locator('[data-testid="threshold-form"]');
      await form.locator('input[name="threshold"]').fill('-5');
      await submitAndLoad(page, form.getByRole('button', { name: 'Simpan batas' }));
      expect(await page.locator('[data-testid="threshold-form"] .field__error').textContent()).toBe('Isi jumlah kredit berupa angka bulat, mis. 1000.');
    });

    it('buys with a plain form post, shows the QR and its expiry time, and shows it paid after "check status"', async () => {
      await page.goto(`${stack.dashboardUrl}/billing`);
      await submitAndLoad(page, packageCard(page, 'starter').getByRole('button', { name: 'Beli dengan QRIS' }));
      expect(new URL(page.url()).pathname).toMatch(ORDER_URL);
      const orderId = orderIdOf(page);
      // The action waited for the charge: the QR is in the first page load.
      expect(await paymentStatus(page).getAttribute('data-status')).toBe('pending');
      expect(await page.locator('[data-testid="payment-qr"]').count()).toBe(1);
      expect(await page.locator('[data-testid="payment-amount"]').textContent()).toBe('Rp150.000');
      expect(await page.locator('[data-testid="countdown"]').textContent()).toMatch(/^QR berlaku sampai \d{1,2} \S+ \d{2}[.:]\d{2}$/);
      expect(await page.locator('[data-testid="countdown-left"]').count()).toBe(0);

      await fake.pay(orderId);
      await expect.poll(async () => (await storedPayment(orderId)).status, { timeout: 30_000 }).toBe('paid');
      await submitAndLoad(page, page.locator('[data-testid="check-status"]'));
      expect(await paymentStatus(page).textContent()).toBe('Lunas');
      expect(await page.locator('[data-testid="new-balance"]').textContent()).toBe('200.000');
      expect(scriptRequests).toEqual([]);
    });
  });

  it('pages through the history, newest first', async () => {
    for (let i = 1; i <= 21; i++) {
      await appendEntry({ workspaceId: stack.seed.workspaceId, amount: 1, idempotencyKey: `test-adjustment-${i}`, kind: 'adjustment', ref: { note: `koreksi ${i}` } });
    }
    // Two top-ups and 21 adjustments: 20 on the first page, 3 on the next.
    await owner.goto(`${stack.dashboardUrl}/billing`);
    const rows = owner.locator('[data-testid="history-row"]');
    expect(await rows.count()).toBe(20);
    expect(await rows.first().getAttribute('data-seq')).toBe('23');
    expect(await rows.first().textContent()).toContain('koreksi 21');
    expect(await rows.first().locator('[data-testid="history-amount"]').textContent()).toBe('+1');
    await owner.locator('[data-testid="history-older"]').click();
    await owner.waitForURL(/\/billing\?before=4#history$/);
    await expect.poll(() => rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-seq')))).toEqual(['3', '2', '1']);
    expect(await owner.locator('[data-testid="history-older"]').count()).toBe(0);
    expect(await owner.locator('[data-testid="balance"]').textContent()).toBe('200.021');
  });
});

describe('the Billing page without a payment provider', () => {
  let stack: TestStack;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    // Only the dashboard is looked at: no worker or gateway needed.
    stack = await TestStack.start({ dashboard: true, worker: 'none', gateway: 'none', env: { PAYMENT_PROVIDER: 'none' } });
    browser = await launchBrowser();
    context = await browser.newContext();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.stop();
  });

  it('says payments are not configured and offers no buy buttons, and a forged post buys nothing', async () => {
    const page = await context.newPage();
    await logInToDashboard(page, stack.dashboardUrl, stack.seed.ownerEmail, stack.seed.ownerPassword);
    await page.goto(`${stack.dashboardUrl}/billing`);
    expect(await page.locator('[data-testid="payments-not-configured"]').textContent()).toContain('Pembayaran QRIS belum diatur');
    expect(await page.locator('[data-testid="credit-package"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="plan-card"]').count()).toBe(3);
    expect(await page.getByRole('button', { name: /QRIS/ }).count()).toBe(0);

    const csrf = await page.locator('input[name="csrf"]').first().inputValue();
    const post = await page.request.post(`${stack.dashboardUrl}/billing?index`, { form: { csrf, intent: 'buy-credits', packageId: 'starter' }, maxRedirects: 0 });
    expect(post.status()).toBe(409);
    expect(await PaymentModel.countDocuments({})).toBe(0);
  });
});
