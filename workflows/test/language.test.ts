/** The language side of answering: tokenizing, stemming, intents and language detection. */
import { describe, expect, it } from 'vitest';
import { detectAcceptance, detectCourtesy, detectHumanRequest, detectLanguage, stemIndonesian, tokenize } from '../src/answerer';

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
