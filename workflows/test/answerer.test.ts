import { describe, expect, it } from 'vitest';
import { t } from '@sapa/shared/i18n';
import {
  answerOffline,
  createKnowledgeIndex,
  detectAcceptance,
  detectCourtesy,
  detectHumanRequest,
  detectLanguage,
  searchKnowledge,
  splitKnowledge,
  stemIndonesian,
  tokenize,
} from '../src/answerer';
import { DEMO_KNOWLEDGE_ID } from '@sapa/shared/demo';

const ask = (question: string, locale?: 'id' | 'en') => answerOffline({ knowledgeText: DEMO_KNOWLEDGE_ID, question, locale });

function expectAnswer(question: string, heading: string, contains: string) {
  const answer = ask(question);
  expect(answer.kind, question).toBe('answer');
  if (answer.kind !== 'answer') return answer;
  expect(answer.citations.map((c) => c.title)[0]).toBe(heading);
  expect(answer.text).toContain(contains);
  return answer;
}

describe('offline answerer on the demo knowledge', () => {
  it('answers the opening hours, quoting the passage and citing its heading', () => {
    const answer = expectAnswer('Halo, jam berapa toko buka?', 'Jam buka', '08.00');
    expect(answer.text.startsWith(t('id', 'bot.answerIntro'))).toBe(true);
    expect(answer.language).toBe('id');
  });

  it('understands informal spellings and code-mixing', () => {
    expectAnswer('brp harga cappuccino?', 'Harga', '22.000');
    expectAnswer('ongkirnya gmn?', 'Pengiriman', 'Ongkir dihitung saat checkout');
    expectAnswer('bisa retur gak kalau rusak', 'Retur', 'ditukar dalam 7 hari');
    expectAnswer('bisa bayar pakai QRIS?', 'Pembayaran', 'QRIS');
    expectAnswer('tokonya di mana kak?', 'Alamat', 'Jl. Kemang Raya No. 10');
    expectAnswer('ongkir ke bandung berapa?', 'Pengiriman', 'Ongkir');
  });

  it('answers an English question with the English intro and the passage as written', () => {
    const answer = expectAnswer('What are your opening hours?', 'Jam buka', 'Senin–Sabtu pukul 08.00–21.00 WIB');
    expect(answer.language).toBe('en');
    expect(answer.text.startsWith(t('en', 'bot.answerIntro'))).toBe(true);
    expectAnswer('How much is a cappuccino?', 'Harga', 'Rp22.000');
    expectAnswer('Where is your shop?', 'Alamat', 'Kemang');
  });

  it('says it does not know, and offers a human, when the knowledge does not cover the question', () => {
    const answer = ask('siapa presiden pertama indonesia?');
    expect(answer).toEqual({ kind: 'no_answer', text: t('id', 'bot.noAnswer'), language: 'id' });
    expect(answer.text).toContain('CS');
    expect(ask('what is quantum physics').kind).toBe('no_answer');
    expect(ask('what is quantum physics').text).toBe(t('en', 'bot.noAnswer'));
    // A shared word is not an answer: the coffee price list says nothing about shoes.
    expect(ask('berapa harga sepatu?').kind).toBe('no_answer');
    expect(ask('apakah kalian jual sepatu?').kind).toBe('no_answer');
  });

  it('never invents: the reply is the intro plus passages exactly as written in the knowledge', () => {
    const questions = ['jam berapa buka?', 'brp harga cappuccino?', 'ongkirnya gmn?', 'Can I pay by bank transfer?', 'bisa kirim hari ini?'];
    for (const question of questions) {
      const answer = ask(question);
      if (answer.kind !== 'answer') throw new Error(`no answer for ${question}`);
      expect(answer.passages.length).toBeGreaterThanOrEqual(1);
      expect(answer.passages.length).toBeLessThanOrEqual(2);
      expect(answer.text).toBe([t(answer.language, 'bot.answerIntro'), ...answer.passages.map((p) => p.text)].join('\n\n'));
      for (const passage of answer.passages) expect(DEMO_KNOWLEDGE_ID).toContain(passage.text);
      expect(answer.citations).toEqual([...new Set(answer.passages.map((p) => p.heading))].map((title) => ({ title })));
    }
  });

  it('answers each question of a batch of lines', () => {
    const answer = ask('Halo kak\njam berapa buka?\nongkir ke bandung berapa?');
    expect(answer.kind).toBe('answer');
    if (answer.kind !== 'answer') return;
    expect(answer.citations.map((c) => c.title)).toEqual(['Jam buka', 'Pengiriman']);
  });

  it('answers a question typed across several lines', () => {
    expectAnswer('mau tanya\nyang cappuccino\nberapa ya', 'Harga', '22.000');
  });

  it('greets back a greeting instead of saying it does not know', () => {
    for (const greeting of ['halo', 'hai kak', 'selamat pagi', 'Assalamualaikum', 'P']) {
      expect(ask(greeting)).toEqual({ kind: 'greeting', text: t('id', 'bot.greeting'), language: 'id' });
    }
    expect(ask('Good morning!')).toEqual({ kind: 'greeting', text: t('en', 'bot.greeting'), language: 'en' });
    expect(ask('hi', 'en').text).toBe(t('en', 'bot.greeting'));
    expect(ask('makasih ya kak')).toEqual({ kind: 'greeting', text: t('id', 'bot.thanksReply'), language: 'id' });
  });

  it('uses the locale hint only when the message does not show a language', () => {
    expect(ask('hi', 'en').language).toBe('en');
    expect(ask('jam berapa buka?', 'en').language).toBe('id');
    expect(ask('What are your opening hours?', 'id').language).toBe('en');
  });

  it('says it does not know when the chatbot has no knowledge', () => {
    expect(answerOffline({ knowledgeText: '', question: 'jam berapa buka?' }).kind).toBe('no_answer');
  });

  it('is deterministic', () => {
    const questions = ['Halo, jam berapa toko buka?', 'bisa kirim hari ini?', 'siapa presiden pertama indonesia?', 'halo'];
    for (const question of questions) expect(ask(question)).toEqual(ask(question));
    expect(searchKnowledge(DEMO_KNOWLEDGE_ID, 'COD?', { minCoverage: 0 })).toEqual(
      searchKnowledge(DEMO_KNOWLEDGE_ID, 'COD?', { minCoverage: 0 }),
    );
  });
});

