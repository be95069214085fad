/**
 * The Telegram adapter: parsing real and constructed updates, planning outbound calls, and the real
 * telegraf client against testkit's fake Bot API (sending, flood control, errors, connecting a
 * bot, downloading media) — plus the fake's own faithfulness (envelopes, validation, webhooks).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyVault, MediaStore, MediaTooLargeError, createLogger, loadConfig, sealSecrets, type Channel, type Config } from '@sapa/shared';
import { FIXTURES_DIR } from '@sapa/testkit/fixtures';
import { fakeBotToken, startFakeTelegram, type FakeTelegram } from '../../testkit/src/fakes/telegram';
import { telegramFor } from '../src/telegram/client';
import { TelegramConnectError, answerCallback, connectTelegramBot, disconnectTelegramBot } from '../src/telegram/connect';
import { buildKeyboard, callbackDataFor, planTelegramSend, splitText, withCitations } from '../src/telegram/outbound';
import { createTelegramMediaFetcher, createTelegramSender } from '../src/telegram/sender';
import { EDIT_PREFIX, InvalidTelegramUpdateError, parseTelegramUpdate, type TelegramUpdateResult } from '../src/telegram/update';
import { ChannelSendError, type OutboundMessage } from '../src/types';

const FIXTURES = path.join(FIXTURES_DIR, 'telegram');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));

function expectMessage(result: TelegramUpdateResult) {
  if (result.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(result)}`);
  return result.inbound;
}

// ---------------------------------------------------------------------------------------------
describe('parsing the sourced fixtures', () => {
  it('covers every fixture file', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(expectedKinds).sort());
  });

  const expectedKinds: Record<string, { kind: TelegramUpdateResult['kind']; check?: (r: TelegramUpdateResult) => void }> = {
    'teloxide-01-private-text-link-preview-options.json': {
      kind: 'message',
      check: (r) => {
        expect(expectMessage(r)).toEqual({
          channelMessageId: '218485655:6557',
          externalContactId: '218485655',
          contactName: 'Waffle',
          kind: 'text',
          text: 'hello there',
          sentAt: new Date(1569518342 * 1000),
          locale: 'en',
        });
        expect(r.updateId).toBe(892252934);
      },
    },
    'teloxide-02-supergroup-story-message.json': { kind: 'ignored', check: (r) => expect(r.kind === 'ignored' && r.reason).toMatch(/supergroup chats are out of scope/) },
    'teloxide-03-supergroup-reply-command-thread.json': { kind: 'ignored', check: (r) => expect(r.kind === 'ignored' && r.reason).toMatch(/supergroup/) },
    'teloxide-04-private-text.json': {
      kind: 'message',
      check: (r) => {
        const inbound = expectMessage(r);
        expect(inbound).toMatchObject({ channelMessageId: '408258968:154', externalContactId: '408258968', contactName: 'Hirrolot', kind: 'text', text: '4', locale: 'en' });
      },
    },
    // Groups are out of scope whatever they carry: service messages and dice in a supergroup are ignored.
    'teloxide-05-supergroup-pinned-message-service.json': { kind: 'ignored', check: (r) => expect(r.kind === 'ignored' && r.reason).toMatch(/supergroup/) },
    'teloxide-06-supergroup-dice.json': { kind: 'ignored', check: (r) => expect(r.kind === 'ignored' && r.reason).toMatch(/supergroup/) },
    'teloxide-07-my-chat-member-private-kicked.json': {
      kind: 'membership',
      check: (r) => expect(r).toEqual({ kind: 'membership', updateId: 0, chatId: '0', blocked: true, name: 'FN LN' }),
    },
    'teloxide-08-message-reaction.json': {
      kind: 'ignored',
      check: (r) => expect(r).toEqual({ kind: 'ignored', updateId: 71651249, reason: 'message_reaction updates are not handled' }),
    },
  };

  for (const [file, expected] of Object.entries(expectedKinds)) {
    it(`${file} → ${expected.kind}`, () => {
      const result = parseTelegramUpdate(fixture(file));
      expect(result.kind).toBe(expected.kind);
      expected.check?.(result);
    });
  }
});

// ---------------------------------------------------------------------------------------------
describe('parsing constructed updates (Bot API field lists)', () => {
  const chat = { id: 777001, first_name: 'Siti', last_name: 'Rahma', type: 'private' };
  const from = { id: 777001, is_bot: false, first_name: 'Siti', last_name: 'Rahma', language_code: 'id' };
  let updateId = 5000;
  const update = (message: Record<string, unknown>, key = 'message') => ({ update_id: ++updateId, [key]: { message_id: 42, date: 1700000000, chat, from, ...message } });
  const parse = (message: Record<string, unknown>) => expectMessage(parseTelegramUpdate(update(message)));

  it('a photo keeps the largest size and its caption', () => {
    const inbound = parse({
      photo: [
        { file_id: 'small', file_unique_id: 's', width: 90, height: 67, file_size: 1200 },
        { file_id: 'medium', file_unique_id: 'm', width: 320, height: 240, file_size: 14000 },
        { file_id: 'large', file_unique_id: 'l', width: 1280, height: 960, file_size: 98000 },
      ],
      caption: 'Ini buktinya',
    });
    expect(inbound).toMatchObject({ kind: 'image', text: 'Ini buktinya', media: { providerMediaId: 'large', mimeType: 'image/jpeg', size: 98000 }, locale: 'id', contactName: 'Siti Rahma' });
  });

  it('a document, a voice note, an audio file, a video and a video note', () => {
    expect(parse({ document: { file_id: 'doc1', file_unique_id: 'd', file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: 5000 } })).toMatchObject({
      kind: 'document',
      text: '',
      media: { providerMediaId: 'doc1', fileName: 'invoice.pdf', mimeType: 'application/pdf', size: 5000 },
    });
    expect(parse({ voice: { file_id: 'v1', file_unique_id: 'v', duration: 4, mime_type: 'audio/ogg', file_size: 7000 } })).toMatchObject({
      kind: 'voice',
      media: { providerMediaId: 'v1', voice: true, mimeType: 'audio/ogg' },
    });
    expect(parse({ audio: { file_id: 'a1', file_unique_id: 'a', duration: 180, performer: 'Dewa 19', title: 'Kangen', mime_type: 'audio/mpeg' } })).toMatchObject({
      kind: 'audio',
      text: 'Dewa 19 – Kangen',
      media: { providerMediaId: 'a1', mimeType: 'audio/mpeg' },
    });
    expect(parse({ video: { file_id: 'vid', file_unique_id: 'x', width: 640, height: 360, duration: 9, mime_type: 'video/mp4' }, caption: 'lihat' })).toMatchObject({
      kind: 'video',
      text: 'lihat',
      media: { providerMediaId: 'vid', mimeType: 'video/mp4' },
    });
    expect(parse({ video_note: { file_id: 'vn', file_unique_id: 'y', length: 240, duration: 5 } })).toMatchObject({ kind: 'video', media: { providerMediaId: 'vn', mimeType: 'video/mp4' } });
  });

  it('an animation (which also carries `document`) is a video; stickers keep their emoji', () => {
    const gif = { file_id: 'anim', file_unique_id: 'g', width: 200, height: 200, duration: 2, mime_type: 'video/mp4', file_name: 'lol.mp4' };
    expect(parse({ animation: gif, document: gif })).toMatchObject({ kind: 'video', media: { providerMediaId: 'anim', animated: true } });
    // chatwoot's sample uses `is_animated: 1` and the old `thumb` key: tolerated.
    expect(parse({ sticker: { file_id: 'st', file_unique_id: 's', type: 'regular', width: 512, height: 512, is_animated: 1, is_video: false, emoji: '😂', thumb: {} } })).toMatchObject({
      kind: 'sticker',
      text: '😂',
      media: { providerMediaId: 'st', animated: true, mimeType: 'application/x-tgsticker' },
    });
  });

  it('a location, a venue and a contact', () => {
    expect(parse({ location: { latitude: -6.2, longitude: 106.816666 } })).toMatchObject({
      kind: 'location',
      text: '📍 -6.2, 106.816666',
      details: { location: { latitude: -6.2, longitude: 106.816666 } },
    });
    const venue = parse({
      location: { latitude: -6.1754, longitude: 106.8272 },
      venue: { location: { latitude: -6.1754, longitude: 106.8272 }, title: 'Monas', address: 'Gambir, Jakarta Pusat' },
    });
    expect(venue).toMatchObject({
      kind: 'location',
      text: '📍 Monas, Gambir, Jakarta Pusat',
      details: { location: { latitude: -6.1754, longitude: 106.8272, name: 'Monas', address: 'Gambir, Jakarta Pusat' } },
    });
    expect(parse({ contact: { phone_number: '+6281234567890', first_name: 'Agus', last_name: 'Salim', user_id: 99 } })).toMatchObject({
      kind: 'contacts',
      text: '👤 Agus Salim, +6281234567890',
      details: { contacts: [{ name: 'Agus Salim', phones: ['+6281234567890'] }] },
    });
  });

  it('a reply points at the quoted message in the same chat', () => {
    expect(parse({ text: 'yang ini', reply_to_message: { message_id: 40, date: 1699999999, chat, text: 'harga?' } }).replyTo).toBe('777001:40');
  });

  it('forwards are flagged in the Bot API 7 form and the legacy form', () => {
    expect(parse({ text: 'fwd', forward_origin: { type: 'user', date: 1699990000, sender_user: { id: 5, is_bot: false, first_name: 'X' } } }).details).toEqual({ forwarded: 'forwarded' });
    // tgdoc's hand-written sample: `forward_from` + `forward_date`, `from` without `is_bot`.
    const legacy = parseTelegramUpdate({
      update_id: 10000,
      message: { date: 1441645532, chat: { last_name: 'Test Lastname', id: 1111111, first_name: 'Test', username: 'Test' }, message_id: 1365, from: { last_name: 'Test Lastname', id: 1111111, first_name: 'Test', username: 'Test' }, forward_from: { last_name: 'Forward Lastname', id: 222222, first_name: 'Forward Firstname' }, forward_date: 1441645550, text: '/start' },
    });
    // Its chat has no `type` at all: a positive id is a user, so it is a private chat.
    expect(expectMessage(legacy)).toMatchObject({ channelMessageId: '1111111:1365', text: '/start', contactName: 'Test Test Lastname', details: { forwarded: 'forwarded' } });
    const withType = parse({ text: 'old fwd', forward_from: { id: 222222, first_name: 'Forward' }, forward_date: 1441645550 });
    expect(withType.details).toEqual({ forwarded: 'forwarded' });
  });

  it('an edited message is its own message pointing at the original, marked as an edit', () => {
    const inbound = expectMessage(parseTelegramUpdate(update({ text: 'jam 3 saja', edit_date: 1700000100 }, 'edited_message')));
    expect(inbound).toMatchObject({
      channelMessageId: '777001:42:e1700000100',
      kind: 'text',
      text: `${EDIT_PREFIX}jam 3 saja`,
      details: { editOf: '777001:42' },
      sentAt: new Date(1700000100 * 1000),
    });
  });

  it('a callback query with the bot message and chat_instance → interactive with the button title', () => {
    const result = parseTelegramUpdate({
      update_id: 9001,
      callback_query: {
        id: '4382bfdwdsb323b2d9',
        from,
        chat_instance: '-8374920129384',
        data: 'order:confirm',
        message: {
          message_id: 77,
          date: 1700000000,
          chat,
          from: { id: 123, is_bot: true, first_name: 'Toko', username: 'toko_bot' },
          text: 'Konfirmasi pesanan?',
          reply_markup: { inline_keyboard: [[{ text: 'Ya, pesan', callback_data: 'order:confirm' }], [{ text: 'Batal', callback_data: 'order:cancel' }]] },
        },
      },
    });
    expect(result).toEqual({
      kind: 'callback',
      updateId: 9001,
      callbackQueryId: '4382bfdwdsb323b2d9',
      inbound: {
        channelMessageId: 'cb:4382bfdwdsb323b2d9',
        externalContactId: '777001',
        contactName: 'Siti Rahma',
        kind: 'interactive',
        text: 'Ya, pesan',
        details: { interactive: { id: 'order:confirm', title: 'Ya, pesan', source: 'callback' } },
        replyTo: '777001:77',
        locale: 'id',
      },
    });
    // tgdoc's sample: no chat_instance, no message: still understood (title falls back to the data).
    const bare = parseTelegramUpdate({ update_id: 9002, callback_query: { id: 4382, from: { id: 1111111, first_name: 'Test' }, data: 'Data from button callback' } });
    expect(bare).toMatchObject({ kind: 'callback', callbackQueryId: '4382', inbound: { externalContactId: '1111111', kind: 'interactive', text: 'Data from button callback' } });
  });

  it('private dice, polls and service messages are stored as unsupported with a reason', () => {
    expect(parse({ dice: { emoji: '🎲', value: 2 } })).toMatchObject({ kind: 'unsupported', text: '', details: { unsupported: { type: 'dice', reason: 'Telegram dice messages are not supported' } } });
    expect(parse({ poll: { id: '1', question: 'q', options: [] } }).details?.unsupported?.type).toBe('poll');
    expect(parse({ pinned_message: { message_id: 1, date: 1, chat } }).details?.unsupported).toEqual({ type: 'pinned_message', reason: 'Telegram service message (pinned_message)' });
    expect(parse({}).details?.unsupported?.reason).toMatch(/no content/);
  });

  it('groups, channels, other update types and malformed parts are ignored with a reason; junk throws', () => {
    const group = { id: -100123, title: 'Grup', type: 'group' };
    expect(parseTelegramUpdate({ update_id: 1, message: { message_id: 1, date: 1, chat: group, text: 'hi' } })).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/group chats are out of scope/) });
    expect(parseTelegramUpdate({ update_id: 2, channel_post: { message_id: 1, date: 1, chat: { id: -1009, type: 'channel' }, text: 'news' } })).toMatchObject({ kind: 'ignored', reason: 'channel_post updates are not handled' });
    // tgdoc's inline query has a numeric id: still only acknowledged.
    expect(parseTelegramUpdate({ update_id: 3, inline_query: { id: 134567890097, from: { id: 1 }, query: 'inline query', offset: '' } })).toMatchObject({ kind: 'ignored', reason: 'inline_query updates are not handled' });
    expect(parseTelegramUpdate({ update_id: 4, callback_query: { id: 'x', from, data: 'd', chat_instance: '1', message: { message_id: 1, date: 0, chat: group } } })).toMatchObject({ kind: 'ignored' });
    expect(parseTelegramUpdate({ update_id: 5, message: { text: 'no chat' } })).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^malformed message/) });
    expect(parseTelegramUpdate({ update_id: 6, my_chat_member: { chat, new_chat_member: { status: 'member', user: {} } } })).toEqual({ kind: 'membership', updateId: 6, chatId: '777001', blocked: false, name: 'Siti Rahma' });
    expect(parseTelegramUpdate({ update_id: 7, my_chat_member: { chat: group, new_chat_member: { status: 'kicked' } } })).toMatchObject({ kind: 'ignored' });
    expect(parseTelegramUpdate({ update_id: 8 })).toEqual({ kind: 'ignored', updateId: 8, reason: 'empty updates are not handled' });
    expect(() => parseTelegramUpdate('nope')).toThrow(InvalidTelegramUpdateError);
    expect(() => parseTelegramUpdate({ message: {} })).toThrow(InvalidTelegramUpdateError);
  });
});

// ---------------------------------------------------------------------------------------------
describe('outbound planning', () => {
  const base: OutboundMessage = { messageId: 'm1', storedMessageId: 's1', conversationId: 'c1', contactExternalId: '777001', text: '' };

  it('splits at exactly 4096 characters, preferring paragraph, line and word boundaries', () => {
    expect(splitText('a'.repeat(4096))).toEqual(['a'.repeat(4096)]);
    expect(splitText('a'.repeat(4097))).toEqual(['a'.repeat(4096), 'a']);
    const paragraphs = `${'x'.repeat(3000)}\n\n${'y'.repeat(3000)}`;
    expect(splitText(paragraphs)).toEqual(['x'.repeat(3000), 'y'.repeat(3000)]);
    const lines = `${'x'.repeat(3000)}\n${'y'.repeat(1500)} ${'z'.repeat(100)}`;
    expect(splitText(lines)).toEqual(['x'.repeat(3000), `${'y'.repeat(1500)} ${'z'.repeat(100)}`]);
    const words = Array.from({ length: 1000 }, (_, i) => `kata${i}`).join(' ');
    const parts = splitText(words);
    expect(parts.every((p) => p.length <= 4096 && !p.startsWith(' ') && !p.endsWith(' '))).toBe(true);
    expect(parts.join(' ')).toBe(words);
    expect(splitText('   ')).toEqual([]);
  });

  it('never cuts an emoji (surrogate pair) in half at the boundary', () => {
    const text = `${'a'.repeat(4095)}😀${'b'.repeat(10)}`; // the emoji occupies units 4095–4096
    const parts = splitText(text);
    expect(parts).toEqual(['a'.repeat(4095), `😀${'b'.repeat(10)}`]);
    for (const part of parts) expect(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(part)).toBe(false);
    const emojis = '😀'.repeat(3000); // 6000 units, no spaces
    const cut = splitText(emojis);
    expect(cut.map((p) => p.length)).toEqual([4096, 1904]);
    expect(cut.join('')).toBe(emojis);
  });

  it('adds a short "Sumber:" line for citations', () => {
    expect(withCitations('Jawaban.', [{ title: 'Daftar harga', url: 'https://toko.id/harga' }, { title: 'FAQ' }, { title: 'FAQ' }])).toBe(
      'Jawaban.\n\nSumber: Daftar harga (https://toko.id/harga); FAQ',
    );
    expect(withCitations('Jawaban.', [])).toBe('Jawaban.');
  });

  it('builds inline keyboards from buttons and list rows with callback_data within 64 bytes', () => {
    const longId = `produk-${'á'.repeat(60)}`; // 127 bytes of UTF-8
    const keyboard = buildKeyboard({
      buttons: [{ id: 'yes', title: 'Ya' }, { id: longId, title: 'Produk panjang' }],
      list: { button: 'Pilih', sections: [{ title: 'Menu', rows: [{ id: 'nasi', title: 'Nasi goreng', description: 'Rp 20.000' }] }] },
    })!;
    expect(keyboard.inline_keyboard).toEqual([
      [{ text: 'Ya', callback_data: 'yes' }],
      [{ text: 'Produk panjang', callback_data: callbackDataFor(longId) }],
      [{ text: 'Nasi goreng — Rp 20.000', callback_data: 'nasi' }],
    ]);
    const hashed = callbackDataFor(longId);
    expect(Buffer.byteLength(hashed, 'utf8')).toBeLessThanOrEqual(64);
    expect(hashed.startsWith('produk-')).toBe(true);
    expect(callbackDataFor(`${longId}x`)).not.toBe(hashed);
    expect(buildKeyboard({})).toBeUndefined();
  });

  it('plans media with a caption, long captions as a separate text, reply quote first and keyboard last', () => {
    const media = { storageKey: 'k', mimeType: 'image/png', kind: 'image' as const };
    expect(planTelegramSend({ ...base, text: 'Foto produk', media, replyTo: '777001:5' })).toEqual([
      { kind: 'photo', storageKey: 'k', mimeType: 'image/png', fileName: 'image.png', caption: 'Foto produk', extra: { reply_parameters: { message_id: 5, allow_sending_without_reply: true } } },
    ]);
    const long = planTelegramSend({ ...base, text: 'x'.repeat(5000), media, buttons: [{ id: 'ok', title: 'OK' }], replyTo: '999:5' });
    expect(long.map((s) => s.kind)).toEqual(['photo', 'text', 'text']);
    expect(long[0]).not.toHaveProperty('caption');
    expect(long[0]).toMatchObject({ extra: {} }); // a quote from another chat is dropped
    expect(long[2]).toMatchObject({ extra: { reply_markup: { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] } } });
    expect(planTelegramSend({ ...base, text: '  ' })).toEqual([]);
    expect(planTelegramSend({ ...base, text: '', reaction: { targetChannelMessageId: '777001:9', emoji: '❤️' } })).toEqual([{ kind: 'reaction', messageId: 9, emoji: '❤' }]);
  });
});

// ---------------------------------------------------------------------------------------------
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const WORKSPACE = 'a'.repeat(24);

describe('the telegraf client against the fake Bot API', () => {
  let fake: FakeTelegram;
  let mediaDir: string;
  let config: Config;
  let vault: KeyVault;
  const token = fakeBotToken(6001001);
  const logger = createLogger('telegram-test', 'silent');
  const chatId = 555000111;

  const channelFor = (botToken: string): Channel =>
    ({
      _id: new mongoose.Types.ObjectId(),
      type: 'telegram',
      settings: { routingKey: botToken.split(':')[0], botId: Number(botToken.split(':')[0]), username: 'toko_bot' },
      secrets: sealSecrets(vault, { botToken, webhookSecret: 'secret_secret_secret' }),
    }) as unknown as Channel;
  const outbound = (text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
    messageId: `msg-${Math.random()}`,
    storedMessageId: new mongoose.Types.ObjectId().toString(),
    conversationId: 'c1',
    contactExternalId: String(chatId),
    text,
    ...extra,
  });
  const configWith = (env: Record<string, string>) => loadConfig({ ...process.env, TELEGRAM_API_ROOT: fake.url, MEDIA_DIR: mediaDir, ...env });

  beforeAll(async () => {
    fake = await startFakeTelegram();
    fake.addBot({ token, username: 'toko_bot', firstName: 'Toko' });
    fake.addChat(chatId, { firstName: 'Budi' });
    mediaDir = await mkdtemp(path.join(tmpdir(), 'sapa-telegram-'));
    config = configWith({ CHANNEL_RATE_LIMIT_MAX_WAIT_MS: '5000' });
    vault = new KeyVault(config.SAPA_MASTER_KEYS);
  });
  afterAll(async () => {
    await fake.close();
    await rm(mediaDir, { recursive: true, force: true });
  });

  it('sends a text that lands in the fake with the right chat and text', async () => {
    const sender = createTelegramSender({ config, vault, logger });
    const before = fake.sentMessages(chatId).length;
    const result = await sender.send(channelFor(token), outbound('Halo, ada yang bisa dibantu? Harga: Rp 10.000 (promo!)'), {});
    const sent = fake.sentMessages(chatId).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'sendMessage', chatId: String(chatId), text: 'Halo, ada yang bisa dibantu? Harga: Rp 10.000 (promo!)' });
    expect(sent[0]!.parseMode).toBeUndefined();
    expect(result).toEqual({ status: 'sent', providerMessageId: `${chatId}:${sent[0]!.messageId}` });
    // telegraf sends JSON for calls without files.
    expect(fake.callsOf('sendMessage').at(-1)!.params.chat_id).toBe(chatId);
  });

  it('sends a 5000-character answer as two messages, quoting the customer and with the keyboard last', async () => {
    const incoming = fake.textUpdate({ chatId, text: 'Ceritakan semuanya' });
    await fake.deliverUpdate(token, incoming); // no webhook: queued, but the chat now has the message
    const quotedId = (incoming.message as { message_id: number }).message_id;
    const sender = createTelegramSender({ config, vault, logger });
    const before = fake.sentMessages(chatId).length;
    const text = `${'Paragraf pertama. '.repeat(150)}\n\n${'Paragraf kedua. '.repeat(150)}`;
    expect(text.length).toBeGreaterThan(4096);
    const result = await sender.send(channelFor(token), outbound(text, { replyTo: `${chatId}:${quotedId}`, buttons: [{ id: 'more', title: 'Lagi' }] }), {});
    const sent = fake.sentMessages(chatId).slice(before);
    expect(sent).toHaveLength(2);
    expect(sent.map((m) => m.text!.length).every((n) => n <= 4096)).toBe(true);
    expect(sent[0]!.replyToMessageId).toBe(quotedId);
    expect(sent[0]!.replyMarkup).toBeUndefined();
    expect(sent[1]!.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'Lagi', callback_data: 'more' }]] });
    expect(result.providerMessageId).toBe(`${chatId}:${sent[0]!.messageId}`);
  });

  it('sends buttons and list rows as an inline keyboard the fake accepts (long ids shortened to 64 bytes)', async () => {
    const sender = createTelegramSender({ config, vault, logger });
    const longId = `katalog:${'x'.repeat(100)}`;
    await sender.send(channelFor(token), outbound('Pilih menu:', { list: { button: 'Menu', sections: [{ title: 'Makanan', rows: [{ id: 'nasi', title: 'Nasi' }, { id: longId, title: 'Katalog' }] }] } }), {});
    const last = fake.sentMessages(chatId).at(-1)!;
    expect(last.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'Nasi', callback_data: 'nasi' }], [{ text: 'Katalog', callback_data: callbackDataFor(longId) }]] });

    // The customer presses the button: the update the fake builds parses back to the same id and title.
    const press = parseTelegramUpdate(fake.callbackUpdate({ chatId, data: 'nasi' }));
    expect(press).toMatchObject({ kind: 'callback', inbound: { kind: 'interactive', text: 'Nasi', details: { interactive: { id: 'nasi', title: 'Nasi', source: 'callback' } }, replyTo: `${chatId}:${last.messageId}` } });
  });

  it('uploads a photo and a document as multipart and they land with their bytes', async () => {
    const store = new MediaStore(config.mediaDir);
    const photoKey = await store.put(WORKSPACE, PNG);
    const pdf = Buffer.from('%PDF-1.4\n%fake pdf for tests\n');
    const pdfKey = await store.put(WORKSPACE, pdf);
    const sender = createTelegramSender({ config, vault, logger });
    await sender.send(channelFor(token), outbound('Ini fotonya', { media: { storageKey: photoKey, mimeType: 'image/png', kind: 'image', fileName: 'produk.png' } }), {});
    await sender.send(channelFor(token), outbound('', { media: { storageKey: pdfKey, mimeType: 'application/pdf', kind: 'document', fileName: 'katalog.pdf' } }), {});
    const [photo, document] = fake.sentMessages(chatId).slice(-2);
    expect(photo).toMatchObject({ method: 'sendPhoto', caption: 'Ini fotonya', file: { fileName: 'produk.png' } });
    expect(photo!.file!.bytes.equals(PNG)).toBe(true);
    expect(document).toMatchObject({ method: 'sendDocument', file: { fileName: 'katalog.pdf' } });
    expect(document!.file!.bytes.equals(pdf)).toBe(true);
    expect(document!.caption).toBeUndefined();
    // Uploaded as multipart files, not as JSON strings.
    expect(fake.callsOf('sendPhoto').at(-1)!.files.photo).toMatchObject({ fileName: 'produk.png' });
    expect(fake.callsOf('sendDocument').at(-1)!.files.document).toMatchObject({ fileName: 'katalog.pdf' });
  });

  it('does not resend the parts that went out when a retry follows a partial failure', async () => {
    const store = new MediaStore(config.mediaDir);
    const key = await store.put(WORKSPACE, PNG);
    const sender = createTelegramSender({ config, vault, logger });
    const message = outbound('y'.repeat(2000), { media: { storageKey: key, mimeType: 'image/png', kind: 'image' } });
    const before = fake.sentMessages(chatId).length;
    fake.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
    await expect(sender.send(channelFor(token), message, {})).rejects.toMatchObject({ kind: 'transient' });
    const result = await sender.send(channelFor(token), message, {});
    const sent = fake.sentMessages(chatId).slice(before);
    expect(sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(result.providerMessageId).toBe(`${chatId}:${sent[0]!.messageId}`);
  });

  it('honours 429 retry_after and then sends', async () => {
    const sender = createTelegramSender({ config, vault, logger });
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    const before = fake.requests.length;
    const result = await sender.send(channelFor(token), outbound('setelah antre'), {});
    expect(result.status).toBe('sent');
    expect(fake.requests.slice(before).map((r) => r.status)).toEqual([429, 200]);
    expect(fake.sentMessages(chatId).at(-1)!.text).toBe('setelah antre');
  });

  it('gives up with rate_limited (and the wait Telegram asked for) past the configured budget', async () => {
    const impatient = configWith({ CHANNEL_RATE_LIMIT_MAX_WAIT_MS: '100' });
    const sender = createTelegramSender({ config: impatient, vault, logger });
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 35', retry_after: 35 });
    const before = fake.requests.length;
    const error = await sender.send(channelFor(token), outbound('nanti'), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelSendError);
    expect(error).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 35_000 } });
    expect((error as ChannelSendError).retryable).toBe(true);
    expect(fake.requests.length - before).toBe(1);
  });

  it('maps 401 to auth, 403 blocked to permanent "blocked", unknown chats and 5xx by meaning', async () => {
    const sender = createTelegramSender({ config, vault, logger });
    await expect(sender.send(channelFor(fakeBotToken(6009999)), outbound('x'), {})).rejects.toMatchObject({ kind: 'auth', details: { code: 'unauthorized' } });

    const blocked = 555000222;
    fake.addChat(blocked);
    fake.blockChat(blocked);
    const error = await sender.send(channelFor(token), outbound('x', { contactExternalId: String(blocked) }), {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'permanent', details: { code: 'blocked' } });
    expect((error as Error).message).toContain('bot was blocked by the user');

    fake.addChat(555000333, { started: false });
    await expect(sender.send(channelFor(token), outbound('x', { contactExternalId: '555000333' }), {})).rejects.toMatchObject({ kind: 'permanent', details: { code: 'blocked' } });
    await expect(sender.send(channelFor(token), outbound('x', { contactExternalId: '404404' }), {})).rejects.toMatchObject({ kind: 'permanent', details: { code: 'chat_not_found' } });
    fake.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' });
    await expect(sender.send(channelFor(token), outbound('x'), {})).rejects.toMatchObject({ kind: 'transient' });

    const unreachable = createTelegramSender({ config: loadConfig({ ...process.env, TELEGRAM_API_ROOT: 'http://127.0.0.1:9' }), vault, logger });
    await expect(unreachable.send(channelFor(token), outbound('x'), {})).rejects.toMatchObject({ kind: 'transient', details: { code: 'network' } });
    await expect(sender.send(channelFor(token), outbound('', { template: { name: 'promo', language: 'id' } }), {})).rejects.toMatchObject({ kind: 'permanent', details: { code: 'nothing_to_send' } });
  });

  it('reacts to a customer message with an emoji Telegram allows', async () => {
    const incoming = fake.textUpdate({ chatId, text: 'Terima kasih!' });
    await fake.deliverUpdate(token, incoming);
    const target = `${chatId}:${(incoming.message as { message_id: number }).message_id}`;
    const sender = createTelegramSender({ config, vault, logger });
    expect(await sender.send(channelFor(token), outbound('', { reaction: { targetChannelMessageId: target, emoji: '❤️' } }), {})).toEqual({ status: 'sent' });
    expect(fake.callsOf('setMessageReaction').at(-1)!.params).toMatchObject({ chat_id: chatId, reaction: [{ type: 'emoji', emoji: '❤' }] });
  });

  it('acknowledge sends "typing" and never throws', async () => {
    const sender = createTelegramSender({ config, vault, logger });
    await sender.acknowledge!(channelFor(token), { contactExternalId: String(chatId), channelMessageId: `${chatId}:1` });
    expect(fake.callsOf('sendChatAction').at(-1)!.params).toMatchObject({ chat_id: chatId, action: 'typing' });
    await expect(sender.acknowledge!(channelFor(fakeBotToken(6009998)), { contactExternalId: String(chatId), channelMessageId: 'x' })).resolves.toBeUndefined();
    await expect(sender.acknowledge!(channelFor(token), { contactExternalId: '404404', channelMessageId: 'x' })).resolves.toBeUndefined();
    const broken = { ...channelFor(token), secrets: 'v1.garbage' } as Channel;
    await expect(sender.acknowledge!(broken, { contactExternalId: String(chatId), channelMessageId: 'x' })).resolves.toBeUndefined();
  });

  it('connectTelegramBot validates the token and sets the webhook with the secret', async () => {
    await expect(connectTelegramBot(config, { botToken: 'not-a-token', webhookUrl: 'https://hub.example.com/x', webhookSecret: 'abcdefghijklmnop' })).rejects.toMatchObject({
      name: 'TelegramConnectError',
      reason: 'invalid_token',
    });
    const unknown = await connectTelegramBot(config, { botToken: fakeBotToken(6007777), webhookUrl: 'https://hub.example.com/x', webhookSecret: 'abcdefghijklmnop' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(TelegramConnectError);
    expect(unknown).toMatchObject({ reason: 'invalid_token', message: expect.stringMatching(/did not accept this bot token/) });

    const webhookUrl = 'https://sapa.example.com/v1/webhooks/telegram/abc123';
    const bot = await connectTelegramBot(config, { botToken: token, webhookUrl, webhookSecret: 'Secret_Token-1234567890' });
    expect(bot).toEqual({ botId: 6001001, username: 'toko_bot' });
    expect(fake.webhookOf(token)).toMatchObject({ url: webhookUrl, secretToken: 'Secret_Token-1234567890', allowedUpdates: ['message', 'edited_message', 'callback_query', 'my_chat_member'] });
    const info = await telegramFor(config, token).getWebhookInfo();
    expect(info).toMatchObject({ url: webhookUrl, allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member'] });
    expect(fake.callsOf('setWebhook').at(-1)!.params).toMatchObject({ drop_pending_updates: false });

    await expect(connectTelegramBot(config, { botToken: token, webhookUrl, webhookSecret: 'bad secret!' })).rejects.toMatchObject({ reason: 'webhook_rejected' });
    await expect(connectTelegramBot(config, { botToken: token, webhookUrl: 'http://sapa.example.com/hook', webhookSecret: 'abcdefghijklmnop' })).rejects.toMatchObject({ reason: 'webhook_rejected' });

    await disconnectTelegramBot(config, token);
    expect(fake.webhookOf(token)).toBeUndefined();
    await expect(disconnectTelegramBot(config, fakeBotToken(6007777))).resolves.toBeUndefined();
  });

  it('answerCallback answers a pressed button once and never throws', async () => {
    const update = fake.callbackUpdate({ chatId, data: 'yes', buttonText: 'Ya' });
    await fake.deliverUpdate(token, update);
    const id = (update.callback_query as { id: string }).id;
    expect(await answerCallback(config, token, id)).toBe(true);
    expect(fake.answeredCallbacks).toContain(id);
    expect(await answerCallback(config, token, id)).toBe(false); // too old / already answered
    expect(await answerCallback(config, fakeBotToken(6007777), id)).toBe(false);
  });

  it('the media fetcher downloads a customer file with a size limit', async () => {
    const fetcher = createTelegramMediaFetcher({ config, vault, logger });
    const voice = Buffer.from('OggS fake voice note bytes');
    const fileId = fake.addFile(voice, 'audio/ogg');
    const inbound = parseTelegramUpdate(fake.mediaUpdate({ chatId, kind: 'voice', fileId }));
    const media = expectMessage(inbound).media!;
    expect(media).toMatchObject({ providerMediaId: fileId, voice: true });
    const fetched = await fetcher.fetch(channelFor(token), media, 1024 * 1024);
    expect(fetched.bytes.equals(voice)).toBe(true);
    expect(fetched.mimeType).toBe('audio/ogg');

    const photoId = fake.addFile(PNG, 'image/png');
    const photo = await fetcher.fetch(channelFor(token), { providerMediaId: photoId }, 1024 * 1024);
    expect(photo).toMatchObject({ mimeType: 'image/png' });

    const big = fake.addFile(Buffer.alloc(5000, 1), 'application/pdf');
    await expect(fetcher.fetch(channelFor(token), { providerMediaId: big }, 4096)).rejects.toBeInstanceOf(MediaTooLargeError);
    await expect(fetcher.fetch(channelFor(token), { providerMediaId: big, size: 5000 }, 4096)).rejects.toBeInstanceOf(MediaTooLargeError);
    await expect(fetcher.fetch(channelFor(token), { providerMediaId: 'unknown-file' }, 4096)).rejects.toMatchObject({ kind: 'permanent' });
  });
});

// ---------------------------------------------------------------------------------------------
describe('the fake Bot API itself', () => {
  let fake: FakeTelegram;
  const token = fakeBotToken(7001001);
  const call = async (method: string, body?: unknown, init: RequestInit = {}) => {
    const response = await fetch(`${fake.url}/bot${token}/${method}`, {
      method: 'POST',
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      ...init,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    fake = await startFakeTelegram();
    fake.addBot({ token, username: 'fake_bot' });
    fake.addChat(42);
  });
  afterAll(() => fake.close());

  it('rejects broken input with the Bot API envelopes and matching HTTP statuses', async () => {
    expect(await call('sendMessage', { chat_id: 42, text: '' })).toEqual({ status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } });
    expect((await call('sendMessage', { chat_id: 42, text: 'a'.repeat(4097) })).body.description).toBe('Bad Request: message is too long');
    expect((await call('sendMessage', { chat_id: 43, text: 'hi' })).body.description).toBe('Bad Request: chat not found');
    const unauthorized = await fetch(`${fake.url}/bot${fakeBotToken(7009999)}/getMe`);
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    expect(await call('sendSmokeSignal', {})).toEqual({ status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } });
    expect((await fetch(`${fake.url}/botnot-a-token/getMe`)).status).toBe(404);
    expect((await fetch(`${fake.url}/somewhere`)).status).toBe(404);
  });

  it('checks parse_mode syntax and counts only visible characters', async () => {
    const bad = await call('sendMessage', { chat_id: 42, text: 'Harga Rp 10.000', parse_mode: 'MarkdownV2' });
    expect(bad.status).toBe(400);
    expect(bad.body.description).toMatch(/^Bad Request: can't parse entities: Character '\.' is reserved/);
    expect((await call('sendMessage', { chat_id: 42, text: '*tebal', parse_mode: 'MarkdownV2' })).body.description).toMatch(/can't parse entities: Can't find end of Bold entity/);
    expect((await call('sendMessage', { chat_id: 42, text: '<blink>x</blink>', parse_mode: 'HTML' })).body.description).toMatch(/Unsupported start tag "blink"/);
    expect((await call('sendMessage', { chat_id: 42, text: '<b>x</i>', parse_mode: 'HTML' })).body.description).toMatch(/can't parse entities/);
    const ok = await call('sendMessage', { chat_id: 42, text: '*Harga* Rp 10\\.000 [toko](https://toko.id)', parse_mode: 'MarkdownV2' });
    expect(ok.status).toBe(200);
    expect((ok.body.result as { text: string }).text).toBe('Harga Rp 10.000 toko');
    const html = await call('sendMessage', { chat_id: 42, text: `<b>${'a'.repeat(4096)}</b> &amp;`, parse_mode: 'HTML' });
    expect(html.body.description).toBe('Bad Request: message is too long');
    expect((await call('sendMessage', { chat_id: 42, text: `<b>${'a'.repeat(4000)}</b>`, parse_mode: 'HTML' })).status).toBe(200);
  });

  it('validates inline keyboards and callback_data size', async () => {
    const keyboard = (button: Record<string, unknown>) => ({ chat_id: 42, text: 'pilih', reply_markup: { inline_keyboard: [[button]] } });
    expect((await call('sendMessage', keyboard({ text: 'A', callback_data: 'x'.repeat(65) }))).body.description).toBe('Bad Request: BUTTON_DATA_INVALID');
    expect((await call('sendMessage', keyboard({ text: 'A' }))).body.description).toBe('Bad Request: text buttons are unallowed in the inline keyboard');
    expect((await call('sendMessage', { chat_id: 42, text: 'x', reply_markup: { inline_keyboard: 'nope' } })).status).toBe(400);
    expect((await call('sendMessage', keyboard({ text: 'A', callback_data: 'x'.repeat(64) }))).status).toBe(200);
  });

  it('accepts query strings, urlencoded forms and case-insensitive method names', async () => {
    const viaQuery = await fetch(`${fake.url}/bot${token}/SENDMESSAGE?chat_id=42&text=dari%20query`);
    expect(viaQuery.status).toBe(200);
    const viaForm = await fetch(`${fake.url}/bot${token}/test/sendmessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: '42', text: 'dari form', reply_markup: JSON.stringify({ inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] }) }),
    });
    expect(viaForm.status).toBe(200);
    expect(fake.sentMessages(42).slice(-2).map((m) => m.text)).toEqual(['dari query', 'dari form']);
    expect(fake.sentMessages(42).at(-1)!.replyMarkup).toEqual({ inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] });
  });

  it('refuses getUpdates while a webhook is set, and queues updates for polling otherwise', async () => {
    await fake.deliverUpdate(token, fake.textUpdate({ chatId: 42, text: 'polled' }));
    const polled = await call('getUpdates', { offset: 0 });
    expect(((polled.body.result as Array<{ message: { text: string } }>)[0]!).message.text).toBe('polled');
    expect((await call('setWebhook', { url: 'https://hub.example.com/hook', secret_token: 'has space' })).body.description).toBe('Bad Request: secret token contains unallowed characters');
    expect(await call('setWebhook', { url: 'https://hub.example.com/hook' })).toEqual({ status: 200, body: { ok: true, result: true, description: 'Webhook was set' } });
    const conflict = await call('getUpdates', {});
    expect(conflict.status).toBe(409);
    expect(conflict.body.description).toMatch(/^Conflict: can't use getUpdates method while webhook is active/);
    await call('deleteWebhook', {});
    expect((await call('getFile', { file_id: 'nope' })).body.description).toBe('Bad Request: wrong file_id or the file is temporarily unavailable');
  });

  it('delivers updates to the webhook with the secret, retries failures, and applies webhook replies', async () => {
    const received: Array<{ secret: string | undefined; body: Record<string, unknown> }> = [];
    let failuresLeft = 1;
    const hub = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        received.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined, body });
        if (failuresLeft-- > 0) return res.writeHead(500).end('oops');
        // Answer inside the webhook response, like telegraf's webhookReply.
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: 'sendChatAction', chat_id: 42, action: 'typing' }));
      });
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    try {
      const port = (hub.address() as { port: number }).port;
      expect((await call('setWebhook', { url: `http://127.0.0.1:${port}/hook`, secret_token: 'S3cret_token', allowed_updates: ['message'] })).status).toBe(200);
      const update = fake.textUpdate({ chatId: 42, text: 'via webhook' });
      const result = await fake.deliverUpdate(token, update);
      expect(result).toEqual({ delivered: true, status: 200, attempts: 2 });
      expect(received).toHaveLength(2);
      expect(received.every((r) => r.secret === 'S3cret_token')).toBe(true);
      expect(received[1]!.body).toEqual(update);
      expect(fake.calls.at(-1)).toMatchObject({ method: 'sendChatAction', viaWebhookReply: true, params: { chat_id: 42, action: 'typing' } });
      expect((await call('getWebhookInfo')).body.result).toMatchObject({ url: `http://127.0.0.1:${port}/hook`, last_error_message: 'Wrong response from the webhook: 500 Internal Server Error' });

      // allowed_updates: ['message'] → a callback query is never sent.
      expect(await fake.deliverUpdate(token, fake.callbackUpdate({ chatId: 42, data: 'x' }))).toMatchObject({ delivered: false, filtered: true });
      // The update ids increase, and the fake's updates are what the adapter parses.
      const next = fake.textUpdate({ chatId: 42, text: 'lagi' });
      expect(next.update_id).toBeGreaterThan(update.update_id as number);
      expect(parseTelegramUpdate(next)).toMatchObject({ kind: 'message', inbound: { externalContactId: '42', text: 'lagi' } });
      expect(parseTelegramUpdate(fake.blockedUpdate({ chatId: 42, token }))).toMatchObject({ kind: 'membership', chatId: '42', blocked: true });
    } finally {
      await call('deleteWebhook', {});
      await new Promise<void>((resolve) => hub.close(() => resolve()));
    }
  });

  it('a delivered "kicked" update blocks the chat: sends then get 403', async () => {
    fake.addChat(4242);
    await fake.deliverUpdate(token, fake.blockedUpdate({ chatId: 4242, token }));
    expect(await call('sendMessage', { chat_id: 4242, text: 'halo' })).toEqual({ status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } });
    await fake.deliverUpdate(token, fake.blockedUpdate({ chatId: 4242, blocked: false, token }));
    expect((await call('sendMessage', { chat_id: 4242, text: 'halo' })).status).toBe(200);
  });
});
