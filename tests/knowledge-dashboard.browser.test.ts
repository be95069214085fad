/**
 * The dashboard's Knowledge pages, a chatbot's AI settings and its playground, in real Chromium
 * against the whole stack (gateway, worker with the ingestion and playground workflows, the built
 * dashboard), with a local website played by testkit's fake site.
 *
 * The owner uploads a real DOCX (with an upload progress bar) and watches it turn ready live,
 * reads its chunks, asks the playground a question that document answers (answer, citation,
 * scored passages), is refused a file over the limit (in the page, by the upload endpoint and by
 * the plain form post, nothing stored), sees a URL that is an image fail with the reason, deletes
 * a source and sees it go. Another workspace's source or chatbot is a 404, an agent may look but
 * not change, the text form works without JavaScript, and the settings save what the shared
 * schemas accept and offer to reprocess when chunking changed.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import {
  ChatbotModel,
  KnowledgeChunkModel,
  KnowledgeSourceModel,
  MembershipModel,
  UserModel,
  createWorkspace,
  hashPassword,
  publishEvent,
  readAiSettings,
  t,
  type KnowledgeSource,
} from '@sapa/shared';
import { ScheduleNotFoundError } from '@temporalio/client';
import { SAMPLE_SHOP, TestStack, launchBrowser, logInToDashboard, sampleDocx, uniqueName } from '@sapa/testkit';
import { startFakeSite, type FakeSite } from '@sapa/testkit/fakes/index';

/** Small enough that an oversized file is cheap to make, large enough for the sample DOCX. */
const UPLOAD_LIMIT = 64 * 1024;
const DOCX_NAME = 'panduan-batik-sekar.docx';
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
/** Requests only scripts make; with JavaScript off there must be none. */
const SCRIPT_REQUEST_TYPES = new Set(['fetch', 'xhr', 'eventsource', 'websocket']);

