/**
 * The dashboard's knowledge, chatbot settings and playground forms, validated the way the actions
 * validate them: what each form accepts, what it refuses (with the message in the user's
 * language, on the field it belongs to), and the limits on uploads and on the playground's
 * transcript. No server or browser: these are the helpers the actions call.
 */
import { describe, expect, it } from 'vitest';
import { aiSettingsSchema, retrievalSettingsSchema, t } from '@sapa/shared';
import {
  chunkPageOf,
  cleanFileName,
  defaultNameForUrl,
  faqPairsOf,
  isHttpUrl,
  parseNewSource,
  parseRelink,
  parseResync,
  parseUpload,
} from '../dashboard/app/lib/knowledge-forms.server';
import { appendTurns, needsReprocess, parseChatbotSettings, parsePlaygroundForm, parseTranscript } from '../dashboard/app/lib/chatbot-forms.server';
import { KNOWLEDGE_LIMITS, PLAYGROUND_LIMITS } from '../dashboard/app/lib/knowledge-limits';
import { formatBytes, knowledgeErrorKey } from '../dashboard/app/lib/knowledge-labels';

const BOT_A = '65f0a1b2c3d4e5f6a7b8c9d0';
const BOT_B = '65f0a1b2c3d4e5f6a7b8c9d1';

function formOf(entries: Array<[string, string | Blob, string?]>): FormData {
  const form = new FormData();
  for (const [key, value, fileName] of entries) {
    if (typeof value === 'string') form.append(key, value);
    else form.append(key, value, fileName);
  }
  return form;
}

const limits = { maxPagesLimit: 200 };

describe('adding typed text', () => {
  it('accepts a name, the text and the chatbots, trimmed and without duplicate chatbots', () => {
    const parsed = parseNewSource(
      'addText',
      formOf([
        ['csrf', 'x'],
        ['name', '  Jam buka  '],
        ['text', 'Buka Senin–Sabtu 09.00–17.00 WIB.\n'],
        ['chatbotIds', BOT_A],
        ['chatbotIds', BOT_B],
        ['chatbotIds', BOT_A],
      ]),
      'id',
      limits,
    );
    expect(parsed).toEqual({ ok: true, value: { kind: 'text', name: 'Jam buka', text: 'Buka Senin–Sabtu 09.00–17.00 WIB.', chatbotIds: [BOT_A, BOT_B] } });
  });

  it('refuses empty or too long text, a missing name and no chatbot, each on its field', () => {
    const empty = parseNewSource('addText', formOf([['name', ''], ['text', '   ']]), 'id', limits);
    expect(empty.ok).toBe(false);
    if (empty.ok) return;
    expect(empty.status).toBe(400);
    expect(empty.fieldErrors).toEqual({
      name: t('id', 'knowledge.nameRequired'),
      text: t('id', 'knowledge.textRequired'),
      chatbotIds: t('id', 'knowledge.chatbotRequired'),
    });

    const long = parseNewSource('addText', formOf([['name', 'Katalog'], ['text', 'x'.repeat(KNOWLEDGE_LIMITS.textChars + 1)], ['chatbotIds', BOT_A]]), 'en', limits);
    expect(long.ok ? null : long.fieldErrors).toEqual({ text: t('en', 'knowledge.textTooLong') });
  });

  it('refuses a chatbot id that is not an id', () => {
    const parsed = parseNewSource('addText', formOf([['name', 'A'], ['text', 'B'], ['chatbotIds', '{"$ne":null}']]), 'en', limits);
    expect(parsed.ok ? null : parsed.fieldErrors).toEqual({ chatbotIds: t('en', 'error.validation') });
  });
});

