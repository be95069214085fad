/**
 * The offline answerer (the embedded default: no provider, no key) end to end through the real
 * engine, on the demo knowledge indexed in memory: extract → chunk → local embedding → hybrid
 * retrieval → quoted passages. It must answer informal and English questions, quote the knowledge
 * exactly as written, and say it does not know rather than stretch a shared word into an answer.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_KNOWLEDGE_ID } from '@sapa/shared/demo';
import { DEFAULT_AI_SETTINGS, DEFAULT_RETRIEVAL_SETTINGS, loadConfig, t, type Locale } from '@sapa/shared';
import { answerQuestion, type EngineAnswer } from '../src/ai/answer';
import { detectLanguage } from '../src/answerer';
import { extractDocument } from '../src/rag/extract';
import { chunkInputs, inMemoryRag } from '../src/rag/in-memory';
import { WorkspaceIndex } from '../src/rag/knowledge-index';

const BOT = 'demo-bot';
const document = await extractDocument(Buffer.from(DEMO_KNOWLEDGE_ID), { name: 'info.md', maxBytes: 1 << 20 });
const rag = inMemoryRag(new WorkspaceIndex(chunkInputs([{ sourceId: 'demo', title: 'Info toko', chatbotIds: [BOT], document }])));
const deps = {
  config: loadConfig({} as NodeJS.ProcessEnv),
  rag,
  router: { providerFor: () => { throw new Error('the offline answerer calls no provider'); } },
};

async function ask(question: string, locale?: Locale, chatbotId = BOT): Promise<EngineAnswer & { language: Locale }> {
  const language = detectLanguage(question, locale);
  const answer = await answerQuestion(deps, {
    workspaceId: 'w',
    chatbotId,
    businessName: 'Toko Kopi Sapa',
    ai: DEFAULT_AI_SETTINGS,
    retrieval: DEFAULT_RETRIEVAL_SETTINGS,
    question,
    history: [],
    language,
  });
  return { ...answer, language };
}

async function expectAnswer(question: string, section: string, contains: string) {
  const answer = await ask(question);
  expect(answer.kind, question).toBe('answer');
  if (answer.kind !== 'answer') throw new Error(question);
  expect(answer.citations[0]!.title, question).toBe(`Info toko — ${section}`);
  expect(answer.text, question).toContain(contains);
  return answer;
}

describe('offline answers on the demo knowledge', () => {
  it('answers the opening hours, quoting the passage under the intro and citing its section', async () => {
    const answer = await expectAnswer('Halo, jam berapa toko buka?', 'Jam buka', '08.00');
    expect(answer.text.startsWith(t('id', 'bot.answerIntro'))).toBe(true);
    expect(answer.usage).toMatchObject({ provider: 'offline', model: 'sapa-offline', inputTokens: 0, outputTokens: 0 });
  });

  it('understands informal spellings and code-mixing', async () => {
    await expectAnswer('brp harga cappuccino?', 'Harga', '22.000');
    await expectAnswer('ongkirnya gmn?', 'Pengiriman', 'Ongkir dihitung saat checkout');
    await expectAnswer('bisa retur gak kalau rusak', 'Retur', 'ditukar dalam 7 hari');
    await expectAnswer('bisa bayar pakai QRIS?', 'Pembayaran', 'QRIS');
    await expectAnswer('tokonya di mana kak?', 'Alamat', 'Jl. Kemang Raya No. 10');
    await expectAnswer('ongkir ke bandung berapa?', 'Pengiriman', 'Ongkir');
  });

  it('answers an English question with the English intro and the passage as written', async () => {
    const answer = await expectAnswer('What are your opening hours?', 'Jam buka', 'Senin–Sabtu pukul 08.00–21.00 WIB');
    expect(answer.language).toBe('en');
    expect(answer.text.startsWith(t('en', 'bot.answerIntro'))).toBe(true);
    await expectAnswer('How much is a cappuccino?', 'Harga', 'Rp22.000');
  });

  it('does not know what the knowledge does not cover, even when the question shares a word with it', async () => {
    for (const question of ['siapa presiden pertama indonesia?', 'what is quantum physics', 'berapa harga sepatu?', 'apakah kalian jual sepatu?']) {
      expect((await ask(question)).kind, question).toBe('no_answer');
    }
  });

  it('never invents: the reply is the intro plus one or two passages exactly as written', async () => {
    for (const question of ['jam berapa buka?', 'brp harga cappuccino?', 'ongkirnya gmn?', 'Can I pay by bank transfer?', 'bisa kirim hari ini?']) {
      const answer = await ask(question);
      if (answer.kind !== 'answer') throw new Error(`no answer for ${question}`);
      const body = answer.text.split('\n\n').slice(1);
      expect(answer.text.split('\n\n')[0]).toBe(t(answer.language, 'bot.answerIntro'));
      expect(body.length, question).toBeGreaterThanOrEqual(1);
      expect(body.length, question).toBeLessThanOrEqual(2);
      for (const quoted of body) expect(answer.passages.map((p) => p.text)).toContain(quoted);
      for (const quoted of body) for (const line of quoted.split('\n')) expect(DEMO_KNOWLEDGE_ID).toContain(line);
    }
  });

  it('answers each question of a batch of lines, and a question typed across lines', async () => {
    const batch = await ask('Halo kak\njam berapa buka?\nongkir ke bandung berapa?');
    if (batch.kind !== 'answer') throw new Error('no answer');
    expect(batch.citations.map((c) => c.title).sort()).toEqual(['Info toko — Jam buka', 'Info toko — Pengiriman']);
    await expectAnswer('mau tanya\nyang cappuccino\nberapa ya', 'Harga', '22.000');
  });

  it("knows nothing for a chatbot the knowledge does not serve, and is deterministic", async () => {
    expect((await ask('jam berapa buka?', undefined, 'another-bot')).kind).toBe('no_answer');
    for (const question of ['Halo, jam berapa toko buka?', 'bisa kirim hari ini?', 'siapa presiden pertama indonesia?']) {
      const [a, b] = [await ask(question), await ask(question)];
      expect({ ...a, usage: null }).toEqual({ ...b, usage: null });
    }
  });
});