describe('the Knowledge pages, chatbot settings and the playground', () => {
  let stack: TestStack;
  let site: FakeSite;
  let browser: Browser;
  let mediaDir: string;
  const contexts: BrowserContext[] = [];
  let owner: Page;
  let docxSourceId: string;
  let other: { workspaceId: string; chatbotId: string; sourceId: string };

  const agentEmail = `${uniqueName('agent')}@example.test`;
  const agentPassword = 'rahasia-agen-123';

  async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    contexts.push(context);
    return context.newPage();
  }

  const logIn = (page: Page, email: string, password: string) => logInToDashboard(page, stack.dashboardUrl, email, password);

  const csrfOf = (page: Page) => page.locator('input[name="csrf"]').first().inputValue();
  const rowNamed = (page: Page, name: string) =>
    page.locator('[data-testid="knowledge-item"]', { has: page.locator('[data-testid="knowledge-name"]', { hasText: name }) });
  const rowOf = (page: Page, sourceId: string) => page.locator(`[data-testid="knowledge-item"][data-source-id="${sourceId}"]`);

  /** Marks the document: if it is still there later, the page was never reloaded in between. */
  const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { __sapaSameDocument: true }));
  const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { __sapaSameDocument?: boolean }).__sapaSameDocument === true);

  async function mediaFiles(): Promise<number> {
    const dir = path.join(mediaDir, stack.seed.workspaceId);
    return readdir(dir).then((files) => files.length, () => 0);
  }

  beforeAll(async () => {
    site = await startFakeSite();
    mediaDir = await mkdtemp(path.join(os.tmpdir(), 'sapa-media-'));
    stack = await TestStack.start({
      dashboard: true,
      env: {
        KNOWLEDGE_MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT),
        // The dashboard stores uploads and the worker reads them: one absolute folder for both.
        MEDIA_DIR: mediaDir,
      },
    });
    const agent = await UserModel.create({ email: agentEmail, name: 'Agus Agen', passwordHash: await hashPassword(agentPassword), locale: 'id' });
    await MembershipModel.create({ workspaceId: stack.seed.workspaceId, userId: agent._id, role: 'agent' });
    const elsewhere = await createWorkspace({
      workspaceName: 'Toko Sebelah',
      owner: { email: `${uniqueName('other')}@example.test`, name: 'Budi', password: 'rahasia-budi-123' },
      chatbot: { knowledge: { name: 'Rahasia Toko Sebelah', text: 'Harga grosir hanya untuk anggota.' } },
    });
    other = { workspaceId: String(elsewhere.workspace._id), chatbotId: String(elsewhere.chatbot._id), sourceId: elsewhere.knowledgeSourceIds[0]! };
    browser = await launchBrowser();
    owner = await newPage();
    await logIn(owner, stack.seed.ownerEmail, stack.seed.ownerPassword);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stack?.stop();
    await site?.close();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  it('lists the knowledge, uploads a DOCX with a progress bar and follows it to ready without a reload', async () => {
    await owner.locator('.app-nav').getByRole('link', { name: 'Pengetahuan' }).click();
    await owner.waitForURL(/\/knowledge$/);
    const seedRow = rowOf(owner, stack.seed.knowledgeSourceIds[0]!);
    expect(await seedRow.getAttribute('data-status')).toBe('ready');
    expect(await seedRow.locator('[data-testid="knowledge-status"]').textContent()).toBe('Siap');
    expect(Number(await seedRow.locator('[data-testid="knowledge-chunks"]').getAttribute('data-count'))).toBeGreaterThan(0);
    expect(await seedRow.textContent()).toContain('Dipakai oleh: ');
    await owner.locator('[data-testid="live-indicator"][data-status="live"]').waitFor();
    await markDocument(owner);

    const form = owner.locator('[data-testid="upload-form"]');
    expect(await form.locator('input[name="chatbotIds"]').isChecked()).toBe(true);
    const docx = await sampleDocx();
    await form.locator('input[type="file"]').setInputFiles({ name: DOCX_NAME, mimeType: DOCX_TYPE, buffer: docx });
    // A slow uplink, so the bar is there long enough to be seen.
    const cdp = await owner.context().newCDPSession(owner);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 200, downloadThroughput: -1, uploadThroughput: 4 * 1024 });
    const uploadRequest = owner.waitForRequest((req) => req.url().endsWith('/knowledge/upload') && req.method() === 'POST');
    await form.getByRole('button', { name: 'Unggah' }).click();
    const progress = form.locator('[data-testid="upload-progress"]');
    await progress.waitFor();
    expect(await progress.textContent()).toMatch(/Mengunggah… \d+%/);
    expect((await uploadRequest).resourceType()).toBe('xhr');
    await form.locator('[data-testid="upload-done"]').waitFor({ timeout: 30_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(await progress.count()).toBe(0);
    // The form is empty again for the next file.
    expect(await form.locator('input[type="file"]').evaluate((input: HTMLInputElement) => input.files?.length ?? 0)).toBe(0);

    const stored = await KnowledgeSourceModel.findOne({ workspaceId: stack.seed.workspaceId, name: DOCX_NAME }).lean<KnowledgeSource>();
    expect(stored).toMatchObject({ kind: 'file', file: { originalName: DOCX_NAME, size: docx.length } });
    expect(stored!.chatbotIds.map(String)).toEqual([stack.seed.chatbotId]);
    docxSourceId = String(stored!._id);

    const row = rowOf(owner, docxSourceId);
    await row.waitFor();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('ready');
    expect(Number(await row.locator('[data-testid="knowledge-chunks"]').getAttribute('data-count'))).toBeGreaterThan(0);
    expect(await row.locator('[data-testid="knowledge-status"]').textContent()).toBe('Siap');
    expect(await sameDocument(owner)).toBe(true);
  });

  it("shows a run's progress as the worker reports it, live", async () => {
    // A source the test plays the worker for: the same database writes and events the activities make.
    const source = await KnowledgeSourceModel.create({
      workspaceId: stack.seed.workspaceId,
      chatbotIds: [stack.seed.chatbotId],
      kind: 'text',
      name: 'Katalog musim hujan',
      text: 'Payung batik tersedia.',
      status: 'queued',
    });
    const sourceId = String(source._id);
    const report = async (status: 'processing' | 'ready', done: number, total: number) => {
      await KnowledgeSourceModel.updateOne({ _id: source._id }, { $set: { status, progress: { done, total }, ...(status === 'ready' ? { chunkCount: 4 } : {}) } });
      await publishEvent({ workspaceId: stack.seed.workspaceId, type: 'knowledgeUpdated', data: { sourceId, status, progress: { done, total } } });
    };
    await owner.goto(`${stack.dashboardUrl}/knowledge`);
    await owner.locator('[data-testid="live-indicator"][data-status="live"]').waitFor();
    await markDocument(owner);
    const row = rowOf(owner, sourceId);
    expect(await row.getAttribute('data-status')).toBe('queued');

    await report('processing', 3, 10);
    const bar = row.locator('[data-testid="knowledge-progress"]');
    await bar.waitFor();
    expect(await bar.textContent()).toContain('Diproses 3/10');
    expect(await bar.locator('progress').evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([3, 10]);

    await report('processing', 9, 10);
    await expect.poll(() => bar.getAttribute('data-done')).toBe('9');
    await report('ready', 10, 10);
    await expect.poll(() => row.getAttribute('data-status')).toBe('ready');
    expect(await bar.count()).toBe(0);
    expect(await sameDocument(owner)).toBe(true);

    await KnowledgeSourceModel.deleteOne({ _id: source._id });
  });

  it("opens the source's page and its chunks", async () => {
    await owner.goto(`${stack.dashboardUrl}/knowledge`);
    await rowOf(owner, docxSourceId).locator('[data-testid="knowledge-name"]').click();
    await owner.waitForURL(new RegExp(`/knowledge/${docxSourceId}$`));
    const page = owner.locator('[data-testid="source-page"]');
    expect(await page.getAttribute('data-status')).toBe('ready');
    const facts = await owner.locator('[data-testid="source-facts"]').textContent();
    expect(facts).toContain(DOCX_NAME);

    const chunks = owner.locator('[data-testid="chunk"]');
    const stored = await KnowledgeChunkModel.countDocuments({ sourceId: docxSourceId });
    expect(stored).toBeGreaterThan(0);
    expect(await chunks.count()).toBe(Math.min(stored, 20));
    expect(await owner.locator('[data-testid="source-chunk-count"]').textContent()).toBe(String(stored));
    const priceChunk = chunks.filter({ hasText: SAMPLE_SHOP.products[0].name });
    expect(await priceChunk.count()).toBeGreaterThan(0);
    const meta = await priceChunk.first().locator('.chunk__meta').textContent();
    expect(meta).toMatch(/\d+ token/);
    expect(await priceChunk.first().locator('.chunk__text').textContent()).toContain('185.000');
  });

  it('re-links a source to its chatbots: the chunks follow without being made again', async () => {
    await owner.goto(`${stack.dashboardUrl}/knowledge/${docxSourceId}`);
    const chunkIds = (await KnowledgeChunkModel.find({ sourceId: docxSourceId }, { _id: 1 }).lean()).map((c) => String(c._id)).sort();
    const labels = async () => (await KnowledgeChunkModel.find({ sourceId: docxSourceId }).lean()).map((c) => c.chatbotIds.map(String).join(','));
    const form = owner.locator('[data-testid="relink-form"]');

    await form.locator(`input[name="chatbotIds"][value="${stack.seed.chatbotId}"]`).uncheck();
    await form.getByRole('button', { name: 'Simpan' }).click();
    await owner.locator('[data-testid="saved"]').waitFor();
    expect(await owner.locator('.channel-card__meta').textContent()).toBe(t('id', 'knowledge.usedByNone'));
    expect((await KnowledgeSourceModel.findById(docxSourceId).lean())?.chatbotIds).toEqual([]);
    await expect.poll(labels, { timeout: 30_000 }).toEqual(chunkIds.map(() => ''));

    await form.locator(`input[name="chatbotIds"][value="${stack.seed.chatbotId}"]`).check();
    await form.getByRole('button', { name: 'Simpan' }).click();
    await expect.poll(() => owner.locator('.channel-card__meta').textContent()).toBe('Dipakai oleh: Toko Kopi Sapa');
    await expect.poll(labels, { timeout: 30_000 }).toEqual(chunkIds.map(() => stack.seed.chatbotId));
    expect((await KnowledgeChunkModel.find({ sourceId: docxSourceId }, { _id: 1 }).lean()).map((c) => String(c._id)).sort()).toEqual(chunkIds);
    expect((await KnowledgeSourceModel.findById(docxSourceId).lean())?.status).toBe('ready');

    // A chatbot of another workspace cannot be linked.
    const csrf = await csrfOf(owner);
    const foreign = await owner.request.post(`${stack.dashboardUrl}/knowledge/${docxSourceId}`, { form: { csrf, intent: 'relink', chatbotIds: other.chatbotId }, maxRedirects: 0 });
    expect(foreign.status()).toBe(400);
    expect((await KnowledgeSourceModel.findById(docxSourceId).lean())?.chatbotIds.map(String)).toEqual([stack.seed.chatbotId]);
  });

  it('answers a question from the document in the playground, with the passages, scores and citation', async () => {
    await owner.locator('.app-nav').getByRole('link', { name: 'Chatbot' }).click();
    await owner.waitForURL(/\/chatbots$/);
    const item = owner.locator(`[data-testid="chatbot-item"][data-chatbot-id="${stack.seed.chatbotId}"]`);
    expect(await item.textContent()).toContain('Mode offline');
    await item.locator('[data-testid="chatbot-playground-link"]').click();
    await owner.waitForURL(new RegExp(`/chatbots/${stack.seed.chatbotId}/playground$`));

    const product = SAMPLE_SHOP.products[0];
    await owner.locator('textarea[name="question"]').fill(`Berapa harga ${product.name}?`);
    await owner.locator('[data-testid="playground-ask"]').click();
    const result = owner.locator('[data-testid="playground-result"]');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.getAttribute('data-kind')).toBe('answer');
    expect(await result.locator('[data-testid="playground-outcome"]').textContent()).toBe('Dijawab');
    expect(await result.locator('[data-testid="playground-answer"]').textContent()).toContain('185.000');
    expect(await result.locator('[data-testid="playground-provider"]').textContent()).toBe('offline');
    expect(await result.locator('[data-testid="playground-latency"]').textContent()).toMatch(/^\d+ ms$/);

    const fromDocx = result.locator('[data-testid="playground-passage"]', { hasText: DOCX_NAME });
    expect(await fromDocx.count()).toBeGreaterThan(0);
    const top = fromDocx.first();
    expect(Number(await top.getAttribute('data-score'))).toBeGreaterThan(0);
    const scores = await top.locator('[data-testid="playground-scores"]').textContent();
    expect(scores).toMatch(/Skor\s*0\.\d{3}/);
    expect(scores).toMatch(/Dense\s*-?\d\.\d{3}/);
    expect(scores).toMatch(/BM25\s*\d\.\d{3}/);
    // A document is cited by its name and the section the passage is in.
    const citations = await result.locator('[data-testid="playground-citation"]').allTextContents();
    expect(citations.some((c) => c.startsWith(DOCX_NAME)), citations.join(' | ')).toBe(true);

    // The transcript (this exchange so far) goes along with the next question, and shows above it.
    const carried = JSON.parse(await owner.locator('input[name="transcript"]').inputValue()) as Array<{ author: string; text: string }>;
    expect(carried.map((turn) => turn.author)).toEqual(['customer', 'bot']);
    expect(carried[0]!.text).toBe(`Berapa harga ${product.name}?`);
    expect(await owner.locator('textarea[name="question"]').inputValue()).toBe('');
    const surabaya = SAMPLE_SHOP.shipping.find((s) => s.city === 'Surabaya')!;
    await owner.locator('textarea[name="question"]').fill('Berapa ongkir ke Surabaya?');
    await owner.locator('[data-testid="playground-ask"]').click();
    const transcript = owner.locator('[data-testid="playground-transcript"] li');
    await expect.poll(() => transcript.count(), { timeout: 60_000 }).toBe(2);
    expect(await transcript.first().textContent()).toContain(product.name);
    expect(await result.getAttribute('data-kind')).toBe('answer');
    expect(await result.locator('#pg-result-title').textContent()).toContain('Surabaya');
    expect(await result.locator('[data-testid="playground-answer"]').textContent()).toContain(surabaya.cost.toLocaleString('id-ID'));
    expect(JSON.parse(await owner.locator('input[name="transcript"]').inputValue())).toHaveLength(4);
  });

  it('refuses a file over the limit in the page, at the upload endpoint and in a plain post, storing nothing', async () => {
    await owner.goto(`${stack.dashboardUrl}/knowledge`);
    const sourcesBefore = await KnowledgeSourceModel.countDocuments({ workspaceId: stack.seed.workspaceId });
    const filesBefore = await mediaFiles();
    const big = Buffer.alloc(UPLOAD_LIMIT * 3, 'Harga grosir batik. ');
    const uploads: string[] = [];
    owner.on('request', (req) => {
      if (req.url().includes('/knowledge/upload')) uploads.push(req.url());
    });

    const form = owner.locator('[data-testid="upload-form"]');
    await form.locator('input[type="file"]').setInputFiles({ name: 'katalog-besar.txt', mimeType: 'text/plain', buffer: big });
    await form.getByRole('button', { name: 'Unggah' }).click();
    const error = form.locator('[data-testid="upload-error"]');
    await error.waitFor();
    expect(await error.textContent()).toBe(t('id', 'knowledge.fileTooLarge', { max: '64 KB' }));
    expect(uploads).toEqual([]);

    // The server does not rely on the page: a script posting anyway gets a 413 from either route.
    const csrf = await csrfOf(owner);
    const multipart = (buffer: Buffer) => ({
      csrf,
      intent: 'upload',
      chatbotIds: stack.seed.chatbotId,
      file: { name: 'katalog-besar.txt', mimeType: 'text/plain', buffer },
    });
    const viaScript = await owner.request.post(`${stack.dashboardUrl}/knowledge/upload`, { multipart: multipart(big) });
    expect(viaScript.status()).toBe(413);
    expect(await viaScript.json()).toMatchObject({ ok: false, message: t('id', 'knowledge.fileTooLarge', { max: '64 KB' }) });
    // Just over the limit: the request fits the declared-size check, the file itself does not.
    const justOver = await owner.request.post(`${stack.dashboardUrl}/knowledge/upload`, { multipart: multipart(big.subarray(0, UPLOAD_LIMIT + 1)) });
    expect(justOver.status()).toBe(413);
    const plainPost = await owner.request.post(`${stack.dashboardUrl}/knowledge?index`, { multipart: multipart(big), maxRedirects: 0 });
    expect(plainPost.status()).toBe(413);
    expect(await plainPost.text()).toContain('Berkas terlalu besar: maksimal 64 KB.');

    expect(await KnowledgeSourceModel.countDocuments({ workspaceId: stack.seed.workspaceId })).toBe(sourcesBefore);
    expect(await mediaFiles()).toBe(filesBefore);
  });

  let failedSourceId: string;

  it('adds a URL that is not a web page and shows it failed, with the reason', async () => {
    await owner.goto(`${stack.dashboardUrl}/knowledge`);
    await owner.locator('[data-testid="add-tab-url"]').click();
    await owner.waitForURL(/tab=url/);
    await owner.locator('[data-testid="live-indicator"][data-status="live"]').waitFor();
    await markDocument(owner);
    const form = owner.locator('[data-testid="add-url-form"]');
    // Not http(s): refused at the edge.
    await form.locator('input[name="url"]').fill('ftp://127.0.0.1/logo.png');
    await form.getByRole('button', { name: 'Tambah halaman' }).click();
    await expect.poll(() => form.locator('.field:has([name="url"]) .field__error').textContent()).toBe(t('id', 'knowledge.urlInvalid'));

    const logoUrl = `${site.url}/logo.png`;
    await form.locator('input[name="url"]').fill(logoUrl);
    await form.getByRole('button', { name: 'Tambah halaman' }).click();
    await owner.locator('[data-testid="added"]').waitFor();
    const stored = await KnowledgeSourceModel.findOne({ workspaceId: stack.seed.workspaceId, kind: 'url' }).lean<KnowledgeSource>();
    expect(stored).toMatchObject({ url: logoUrl, name: `127.0.0.1:${new URL(site.url).port}/logo.png`, resync: 'off' });
    failedSourceId = String(stored!._id);

    const row = rowOf(owner, failedSourceId);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 60_000 }).toBe('failed');
    const reason = row.locator('[data-testid="knowledge-error"]');
    expect(await reason.getAttribute('data-code')).toBe('not_html');
    expect(await reason.locator('.kfailure__reason').textContent()).toBe(t('id', 'knowledge.error.not_html'));
    expect(await reason.locator('.kfailure__raw').textContent()).toContain('image/png');
    expect(site.requestCount('/logo.png')).toBeGreaterThan(0);
    expect(await sameDocument(owner)).toBe(true);

    // A web page can be re-read on a schedule: a Temporal Schedule per source.
    await owner.goto(`${stack.dashboardUrl}/knowledge/${failedSourceId}`);
    const resync = owner.locator('[data-testid="resync-form"]');
    await resync.locator('select[name="resync"]').selectOption('weekly');
    await resync.getByRole('button', { name: 'Simpan' }).click();
    await owner.locator('[data-testid="saved"]').waitFor();
    expect((await KnowledgeSourceModel.findById(failedSourceId).lean())?.resync).toBe('weekly');
    const schedule = await stack.temporal.schedule.getHandle(`knowledge-resync/${failedSourceId}`).describe();
    expect(schedule.spec.intervals?.[0]?.every).toBe(7 * 24 * 60 * 60 * 1000);
  });

  it('deletes a source: it leaves the list live, and everything of it is removed', async () => {
    await owner.goto(`${stack.dashboardUrl}/knowledge/${failedSourceId}`);
    await owner.locator('[data-testid="delete-source"]').click();
    await owner.locator('[data-testid="delete-source-confirm"]').click();
    await owner.waitForURL(/\/knowledge$/);
    await owner.locator('[data-testid="live-indicator"][data-status="live"]').waitFor();
    await expect.poll(() => rowOf(owner, failedSourceId).count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => KnowledgeSourceModel.countDocuments({ _id: failedSourceId }), { timeout: 30_000 }).toBe(0);
    expect(await rowOf(owner, docxSourceId).count()).toBe(1);
    // Its page is gone too.
    const gone = await owner.goto(`${stack.dashboardUrl}/knowledge/${failedSourceId}`);
    expect(gone?.status()).toBe(404);
    // Its re-sync schedule went with it.
    await expect(stack.temporal.schedule.getHandle(`knowledge-resync/${failedSourceId}`).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  }, 120_000);

  it("answers 404 for another workspace's source and chatbot, and for ids that are not ids", async () => {
    for (const url of [`/knowledge/${other.sourceId}`, '/knowledge/bukan-id', `/chatbots/${other.chatbotId}/settings`, `/chatbots/${other.chatbotId}/playground`]) {
      const response = await owner.goto(`${stack.dashboardUrl}${url}`);
      expect(response?.status(), url).toBe(404);
      expect(await owner.locator('[data-testid="error"]').getAttribute('data-status')).toBe('404');
      expect(await owner.content()).not.toContain('Rahasia Toko Sebelah');
    }
    const csrf = await csrfOf(owner);
    const reprocess = await owner.request.post(`${stack.dashboardUrl}/knowledge/${other.sourceId}`, { form: { csrf, intent: 'delete' }, maxRedirects: 0 });
    expect(reprocess.status()).toBe(404);
    expect((await KnowledgeSourceModel.findById(other.sourceId).lean())?.status).toBe('queued');
  });

  it('lets an agent look at the knowledge but not change it or configure chatbots', async () => {
    const page = await newPage();
    await logIn(page, agentEmail, agentPassword);
    await page.goto(`${stack.dashboardUrl}/knowledge`);
    expect(await page.locator('[data-testid="admin-only-note"]').count()).toBe(1);
    expect(await page.locator('[data-testid="upload-form"]').count()).toBe(0);
    expect(await rowOf(page, docxSourceId).count()).toBe(1);
    await page.goto(`${stack.dashboardUrl}/knowledge/${docxSourceId}`);
    expect(await page.locator('[data-testid="chunk"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="delete-source"]').count()).toBe(0);

    const csrf = await csrfOf(page);
    const add = await page.request.post(`${stack.dashboardUrl}/knowledge?index`, { form: { csrf, intent: 'addText', name: 'Penyusup', text: 'x', chatbotIds: stack.seed.chatbotId } });
    expect(add.status()).toBe(403);
    const upload = await page.request.post(`${stack.dashboardUrl}/knowledge/upload`, {
      multipart: { csrf, intent: 'upload', chatbotIds: stack.seed.chatbotId, file: { name: 'x.txt', mimeType: 'text/plain', buffer: Buffer.from('x') } },
    });
    expect(upload.status()).toBe(403);
    expect((await upload.json()).message).toBe(t('id', 'error.knowledgeAdminOnly'));
    const remove = await page.request.post(`${stack.dashboardUrl}/knowledge/${docxSourceId}`, { form: { csrf, intent: 'delete' } });
    expect(remove.status()).toBe(403);
    expect((await page.goto(`${stack.dashboardUrl}/chatbots/${stack.seed.chatbotId}/settings`))?.status()).toBe(403);
    expect(await KnowledgeSourceModel.countDocuments({ name: 'Penyusup' })).toBe(0);
    expect((await KnowledgeSourceModel.findById(docxSourceId).lean())?.status).toBe('ready');
  });

  it('adds typed text without JavaScript', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    const scriptRequests: string[] = [];
    page.on('request', (req) => {
      if (SCRIPT_REQUEST_TYPES.has(req.resourceType())) scriptRequests.push(`${req.resourceType()} ${req.url()}`);
    });
    const submitAndLoad = async (button: Locator) => {
      const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout: 30_000 });
      await button.click();
      await navigated;
      await page.waitForLoadState('load');
    };
    await page.goto(`${stack.dashboardUrl}/login`);
    await page.locator('input[name="email"]').fill(stack.seed.ownerEmail);
    await page.locator('input[name="password"]').fill(stack.seed.ownerPassword);
    await submitAndLoad(page.locator('form:has(input[name="password"]) button[type="submit"]'));

    await page.goto(`${stack.dashboardUrl}/knowledge`);
    await submitAndLoad(page.locator('[data-testid="add-tab-text"]'));
    const form = page.locator('[data-testid="add-text-form"]');
    // Refused first (no text), then accepted with the name kept.
    await form.locator('input[name="name"]').fill('Jam buka Lebaran');
    // Blanks pass the browser's `required`; the server trims them away.
    await form.locator('textarea[name="text"]').fill('   ');
    await submitAndLoad(form.getByRole('button', { name: 'Tambah teks' }));
    expect(await form.locator('.field:has([name="text"]) .field__error').textContent()).toBe(t('id', 'knowledge.textRequired'));
    expect(await form.locator('input[name="name"]').inputValue()).toBe('Jam buka Lebaran');

    await form.locator('textarea[name="text"]').fill('Selama Lebaran toko tutup tanggal 30 Maret sampai 3 April.');
    await submitAndLoad(form.getByRole('button', { name: 'Tambah teks' }));
    expect(new URL(page.url()).pathname).toBe('/knowledge');
    expect(await page.locator('[data-testid="added"]').textContent()).toContain('Jam buka Lebaran');
    const row = rowNamed(page, 'Jam buka Lebaran');
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-kind')).toBe('text');
    const stored = await KnowledgeSourceModel.findOne({ workspaceId: stack.seed.workspaceId, name: 'Jam buka Lebaran' }).lean<KnowledgeSource>();
    expect(stored?.text).toBe('Selama Lebaran toko tutup tanggal 30 Maret sampai 3 April.');
    expect(stored?.chatbotIds.map(String)).toEqual([stack.seed.chatbotId]);
    expect(scriptRequests).toEqual([]);
  });

  it('saves the AI settings the shared schemas accept and offers to reprocess after a chunking change', async () => {
    await owner.goto(`${stack.dashboardUrl}/chatbots/${stack.seed.chatbotId}/settings`);
    const form = owner.locator('[data-testid="settings-form"]');
    expect(await owner.locator('[data-testid="offline-note"]').textContent()).toContain('bot mengutip dokumen Anda apa adanya, tanpa AI');
    // The template's text follows the select.
    await form.locator('select[name="promptTemplate"]').selectOption('restoran');
    expect(await owner.locator('[data-testid="template-text"]').textContent()).toContain('restaurant or café');

    await form.locator('input[name="temperature"]').fill('5');
    await form.locator('input[name="chunkTokens"]').fill('200');
    await form.locator('input[name="chunkOverlap"]').fill('20');
    await form.locator('textarea[name="systemPrompt"]').fill('Sapa pelanggan dengan "Kak".');
    // The browser would refuse 5 itself; the server's answer is what is under test.
    await form.locator('input[name="temperature"]').evaluate((el: HTMLInputElement) => el.removeAttribute('max'));
    await form.locator('[data-testid="save-settings"]').click();
    await expect.poll(() => form.locator('.field:has([name="temperature"]) .field__error').textContent()).toBe(t('id', 'chatbot.error.temperature'));
    expect(await form.locator('input[name="chunkTokens"]').inputValue()).toBe('200');
    expect((await ChatbotModel.findById(stack.seed.chatbotId).lean())?.retrieval).toBeFalsy();

    await form.locator('input[name="temperature"]').fill('0.4');
    await form.locator('[data-testid="save-settings"]').click();
    await owner.locator('[data-testid="saved"]').waitFor();
    const chatbot = await ChatbotModel.findById(stack.seed.chatbotId).lean();
    expect(chatbot?.ai).toMatchObject({ provider: 'offline', temperature: 0.4, promptTemplate: 'restoran', systemPrompt: 'Sapa pelanggan dengan "Kak".', fallback: null });
    expect(chatbot?.retrieval).toMatchObject({ chunkTokens: 200, chunkOverlap: 20, topK: 5, embeddingProvider: 'local' });
    // What the worker reads back is what was saved (nothing falls back to the defaults).
    const read = readAiSettings(chatbot!);
    expect(read.ai).toMatchObject({ temperature: 0.4, promptTemplate: 'restoran', model: 'sapa-offline' });
    expect(read.retrieval).toMatchObject({ chunkTokens: 200, chunkOverlap: 20 });
    expect(chatbot?.ai).not.toHaveProperty('baseUrl');
    expect(chatbot?.retrieval).not.toHaveProperty('embeddingBaseUrl');

    const reprocess = owner.locator('[data-testid="reprocess-all"]');
    expect(await reprocess.textContent()).toContain(t('id', 'chatbot.reprocessNeeded'));
    const sources = await KnowledgeSourceModel.countDocuments({ workspaceId: stack.seed.workspaceId, chatbotIds: stack.seed.chatbotId });
    await reprocess.getByRole('button').click();
    await owner.locator('[data-testid="reprocessed"]').waitFor();
    expect(await owner.locator('[data-testid="reprocessed"]').textContent()).toBe(t('id', 'chatbot.reprocessStarted', { count: sources }));
    // The document is cut again with the new chunk size: its page counts as changed.
    await expect
      .poll(async () => (await KnowledgeSourceModel.findById(docxSourceId).lean())?.status, { timeout: 60_000 })
      .toBe('ready');
    const reprocessed = await KnowledgeSourceModel.findById(docxSourceId).lean<KnowledgeSource>();
    expect(reprocessed?.lastSync).toMatchObject({ changed: 1, added: 0 });
  });
});