describe('adding Q&A pairs', () => {
  it('zips the rows and skips the spare empty ones', () => {
    expect(faqPairsOf(['Ongkir ke Jakarta?', '', ' COD? '], ['Rp 22.000', '', 'Ya, Yogyakarta saja.'])).toEqual([
      { question: 'Ongkir ke Jakarta?', answer: 'Rp 22.000' },
      { question: 'COD?', answer: 'Ya, Yogyakarta saja.' },
    ]);
    const parsed = parseNewSource(
      'addFaq',
      formOf([
        ['name', 'FAQ toko'],
        ['question', 'Ongkir ke Jakarta?'],
        ['answer', 'Rp 22.000, 2–3 hari.'],
        ['question', ''],
        ['answer', ''],
        ['chatbotIds', BOT_A],
      ]),
      'id',
      limits,
    );
    expect(parsed).toEqual({ ok: true, value: { kind: 'faq', name: 'FAQ toko', chatbotIds: [BOT_A], faq: [{ question: 'Ongkir ke Jakarta?', answer: 'Rp 22.000, 2–3 hari.' }] } });
  });

  it('refuses no pairs, a question without an answer, and too many pairs', () => {
    const none = parseNewSource('addFaq', formOf([['name', 'FAQ'], ['question', ''], ['answer', ''], ['chatbotIds', BOT_A]]), 'id', limits);
    expect(none.ok ? null : none.fieldErrors).toEqual({ faq: t('id', 'knowledge.faqRequired') });

    const half = parseNewSource('addFaq', formOf([['name', 'FAQ'], ['question', 'Buka hari Minggu?'], ['answer', ''], ['chatbotIds', BOT_A]]), 'id', limits);
    expect(half.ok ? null : half.fieldErrors).toEqual({ faq: t('id', 'knowledge.faqIncomplete') });

    const rows: Array<[string, string]> = [];
    for (let i = 0; i <= KNOWLEDGE_LIMITS.faqPairs; i++) rows.push(['question', `Q${i}`], ['answer', `A${i}`]);
    const many = parseNewSource('addFaq', formOf([['name', 'FAQ'], ...rows, ['chatbotIds', BOT_A]]), 'id', limits);
    expect(many.ok ? null : many.fieldErrors).toEqual({ faq: t('id', 'knowledge.faqTooMany') });
  });
});

describe('adding a web page or a website', () => {
  it('accepts http(s) addresses only', () => {
    expect(isHttpUrl('https://toko.example/faq')).toBe(true);
    expect(isHttpUrl('http://127.0.0.1:8080/')).toBe(true);
    for (const bad of ['ftp://toko.example/', 'javascript:alert(1)', 'file:///etc/passwd', 'toko.example', 'https://', '']) expect(isHttpUrl(bad)).toBe(false);

    const refused = parseNewSource('addUrl', formOf([['url', 'file:///etc/passwd'], ['chatbotIds', BOT_A]]), 'en', limits);
    expect(refused.ok ? null : refused.fieldErrors).toEqual({ url: t('en', 'knowledge.urlInvalid') });
    const missing = parseNewSource('addUrl', formOf([['url', ' '], ['chatbotIds', BOT_A]]), 'en', limits);
    expect(missing.ok ? null : missing.fieldErrors).toEqual({ url: t('en', 'knowledge.urlRequired') });
  });

  it('names a page after its address when no name is given, and keeps the schedule', () => {
    const page = parseNewSource('addUrl', formOf([['url', 'https://toko.example/info/ongkir'], ['name', ''], ['resync', 'weekly'], ['chatbotIds', BOT_A]]), 'id', limits);
    expect(page).toEqual({ ok: true, value: { kind: 'url', url: 'https://toko.example/info/ongkir', name: 'toko.example/info/ongkir', resync: 'weekly', chatbotIds: [BOT_A] } });
    expect(defaultNameForUrl('https://toko.example/', 'url')).toBe('toko.example');
    expect(defaultNameForUrl('https://toko.example/sitemap.xml', 'sitemap')).toBe('toko.example');
  });

  it('bounds a site by its page limit and refuses an unknown schedule', () => {
    const site = parseNewSource('addSite', formOf([['url', 'https://toko.example'], ['maxPages', '25'], ['resync', 'daily'], ['chatbotIds', BOT_A]]), 'id', limits);
    expect(site).toEqual({ ok: true, value: { kind: 'sitemap', url: 'https://toko.example', name: 'toko.example', maxPages: 25, resync: 'daily', chatbotIds: [BOT_A] } });

    for (const maxPages of ['0', '201', '2.5', 'banyak', '']) {
      const parsed = parseNewSource('addSite', formOf([['url', 'https://toko.example'], ['maxPages', maxPages], ['chatbotIds', BOT_A]]), 'id', limits);
      expect(parsed.ok ? null : parsed.fieldErrors, maxPages).toEqual({ maxPages: t('id', 'knowledge.maxPagesInvalid') });
    }
    const hourly = parseNewSource('addSite', formOf([['url', 'https://toko.example'], ['maxPages', '5'], ['resync', 'hourly'], ['chatbotIds', BOT_A]]), 'id', limits);
    expect(hourly.ok ? null : hourly.fieldErrors).toEqual({ resync: t('id', 'error.validation') });
  });
});