describe('searchKnowledge', () => {
  it('ranks the passage whose heading names the topic first', () => {
    const hits = searchKnowledge(DEMO_KNOWLEDGE_ID, 'pembayaran');
    expect(hits[0]?.heading).toBe('Pembayaran');
  });

  it('respects topK, minScore and minCoverage', () => {
    const loose = searchKnowledge(DEMO_KNOWLEDGE_ID, 'bisa kirim hari ini?', { topK: 5, minScore: 0, minCoverage: 0 });
    expect(loose.length).toBeGreaterThan(1);
    expect(searchKnowledge(DEMO_KNOWLEDGE_ID, 'bisa kirim hari ini?', { topK: 1 })).toHaveLength(1);
    expect(searchKnowledge(DEMO_KNOWLEDGE_ID, 'bisa kirim hari ini?', { minScore: 100 })).toEqual([]);
    const scores = loose.map((hit) => hit.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('finds nothing for a question made only of stopwords', () => {
    expect(searchKnowledge(DEMO_KNOWLEDGE_ID, 'apa ya kak?')).toEqual([]);
  });

  it('indexes once for several queries', () => {
    const index = createKnowledgeIndex(DEMO_KNOWLEDGE_ID);
    expect(index.passages.map((p) => p.heading)).toEqual(['Jam buka', 'Harga', 'Pengiriman', 'Retur', 'Pembayaran', 'Alamat']);
    expect(index.search('refund gimana?')[0]?.heading).toBe('Retur');
    expect(index.search('buka hari minggu?')[0]?.heading).toBe('Jam buka');
  });
});

describe('splitKnowledge', () => {
  it('keeps each passage under its heading and skips a heading with no text', () => {
    const passages = splitKnowledge('Selamat datang di toko kami.\n\n# Judul\n## Jam buka\nSetiap hari.\n\n- Senin\n- Selasa\n### Kosong\n');
    expect(passages).toEqual([
      { heading: '', text: 'Selamat datang di toko kami.' },
      { heading: 'Jam buka', text: 'Setiap hari.\n\n- Senin\n- Selasa' },
    ]);
  });

  it('cuts a long section at sentence ends, never inside "Jl." or "No.", into verbatim pieces', () => {
    const sentence = 'Kantor kami di Jl. Kemang Raya No. 10 buka setiap hari kerja untuk pengambilan pesanan. ';
    const text = sentence.repeat(12).trim();
    const passages = splitKnowledge(`## Alamat\n${text}`, 200);
    expect(passages.length).toBeGreaterThan(1);
    for (const passage of passages) {
      expect(passage.heading).toBe('Alamat');
      expect(passage.text.length).toBeLessThanOrEqual(200);
      expect(text).toContain(passage.text);
      expect(passage.text.endsWith('pesanan.')).toBe(true);
    }
  });

  it('cuts a sentence longer than the limit between words', () => {
    const text = Array.from({ length: 80 }, (_, i) => `kata${i}`).join(' ');
    const passages = splitKnowledge(text, 100);
    expect(passages.every((p) => p.text.length <= 100)).toBe(true);
    expect(passages.map((p) => p.text).join(' ')).toBe(text);
  });
});

describe('tokenize', () => {
  it('expands informal abbreviations', () => {
    expect(tokenize('yg brp gmn gimana tdk gak ga nggak sdh blm utk dgn jg krn bs')).toEqual([
      'yang', 'berapa', 'bagaimana', 'bagaimana', 'tidak', 'tidak', 'tidak', 'tidak', 'sudah', 'belum', 'untuk', 'dengan', 'juga',
      'karena', 'bisa',
    ]);
    expect(tokenize('ongkir')).toEqual(['ongkos', 'kirim']);
    expect(tokenize('Ongkirnya brp?')).toEqual(['ongkos', 'kirim', 'berapa']);
  });

  it('lowercases, strips punctuation and keeps numbers whole', () => {
    expect(tokenize('Harga Cappuccino: Rp22.000!!')).toEqual(['harga', 'cappuccino', 'rp', '22000']);
    expect(tokenize('buka 08.00–21.00')).toEqual(['buka', '0800', '2100']);
  });

  it('undoes chat stretching and reduplication, and joins fixed phrases', () => {
    expect(tokenize('halooo kakkk iyaa')).toEqual(['halo', 'kak', 'iya']);
    expect(tokenize('barang-barang brg2')).toEqual(['barang', 'brg']);
    expect(tokenize('terima kasih, di mana customer service?')).toEqual(['terimakasih', 'dimana', 'cs']);
  });
});

describe('stemIndonesian', () => {
  it('takes affixes off so word forms meet on one root', () => {
    const roots: Record<string, string> = {
      pengiriman: 'kirim',
      dikirim: 'kirim',
      kirim: 'kirim',
      pembayaran: 'bayar',
      ditukar: 'tukar',
      penukaran: 'tukar',
      diterima: 'terima',
      pengembalian: 'kembali',
      pesanan: 'pesan',
      harganya: 'harga',
      tokonya: 'toko',
      memakai: 'pakai',
      mengikuti: 'ikut',
      menggunakan: 'guna',
      keberangkatan: 'angkat',
      bisakah: 'bisa',
    };
    for (const [word, root] of Object.entries(roots)) expect(stemIndonesian(word), word).toBe(root);
  });

  it('leaves roots that only look affixed alone', () => {
    for (const word of ['kopi', 'hari', 'bulan', 'makan', 'terima', 'pesan', 'kembali', 'tanya', 'cs']) {
      expect(stemIndonesian(word), word).toBe(word);
    }
  });
});

describe('detectHumanRequest', () => {
  it('hears a request for a person, in Indonesian, English or chat style', () => {
    const requests = [
      'mau bicara dengan CS',
      'bisa sama admin?',
      'minta agen',
      'hubungkan ke manusia',
      'saya mau ngomong sama orang',
      'human please',
      'talk to an agent',
      'CS dong',
      'operator',
      'customer service',
      'CS',
      'admin',
      'Admin!!',
      'adminnya mana?',
      'ada admin?',
      'halo kak, CS dong',
      'sama admin aja',
      'gue pengen ngobrol ama org asli',
      'Can I speak to a real person?',
      'I want to talk to someone',
      'connect me to an agent please',
      'Halo\nmau bicara dengan CS',
    ];
    for (const text of requests) expect(detectHumanRequest(text), text).toBe(true);
  });

  it('does not fire on a question that only names a person, or on unrelated words', () => {
    const notRequests = [
      'administrasi pengiriman',
      // Decided: a question about CS (their hours) is a question, answered from the knowledge.
      'apakah CS buka hari minggu?',
      'jam buka toko',
      'biaya admin berapa?',
      // Decided: addressing the chat before a question is not asking for a person.
      'admin, jam berapa buka?',
      'halo admin',
      'kopi untuk 2 orang',
      'ada agen di Surabaya?',
      'mau jadi agen',
      'kirim bukti transfer ke admin',
      'bisa bayar ke admin langsung?',
      'Halo, jam berapa toko buka?',
      'humanity',
    ];
    for (const text of notRequests) expect(detectHumanRequest(text), text).toBe(false);
  });

  it("matches the chatbot's own handoff keywords as whole words, case-insensitively", () => {
    expect(detectHumanRequest('saya mau KOMPLAIN!', ['komplain'])).toBe(true);
    expect(detectHumanRequest('barang saya rusak parah', ['Rusak Parah'])).toBe(true);
    expect(detectHumanRequest('komplainnya', ['komplain'])).toBe(false);
    expect(detectHumanRequest('barang rusak', ['rusak parah'])).toBe(false);
    expect(detectHumanRequest('saya mau komplain')).toBe(false);
  });
});

describe('detectAcceptance', () => {
  it('hears a short yes', () => {
    for (const text of ['ya', 'iya', 'boleh', 'mau', 'oke', 'ok', 'yes', 'sure', 'iya dong', 'Iyaa kak', 'yes please', 'boleh deh']) {
      expect(detectAcceptance(text), text).toBe(true);
    }
  });

  it('does not take a no or a new question for a yes', () => {
    for (const text of ['tidak', 'ga usah', 'nanti saja', 'mau tanya harga', 'ya tapi jam berapa buka?', '']) {
      expect(detectAcceptance(text), text).toBe(false);
    }
  });
});

describe('detectCourtesy', () => {
  it('tells greetings and thanks from questions', () => {
    expect(detectCourtesy('selamat pagi')).toBe('greeting');
    expect(detectCourtesy('halo admin')).toBe('greeting');
    expect(detectCourtesy('ok thanks')).toBe('thanks');
    expect(detectCourtesy('halo, jam berapa buka?')).toBeUndefined();
    expect(detectCourtesy('ok')).toBeUndefined();
  });
});

describe('detectLanguage', () => {
  it('defaults to Indonesian and picks English only when it is clearly English', () => {
    const cases: Array<[string, 'id' | 'en']> = [
      ['What are your opening hours?', 'en'],
      ['Do you deliver to Bali?', 'en'],
      ['Can I pay with QRIS?', 'en'],
      ['How much is a cappuccino?', 'en'],
      ['Halo, jam berapa toko buka?', 'id'],
      ['brp harga', 'id'],
      ['gmn cara order', 'id'],
      ['bisa COD?', 'id'],
      ['pls info harga', 'id'],
      ['hi', 'id'],
      ['ok', 'id'],
    ];
    for (const [text, language] of cases) expect(detectLanguage(text), text).toBe(language);
  });

  it('uses the fallback when the text shows no language', () => {
    expect(detectLanguage('hi', 'en')).toBe('en');
    expect(detectLanguage('COD?', 'en')).toBe('en');
    expect(detectLanguage('berapa harganya?', 'en')).toBe('id');
  });
});
