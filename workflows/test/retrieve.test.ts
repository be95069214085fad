/**
 * Hybrid retrieval over an in-memory workspace index (the same code the worker runs, without the
 * database): chatbot isolation, the threshold, top-k, near-duplicates, informal spellings, and
 * citations' fields.
 */
import { describe, expect, it } from 'vitest';
import { WorkspaceIndex, type ChunkInput } from '../src/rag/knowledge-index';
import { DEFAULT_RETRIEVAL_SETTINGS } from '@sapa/shared';
import { embedLocal } from '../src/rag/embed/local';
import { inMemoryRag } from '../src/rag/in-memory';
import { retrieve } from '../src/rag/retrieve';

function chunk(id: string, fields: Partial<ChunkInput> & { text: string }): ChunkInput {
  const c = { id, sourceId: 's1', chatbotIds: ['bot-a'], heading: '', title: 'Info toko', ...fields };
  return { ...c, vector: embedLocal([c.title, c.heading, c.text].filter(Boolean).join('\n')) };
}

const FOOTER = 'Hubungi kami di WhatsApp 0812-3456-7890 setiap hari kerja. Ikuti Instagram kami untuk promo terbaru.';

const chunks = [
  chunk('s1:a:0', { heading: 'Ongkos kirim', text: 'Ongkir ke Bandung Rp18.000 dan ke Surabaya Rp22.000, estimasi 2–3 hari.', page: 2 }),
  chunk('s1:a:1', { heading: 'Pembayaran', text: 'Pembayaran lewat QRIS, transfer BCA, atau COD khusus Jakarta.' }),
  chunk('s1:a:2', { heading: 'Jam buka', text: 'Toko buka Senin–Sabtu pukul 08.00–21.00 WIB, Minggu tutup.' }),
  chunk('s2:p1:0', { sourceId: 's2', title: 'Kontak', url: 'https://toko.test/kontak', text: FOOTER }),
  chunk('s2:p2:0', { sourceId: 's2', title: 'Kontak lagi', url: 'https://toko.test/tentang', text: `${FOOTER} ` }),
  chunk('s3:x:0', { sourceId: 's3', chatbotIds: ['bot-b'], heading: 'Voucher', text: 'Kode voucher karyawan: GRATIS99, berlaku untuk ongkir.' }),
];

const rag = inMemoryRag(new WorkspaceIndex(chunks));
const deps = { indexes: rag.indexes, store: rag.store, embedder: rag.embedderFor(DEFAULT_RETRIEVAL_SETTINGS) };
const ask = (query: string, chatbotId = 'bot-a', settings = { topK: 5, minScore: 0.3 }) =>
  retrieve(deps, { workspaceId: 'w', chatbotId, query, settings });

describe('hybrid retrieval', () => {
  it('finds the passage for informal, abbreviated questions and carries what a citation needs', async () => {
    const [best] = await ask('brp ongkir ke bandung kak?');
    expect(best).toMatchObject({ chunkId: 's1:a:0', heading: 'Ongkos kirim', title: 'Info toko', page: 2, sourceId: 's1' });
    expect(best!.score).toBeGreaterThan(0.3);
    expect(best!.dense).toBeGreaterThan(0);
    expect(best!.lexical).toBeGreaterThan(0);
    expect((await ask('bs bayar pake cod gak?'))[0]!.chunkId).toBe('s1:a:1');
    expect((await ask('tokonya buka jam brp ya'))[0]!.chunkId).toBe('s1:a:2');
  });

  it("never returns another chatbot's passages", async () => {
    const forA = await ask('kode voucher karyawan untuk ongkir', 'bot-a');
    expect(forA.map((p) => p.chunkId)).not.toContain('s3:x:0');
    const forB = await ask('kode voucher karyawan untuk ongkir', 'bot-b');
    expect(forB.map((p) => p.chunkId)).toEqual(['s3:x:0']);
  });

  it('returns nothing below the threshold: the knowledge does not cover the question', async () => {
    expect(await ask('siapa presiden pertama indonesia?')).toEqual([]);
    expect(await ask('resep rendang padang')).toEqual([]);
    // With no threshold something always comes back, ranked.
    expect((await ask('resep rendang padang', 'bot-a', { topK: 5, minScore: 0 })).length).toBeGreaterThan(0);
  });

  it('keeps one of near-identical passages, respects top-k, and searches each question of a batch', async () => {
    const contact = await ask('nomor whatsapp untuk hubungi toko?');
    expect(contact.filter((p) => p.sourceId === 's2')).toHaveLength(1);
    expect(await ask('ongkir bandung', 'bot-a', { topK: 1, minScore: 0 })).toHaveLength(1);
    const both = (await ask('jam buka?\nongkir ke surabaya berapa?')).map((p) => p.chunkId);
    expect(both).toEqual(expect.arrayContaining(['s1:a:2', 's1:a:0']));
  });
});