describe('uploading a file', () => {
  const pdf = () => new Blob([Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n')], { type: 'application/pdf' });

  it('keeps the bytes, the size and a clean file name', async () => {
    const parsed = await parseUpload(formOf([['file', pdf(), '..\\..\\Daftar Harga\u0007.pdf'], ['chatbotIds', BOT_A]]), 'id', 1024);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.name).toBe('Daftar Harga.pdf');
    expect(parsed.value.size).toBe(pdf().size);
    expect(parsed.value.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(cleanFileName('C:\\Users\\sari\\katalog.docx')).toBe('katalog.docx');
    expect(cleanFileName('/\u0000')).toBe('dokumen');
  });

  it('refuses a file over the limit with a 413 that names the limit, and a missing or empty file with a 400', async () => {
    const big = new Blob([Buffer.alloc(2048, 0x41)]);
    const tooLarge = await parseUpload(formOf([['file', big, 'besar.txt'], ['chatbotIds', BOT_A]]), 'en', 1024);
    expect(tooLarge).toEqual({ ok: false, status: 413, fieldErrors: { file: t('en', 'knowledge.fileTooLarge', { max: '1 KB' }) } });
    expect(t('en', 'knowledge.fileTooLarge', { max: formatBytes(10 * 1024 * 1024) })).toBe('The file is too large: the limit is 10 MB.');

    const missing = await parseUpload(formOf([['chatbotIds', BOT_A]]), 'id', 1024);
    expect(missing).toEqual({ ok: false, status: 400, fieldErrors: { file: t('id', 'knowledge.fileRequired') } });
    const empty = await parseUpload(formOf([['file', new Blob([]), 'kosong.pdf'], ['chatbotIds', BOT_A]]), 'id', 1024);
    expect(empty.ok ? null : empty.status).toBe(400);
    const text = await parseUpload(formOf([['file', 'bukan berkas'], ['chatbotIds', BOT_A]]), 'id', 1024);
    expect(text.ok ? null : text.status).toBe(400);
  });
});

describe("a source page's forms", () => {
  it('re-links to any set of chatbots, none included', () => {
    expect(parseRelink(formOf([['chatbotIds', BOT_B], ['chatbotIds', BOT_B]]), 'id')).toEqual({ ok: true, value: [BOT_B] });
    expect(parseRelink(formOf([]), 'id')).toEqual({ ok: true, value: [] });
    expect(parseRelink(formOf([['chatbotIds', 'x']]), 'id').ok).toBe(false);
  });

  it('takes only the known re-sync schedules', () => {
    expect(parseResync(formOf([['resync', 'weekly']]), 'id')).toEqual({ ok: true, value: 'weekly' });
    expect(parseResync(formOf([['resync', 'monthly']]), 'id').ok).toBe(false);
  });

  it('reads the chunk page from the query, falling back to the first', () => {
    expect(chunkPageOf(new URL('http://x/knowledge/a?page=3'))).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'abc', '1e400']) expect(chunkPageOf(new URL(`http://x/?page=${bad}`))).toBe(1);
  });

  it('explains every error code the worker sets, in both languages', () => {
    const codes = ['too_large', 'unsupported_type', 'encrypted', 'no_text', 'empty', 'corrupt', 'no_pages', 'robots_disallowed', 'not_html', 'blocked_host', 'bad_url', 'http_error', 'timeout', 'network', 'failed'];
    for (const code of codes) {
      const key = knowledgeErrorKey(code);
      expect(key).toBe(`knowledge.error.${code}`);
      expect(t('id', key)).not.toBe(t('en', key));
    }
    expect(knowledgeErrorKey('something_new')).toBe('knowledge.error.failed');
    expect(knowledgeErrorKey('')).toBe('knowledge.error.failed');
  });
});

