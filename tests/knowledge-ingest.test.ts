/**
 * Knowledge ingestion through the real worker, Temporal and database: every file type, the
 * reasons a file fails, a website crawled by its sitemap and re-synced (changed, unchanged,
 * removed, added pages), re-linking to another chatbot, and delete leaving no chunk, page, vector
 * or file behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { ScheduleNotFoundError } from '@temporalio/client';
import { ChatbotModel, KnowledgeSourceModel, applyResyncSchedule, resyncScheduleId } from '@sapa/shared';
import {
  TestStack,
  addKnowledgeSource,
  encryptedPdf,
  runKnowledge,
  sampleCsv,
  sampleDocx,
  sampleHtml,
  sampleMarkdown,
  samplePdf,
  sampleText,
  scannedPagePng,
  scannedPdf,
  sourceContents,
  waitUntil,
} from '@sapa/testkit';
import { startFakeSite, type FakeSite } from '@sapa/testkit/fakes';

describe('knowledge ingestion', () => {
  let stack: TestStack;
  let site: FakeSite;

  beforeAll(async () => {
    site = await startFakeSite();
    stack = await TestStack.start({ gateway: 'none' });
  });

  afterAll(async () => {
    await stack?.stop();
    await site?.close();
  });

  it('ingests PDF, DOCX, TXT, Markdown, CSV and HTML files, typed text and Q&A pairs, each chunk with a vector', async () => {
    const files: Array<[string, Buffer | string]> = [
      ['katalog.pdf', await samplePdf()],
      ['panduan.docx', await sampleDocx()],
      ['kebijakan.txt', sampleText()],
      ['faq.md', sampleMarkdown()],
      ['harga.csv', sampleCsv()],
      ['pengiriman.html', sampleHtml()],
    ];
    for (const [name, bytes] of files) {
      const source = await addKnowledgeSource(stack, { kind: 'file', name, bytes });
      expect(source.status, `${name}: ${source.error}`).toBe('ready');
      expect(source.file?.format, name).toBe(path.extname(name).slice(1));
      const { chunks, withVectors, pages } = await sourceContents(String(source._id));
      expect(chunks.length, name).toBeGreaterThan(0);
      expect(source.chunkCount).toBe(chunks.length);
      expect(withVectors).toBe(chunks.length);
      expect(pages).toHaveLength(1);
      expect(chunks.every((c) => c.title === name && c.tokens > 0 && c.chatbotIds.map(String).includes(stack.seed.chatbotId))).toBe(true);
    }
    const pdf = await KnowledgeSourceModel.findOne({ name: 'katalog.pdf' }).lean();
    const pdfChunks = (await sourceContents(String(pdf!._id))).chunks;
    expect(pdfChunks.some((c) => typeof c.page === 'number' && c.page >= 1)).toBe(true);

    const text = await addKnowledgeSource(stack, { kind: 'text', name: 'Catatan', text: '# Parkir\nParkir gratis di depan toko.' });
    expect(text.status).toBe('ready');
    const faq = await addKnowledgeSource(stack, {
      kind: 'faq',
      name: 'Tanya jawab',
      faq: [
        { question: 'Apakah bisa kirim ke luar negeri?', answer: 'Belum, kami hanya kirim ke seluruh Indonesia.' },
        { question: 'Ada garansi?', answer: 'Garansi jahitan 30 hari.' },
      ],
    });
    const faqChunks = (await sourceContents(String(faq._id))).chunks;
    expect(faqChunks.map((c) => c.heading)).toEqual(['Apakah bisa kirim ke luar negeri?', 'Ada garansi?']);
  });

  it('fails encrypted, scanned, empty, disguised and oversized files with the reason, storing nothing', async () => {
    const cases: Array<[string, Buffer | string, string]> = [
      ['rahasia.pdf', await encryptedPdf(), 'encrypted'],
      ['scan.pdf', await scannedPdf(), 'no_text'],
      ['kosong.txt', '   \n\n  ', 'empty'],
      ['foto.pdf', scannedPagePng(), 'unsupported_type'],
    ];
    for (const [name, bytes, code] of cases) {
      const source = await addKnowledgeSource(stack, { kind: 'file', name, bytes });
      expect(source.status, name).toBe('failed');
      expect(source.errorCode, name).toBe(code);
      expect(source.error.length, name).toBeGreaterThan(0);
      expect((await sourceContents(String(source._id))).chunks, name).toHaveLength(0);
    }
  });

  it('crawls a site by its sitemap, then re-syncs: changed pages re-embedded, unchanged kept, removed pages lose their chunks', async () => {
    const source = await addKnowledgeSource(stack, { kind: 'sitemap', name: 'Situs Kopi Nusantara', url: `${site.url}/` });
    expect(source.status, source.error).toBe('ready');
    const before = await sourceContents(String(source._id));
    const listed = site.sitemapPaths().length;
    expect(before.pages.length).toBeGreaterThan(2);
    expect(before.pages.length).toBeLessThanOrEqual(listed);
    // robots.txt disallows one listed page: it was never fetched.
    expect(site.requests.some((p) => p.startsWith('/internal/'))).toBe(false);
    expect(before.chunks.every((c) => c.url?.startsWith(site.url))).toBe(true);

    const [changedPath, removedPath, ...rest] = site.sitemapPaths().filter((p) => !p.startsWith('/internal/') && p !== '/');
    expect(rest.length).toBeGreaterThan(0);
    site.setPage(changedPath!, { title: 'Menu baru', body: '<h1>Menu baru</h1><p>Es kopi pandan sekarang Rp27.000 per gelas.</p>' });
    site.removePage(removedPath!);
    site.setPage('/lokasi-baru', { title: 'Cabang baru', body: '<h1>Cabang Bandung</h1><p>Cabang baru kami di Jl. Braga No. 8, Bandung.</p>' });
    const unchangedUrl = `${site.url}${rest[0]}`;
    const unchangedBefore = before.chunks.filter((c) => c.url === unchangedUrl).map((c) => c.createdAt.getTime());
    expect(unchangedBefore.length).toBeGreaterThan(0);

    const resynced = await runKnowledge(stack, String(source._id), 'resync');
    expect(resynced?.status, resynced?.error).toBe('ready');
    expect(resynced?.lastSync).toMatchObject({ added: 1, changed: 1, removed: 1 });
    expect(resynced?.lastSync?.unchanged).toBe(before.pages.length - 2);
    const after = await sourceContents(String(source._id));
    expect(after.chunks.some((c) => c.url === `${site.url}${removedPath}`)).toBe(false);
    expect(after.chunks.some((c) => c.text.includes('Rp27.000'))).toBe(true);
    expect(after.chunks.some((c) => c.text.includes('Jl. Braga'))).toBe(true);
    // Not re-embedded: the unchanged page's chunks are the same documents as before.
    expect(after.chunks.filter((c) => c.url === unchangedUrl).map((c) => c.createdAt.getTime())).toEqual(unchangedBefore);
    expect(after.withVectors).toBe(after.chunks.length);
  });

  it('re-syncs a website on its Temporal Schedule (daily/weekly), and stops when set to off', async () => {
    const source = await addKnowledgeSource(stack, { kind: 'url', name: 'Jam buka', url: `${site.url}/jam-buka` });
    expect(source.status, source.error).toBe('ready');
    const ref = { sourceId: String(source._id), workspaceId: stack.seed.workspaceId };
    await applyResyncSchedule(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, { ...ref, resync: 'daily' });
    const handle = stack.temporal.schedule.getHandle(resyncScheduleId(ref.sourceId));
    const daily = await handle.describe();
    expect(daily.spec.intervals?.[0]?.every).toBe(24 * 60 * 60 * 1000);
    expect(daily.action).toMatchObject({ type: 'startWorkflow', workflowType: 'knowledgeIngestWorkflow' });

    await applyResyncSchedule(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, { ...ref, resync: 'weekly' });
    expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(7 * 24 * 60 * 60 * 1000);

    // What the schedule starts is a real re-sync of the page.
    site.setPage('/jam-buka', { title: 'Jam buka', body: '<h1>Jam buka</h1><p>Mulai bulan ini buka setiap hari 06.00–23.00 WIB.</p>' });
    const before = source.lastSyncedAt!.getTime();
    await handle.trigger();
    const resynced = await waitUntil(async () => {
      const s = await KnowledgeSourceModel.findById(source._id).lean();
      return s?.status === 'ready' && s.lastSyncedAt!.getTime() > before ? s : null;
    }, 'scheduled re-sync', 30_000);
    expect(resynced.lastSync).toMatchObject({ changed: 1 });
    expect((await sourceContents(ref.sourceId)).chunks.some((c) => c.text.includes('06.00–23.00'))).toBe(true);

    await applyResyncSchedule(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, { ...ref, resync: 'off' });
    await expect(handle.describe()).rejects.toThrow(ScheduleNotFoundError);
    // Turning it off twice is fine.
    await applyResyncSchedule(stack.temporal, stack.config.TEMPORAL_TASK_QUEUE, { ...ref, resync: 'off' });
  });

  it('relabels a source for another chatbot, and delete leaves no chunk, page, vector or file', async () => {
    const second = await ChatbotModel.create({ workspaceId: stack.seed.workspaceId, name: 'Bot kedua', publicId: `b${Date.now()}` });
    const source = await addKnowledgeSource(stack, { kind: 'file', name: 'harga-grosir.csv', bytes: sampleCsv({ delimiter: ';' }) });
    expect(source.status, source.error).toBe('ready');
    await KnowledgeSourceModel.updateOne({ _id: source._id }, { $set: { chatbotIds: [second._id] } });
    await runKnowledge(stack, String(source._id), 'relink');
    const relinked = await sourceContents(String(source._id));
    expect(relinked.chunks.every((c) => c.chatbotIds.map(String).join() === String(second._id))).toBe(true);

    const file = path.join(stack.config.mediaDir, ...source.file!.mediaKey!.split('/'));
    expect(existsSync(file)).toBe(true);
    await KnowledgeSourceModel.updateOne({ _id: source._id }, { $set: { status: 'deleting' } });
    await runKnowledge(stack, String(source._id), 'delete');
    const gone = await sourceContents(String(source._id));
    expect(gone.chunks).toHaveLength(0);
    expect(gone.pages).toHaveLength(0);
    expect(await KnowledgeSourceModel.exists({ _id: source._id })).toBeNull();
    expect(existsSync(file)).toBe(false);
    // Other sources are untouched.
    expect(await KnowledgeSourceModel.countDocuments({ workspaceId: new mongoose.Types.ObjectId(stack.seed.workspaceId), status: 'ready' })).toBeGreaterThan(3);
  });
});