describe('chatbot settings', () => {
  const base: Array<[string, string]> = [
    ['csrf', 'x'],
    ['intent', 'save'],
    ['provider', 'openai'],
    ['model', ''],
    ['temperature', '0,3'],
    ['maxTokens', '600'],
    ['promptTemplate', 'restoran'],
    ['systemPrompt', '  Selalu sapa dengan "Kak".  '],
    ['fallbackProvider', 'none'],
    ['topK', '4'],
    ['minScore', '0.25'],
    ['chunkTokens', '300'],
    ['chunkOverlap', '40'],
    ['embeddingProvider', 'local'],
    ['embeddingModel', ''],
  ];
  const withFields = (changes: Record<string, string>) => formOf([...base.filter(([k]) => !(k in changes)), ...Object.entries(changes)]);

  it('stores what the shared schemas parse, the model left to its default', () => {
    const parsed = parseChatbotSettings(withFields({}), 'id');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.ai).toEqual({
      provider: 'openai',
      model: '',
      temperature: 0.3,
      maxTokens: 600,
      promptTemplate: 'restoran',
      systemPrompt: 'Selalu sapa dengan "Kak".',
      fallback: null,
    });
    expect(aiSettingsSchema.parse(parsed.ai)).toEqual(parsed.ai);
    expect(parsed.retrieval).toEqual({ topK: 4, minScore: 0.25, chunkTokens: 300, chunkOverlap: 40, embeddingProvider: 'local', embeddingModel: '' });
    expect(retrievalSettingsSchema.parse(parsed.retrieval)).toEqual(parsed.retrieval);
  });

  it('fills defaults for empty number fields and keeps a fallback with its model', () => {
    const parsed = parseChatbotSettings(
      withFields({ temperature: '', maxTokens: '', topK: '', minScore: '', chunkTokens: '', chunkOverlap: '', fallbackProvider: 'anthropic', fallbackModel: 'claude-3-5-haiku-latest' }),
      'id',
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.ai.temperature).toBe(0.2);
    expect(parsed.ai.maxTokens).toBe(512);
    expect(parsed.ai.fallback).toEqual({ provider: 'anthropic', model: 'claude-3-5-haiku-latest' });
    expect(parsed.retrieval).toMatchObject({ topK: 5, minScore: 0.3, chunkTokens: 350, chunkOverlap: 50 });
  });

  it('needs a base URL for an OpenAI-compatible endpoint, keeps it only there, and wants http(s)', () => {
    const missing = parseChatbotSettings(withFields({ provider: 'openai_compatible' }), 'en');
    expect(missing.ok ? null : missing.fieldErrors).toEqual({ baseUrl: t('en', 'chatbot.error.baseUrlRequired') });
    const notHttp = parseChatbotSettings(withFields({ provider: 'openai_compatible', baseUrl: 'ftp://ollama.lan/v1' }), 'en');
    expect(notHttp.ok ? null : notHttp.fieldErrors).toEqual({ baseUrl: t('en', 'chatbot.error.baseUrl') });
    const ok = parseChatbotSettings(withFields({ provider: 'openai_compatible', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' }), 'en');
    expect(ok.ok ? ok.ai : null).toMatchObject({ provider: 'openai_compatible', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1' });
    const ignored = parseChatbotSettings(withFields({ baseUrl: 'http://127.0.0.1:11434/v1' }), 'en');
    expect(ignored.ok ? ignored.ai.baseUrl : 'rejected').toBeUndefined();
    const embedding = parseChatbotSettings(withFields({ embeddingProvider: 'openai_compatible' }), 'en');
    expect(embedding.ok ? null : embedding.fieldErrors).toEqual({ embeddingBaseUrl: t('en', 'chatbot.error.baseUrlRequired') });
  });

  it('refuses out-of-range numbers on their fields and gives back what was typed', () => {
    const parsed = parseChatbotSettings(
      withFields({ temperature: '3', maxTokens: 'lots', topK: '0', minScore: '1.5', chunkTokens: '10', fallbackProvider: 'skynet', systemPrompt: 'x'.repeat(4001) }),
      'id',
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.fieldErrors).toEqual({
      temperature: t('id', 'chatbot.error.temperature'),
      maxTokens: t('id', 'chatbot.error.maxTokens'),
      systemPrompt: t('id', 'chatbot.error.systemPrompt'),
      fallbackProvider: t('id', 'error.validation'),
      topK: t('id', 'chatbot.error.topK'),
      minScore: t('id', 'chatbot.error.minScore'),
      chunkTokens: t('id', 'chatbot.error.chunkTokens'),
    });
    expect(parsed.values).toMatchObject({ temperature: '3', maxTokens: 'lots', provider: 'openai' });
    expect(parsed.values).not.toHaveProperty('csrf');
  });

  it('wants the overlap smaller than the chunk, and an unknown provider is refused', () => {
    const overlap = parseChatbotSettings(withFields({ chunkTokens: '100', chunkOverlap: '100' }), 'id');
    expect(overlap.ok ? null : overlap.fieldErrors).toEqual({ chunkOverlap: t('id', 'chatbot.error.chunkOverlap') });
    const unknown = parseChatbotSettings(withFields({ provider: 'skynet' }), 'id');
    expect(unknown.ok ? null : unknown.fieldErrors).toEqual({ provider: t('id', 'error.validation') });
  });

  it('tells when sources need a reprocess: chunking or embedding changed, not top-k', () => {
    const before = retrievalSettingsSchema.parse({});
    expect(needsReprocess(before, { ...before, topK: 9, minScore: 0.5 })).toBe(false);
    expect(needsReprocess(before, { ...before, chunkTokens: 500 })).toBe(true);
    expect(needsReprocess(before, { ...before, chunkOverlap: 0 })).toBe(true);
    expect(needsReprocess(before, { ...before, embeddingProvider: 'openai' })).toBe(true);
    expect(needsReprocess(before, { ...before, embeddingModel: 'text-embedding-3-large' })).toBe(true);
  });
});

describe('the playground form', () => {
  it('takes the question and the transcript the page posted', () => {
    const transcript = [
      { author: 'customer' as const, text: 'Buka jam berapa?' },
      { author: 'bot' as const, text: 'Senin–Sabtu 09.00–17.00 WIB.' },
    ];
    const parsed = parsePlaygroundForm(formOf([['question', '  Hari Minggu?  '], ['transcript', JSON.stringify(transcript)]]), 'id');
    expect(parsed).toEqual({ ok: true, question: 'Hari Minggu?', transcript });
    expect(parsePlaygroundForm(formOf([['question', 'Halo']]), 'id')).toEqual({ ok: true, question: 'Halo', transcript: [] });
  });

  it('refuses an empty or too long question, keeping the transcript', () => {
    const transcript = [{ author: 'customer' as const, text: 'Halo' }];
    const empty = parsePlaygroundForm(formOf([['question', ' '], ['transcript', JSON.stringify(transcript)]]), 'en');
    expect(empty).toEqual({ ok: false, fieldErrors: { question: t('en', 'playground.questionRequired') }, transcript });
    const long = parsePlaygroundForm(formOf([['question', 'x'.repeat(PLAYGROUND_LIMITS.questionChars + 1)]]), 'en');
    expect(long.ok ? null : long.fieldErrors).toEqual({ question: t('en', 'error.messageTooLong') });
  });

  it('refuses a transcript the page did not make: malformed, too long, too many turns, unknown authors', () => {
    expect(parseTranscript('{"author":')).toBeNull();
    expect(parseTranscript(JSON.stringify([{ author: 'agent', text: 'x' }]))).toBeNull();
    expect(parseTranscript(JSON.stringify(Array.from({ length: PLAYGROUND_LIMITS.turns + 1 }, () => ({ author: 'customer', text: 'x' }))))).toBeNull();
    expect(parseTranscript('x'.repeat(PLAYGROUND_LIMITS.transcriptChars + 1))).toBeNull();
    expect(parseTranscript(JSON.stringify([{ author: 'bot', text: 'x'.repeat(PLAYGROUND_LIMITS.turnChars + 1) }]))).toBeNull();
    const parsed = parsePlaygroundForm(formOf([['question', 'Halo'], ['transcript', '[1,2']]), 'id');
    expect(parsed).toEqual({ ok: false, fieldErrors: { form: t('id', 'error.validation') }, transcript: [] });
  });

  it('keeps only the newest turns', () => {
    const long = Array.from({ length: PLAYGROUND_LIMITS.turns }, (_, i) => ({ author: 'customer' as const, text: `q${i}` }));
    const next = appendTurns(long, { author: 'customer', text: 'baru' }, { author: 'bot', text: 'y'.repeat(PLAYGROUND_LIMITS.turnChars + 10) });
    expect(next).toHaveLength(PLAYGROUND_LIMITS.turns);
    expect(next[0]!.text).toBe('q2');
    expect(next.at(-2)!.text).toBe('baru');
    expect(next.at(-1)!.text).toHaveLength(PLAYGROUND_LIMITS.turnChars);
  });
});
