/**
 * The gateway's channel webhooks: WhatsApp Cloud (Meta's signature over the raw bytes, the
 * verification handshake, delivery reports in any order) and Telegram (the secret token header).
 * Forged or malformed requests get a 4xx and change nothing.
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactModel, ConversationModel, EventModel, MessageModel, linkProviderMessage, setOutboundStatus } from '@sapa/shared';
import { FIXTURES_DIR, TestStack, createTelegramChannel, createWhatsappCloudChannel } from '@sapa/testkit';
import { metaJson, statusWebhook, textWebhook, type MetaWebhookPayload } from '@sapa/testkit/fakes/whatsapp-graph';

const FIXTURES = FIXTURES_DIR;
const SIGNED = {
  body: () => readFile(path.join(FIXTURES, 'whatsapp-cloud/pywa-signed-text.raw-body.json')),
  meta: async () => JSON.parse(await readFile(path.join(FIXTURES, 'whatsapp-cloud/pywa-signed-text.signature.json'), 'utf8')),
};
const TELEGRAM_SECRET = 'tg-secret_0123456789abcdef';

describe('channel webhooks', () => {
  let stack: TestStack;
  let whatsappId: string;
  let telegramId: string;
  let signedSecret: string;
  const counts = () => Promise.all([MessageModel.countDocuments(), ConversationModel.countDocuments(), ContactModel.countDocuments()]);

  beforeAll(async () => {
    // No worker: these tests are about what the edge accepts and stores.
    stack = await TestStack.start({ worker: 'none' });
    signedSecret = (await SIGNED.meta()).app_secret;
    // The number of the signed sample (phone_number_id 277321005464405), with pywa's (revoked) app secret.
    whatsappId = String(
      (await createWhatsappCloudChannel(stack.config, stack.seed, { phoneNumberId: '277321005464405', appSecret: signedSecret }))._id,
    );
    telegramId = String(
      (await createTelegramChannel(stack.config, stack.seed, { botToken: '123456:AAtest-token-abcdefghijklmnop', botId: 123456, username: 'toko_bot', webhookSecret: TELEGRAM_SECRET }))._id,
    );
  });
  afterAll(async () => stack?.stop());

  const postWhatsapp = (body: Buffer | string, signature?: string, channelId = whatsappId) =>
    fetch(`${stack.gatewayUrl}/v1/webhooks/whatsapp/${channelId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'en', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
  const sign = (body: Buffer | string, secret = signedSecret) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  /** A webhook built with testkit's Meta helpers, serialised and signed as Meta does. */
  const postSigned = (payload: MetaWebhookPayload) => {
    const body = metaJson(payload);
    return postWhatsapp(body, sign(body));
  };
  const SIGNED_NUMBER = '277321005464405';

  it('stores the signed sample fed byte-exact, and a redelivery changes nothing', async () => {
    const body = await SIGNED.body();
    const { header_value } = await SIGNED.meta();
    const res = await postWhatsapp(body, header_value);
    expect(res.status).toBe(200);
    const stored = await MessageModel.findOne({ channelMessageId: /^wamid\.HBgMOTcyNTQ0NDAxMjQz/ }).lean();
    expect(stored).toMatchObject({ text: 'Hey there! I am using PyWa.', direction: 'inbound', author: 'customer', type: 'text' });
    const contact = await ContactModel.findOne({ externalId: '972544401243' }).lean();
    expect(contact?.name).toBe('PyWa Tests');

    const before = await counts();
    expect((await postWhatsapp(body, header_value)).status).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it('rejects forged, missing and legacy signatures with 401 and stores nothing', async () => {
    const body = await SIGNED.body();
    const { header_value } = await SIGNED.meta();
    const tampered = Buffer.from(body);
    tampered[tampered.indexOf('Hey')] = 'J'.charCodeAt(0);
    const before = await counts();
    for (const [payload, signature] of [
      [tampered, header_value],
      [body, undefined],
      [body, sign(body, 'not-the-app-secret')],
      [body, `sha1=${createHmac('sha1', signedSecret).update(body).digest('hex')}`],
      [body, 'sha256=zz'],
    ] as const) {
      const res = await postWhatsapp(payload, signature);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toBe('unauthorized');
    }
    expect(await counts()).toEqual(before);
  });

  it('answers the verification handshake only with the right token', async () => {
    const url = (q: string) => `${stack.gatewayUrl}/v1/webhooks/whatsapp/${whatsappId}?${q}`;
    const ok = await fetch(url('hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=test-verify-token-0001'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(url('hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong'))).status).toBe(403);
    expect((await fetch(url('hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=test-verify-token-0001'))).status).toBe(403);
    expect((await fetch(url('hub.challenge=1'))).status).toBe(403);
  });

  it('answers 404 for unknown, malformed or other-type channel ids, and 400 for a signed non-JSON body', async () => {
    const body = await SIGNED.body();
    expect((await postWhatsapp(body, sign(body), new mongoose.Types.ObjectId().toHexString())).status).toBe(404);
    expect((await postWhatsapp(body, sign(body), 'not-an-id')).status).toBe(404);
    expect((await postWhatsapp(body, sign(body), telegramId)).status).toBe(404);
    const before = await counts();
    const garbage = '{"object": "whatsapp_business_account", "entry": [';
    const res = await postWhatsapp(garbage, sign(garbage));
    expect(res.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('acknowledges events for a number Sapa does not know without storing them', async () => {
    const body = (await SIGNED.body()).toString().replace('277321005464405', '999999999999999');
    const before = await counts();
    expect((await postWhatsapp(body, sign(body))).status).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it('routes events for another number of the same Meta app to that number, never to another app', async () => {
    const sibling = await createWhatsappCloudChannel(stack.config, stack.seed, { phoneNumberId: '277321005464406', appSecret: signedSecret });
    const stranger = await createWhatsappCloudChannel(stack.config, stack.seed, { phoneNumberId: '277321005464407', appSecret: 'another-apps-secret' });
    const text = (phoneNumberId: string, id: string, body: string) =>
      textWebhook({ phoneNumberId, from: '6281200000001', name: 'Ani', id, text: body, timestamp: '1730231903' });
    // One delivery carrying events for two numbers, as Meta batches an app's numbers.
    const payload = text('277321005464406', 'wamid.SIBLING-1', 'untuk nomor kedua');
    payload.entry[0]!.changes.push(...text('277321005464407', 'wamid.STRANGER-1', 'untuk aplikasi lain').entry[0]!.changes);
    expect((await postSigned(payload)).status).toBe(200);
    expect(await MessageModel.findOne({ channelMessageId: 'wamid.SIBLING-1' }).lean()).toMatchObject({ channelId: sibling._id, text: 'untuk nomor kedua' });
    expect(await MessageModel.countDocuments({ channelId: stranger._id })).toBe(0);
  });

  it('applies delivery reports forward only, whatever their order or repetition', async () => {
    const conversation = await ConversationModel.findOne({ channelId: new mongoose.Types.ObjectId(whatsappId) }).lean();
    const wamid = 'wamid.OUTBOUND-REPORT-TEST';
    const outbound = await MessageModel.create({
      workspaceId: conversation!.workspaceId,
      conversationId: conversation!._id,
      channelId: conversation!.channelId,
      channelMessageId: 'sapa-outbound-1',
      direction: 'outbound',
      author: 'bot',
      text: 'Halo!',
      status: 'sent',
    });
    await linkProviderMessage(conversation!.channelId, wamid, outbound._id); // as the delivery activity does after the send
    const report = (status: 'sent' | 'delivered' | 'read' | 'failed', errors?: Array<{ code: number; title?: string; details?: string }>) =>
      postSigned(statusWebhook({ phoneNumberId: SIGNED_NUMBER, wamid, status, recipientId: '972544401243', ...(errors ? { errors } : {}) }));
    const statusNow = async () => (await MessageModel.findById(outbound._id).lean())?.status;

    expect((await report('read')).status).toBe(200);
    expect(await statusNow()).toBe('read');
    expect((await report('delivered')).status).toBe(200); // late, out of order
    expect((await report('sent')).status).toBe(200); // retried
    expect((await report('read')).status).toBe(200); // duplicate
    expect(await statusNow()).toBe('read');
    await report('failed', [{ code: 131026, title: 'Message undeliverable', details: 'x' }]);
    expect(await statusNow()).toBe('read'); // a read message cannot fail afterwards
    expect(await EventModel.countDocuments({ type: 'messageUpdated', 'data.messageId': String(outbound._id) })).toBe(1);

    // An asynchronous 131047 (the 24-hour window) marks a sent message failed with that meaning.
    const second = await MessageModel.create({
      workspaceId: conversation!.workspaceId,
      conversationId: conversation!._id,
      channelId: conversation!.channelId,
      channelMessageId: 'sapa-outbound-2',
      direction: 'outbound',
      author: 'agent',
      text: 'Halo lagi',
      status: 'sent',
    });
    await linkProviderMessage(conversation!.channelId, 'wamid.WINDOW-CLOSED', second._id);
    const closed = statusWebhook({
      phoneNumberId: SIGNED_NUMBER,
      wamid: 'wamid.WINDOW-CLOSED',
      status: 'failed',
      errors: [{ code: 131047, title: 'Re-engagement message', details: 'more than 24 hours' }],
    });
    expect((await postSigned(closed)).status).toBe(200);
    const failed = await MessageModel.findById(second._id).lean();
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'window_closed' });
  });

  it('keeps a report that arrives before the send is recorded, and applies it when it is', async () => {
    const conversation = await ConversationModel.findOne({ channelId: new mongoose.Types.ObjectId(whatsappId) }).lean();
    const outbound = await MessageModel.create({
      workspaceId: conversation!.workspaceId,
      conversationId: conversation!._id,
      channelId: conversation!.channelId,
      channelMessageId: 'sapa-outbound-early',
      direction: 'outbound',
      author: 'bot',
      text: 'Secepat kilat',
      status: 'pending',
    });
    // Meta's "delivered" beats the send call's own response.
    const early = statusWebhook({ phoneNumberId: SIGNED_NUMBER, wamid: 'wamid.EARLY', status: 'delivered' });
    expect((await postSigned(early)).status).toBe(200);
    expect((await MessageModel.findById(outbound._id).lean())?.status).toBe('pending');
    // Then the delivery activity records the send's result.
    await setOutboundStatus(outbound._id, 'sent', { provider: { channelId: conversation!.channelId, messageId: 'wamid.EARLY' } });
    expect(await MessageModel.findById(outbound._id).lean()).toMatchObject({ status: 'delivered', providerMessageId: 'wamid.EARLY' });
  });

  describe('telegram', () => {
    const postTelegram = (update: unknown, secret?: string, channelId = telegramId) =>
      fetch(`${stack.gatewayUrl}/v1/webhooks/telegram/${channelId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
        body: typeof update === 'string' ? update : JSON.stringify(update),
      });
    const sample = async () => JSON.parse(await readFile(path.join(FIXTURES, 'telegram/teloxide-04-private-text.json'), 'utf8'));

    it('rejects a missing or wrong secret token with 403 and stores nothing', async () => {
      const before = await counts();
      expect((await postTelegram(await sample())).status).toBe(403);
      expect((await postTelegram(await sample(), 'wrong-secret-0123456789')).status).toBe(403);
      expect((await postTelegram(await sample(), TELEGRAM_SECRET, whatsappId)).status).toBe(404);
      expect(await counts()).toEqual(before);
    });

    it('stores a private message once however often it is delivered', async () => {
      const update = await sample();
      expect((await postTelegram(update, TELEGRAM_SECRET)).status).toBe(200);
      expect((await postTelegram(update, TELEGRAM_SECRET)).status).toBe(200);
      const stored = await MessageModel.find({ channelId: new mongoose.Types.ObjectId(telegramId) }).lean();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ text: '4', channelMessageId: '408258968:154' });
    });

    it('marks the contact blocked when the customer blocks the bot, and unblocked after', async () => {
      const member = (status: string, updateId: number) => ({
        update_id: updateId,
        my_chat_member: {
          chat: { id: 408258968, type: 'private', first_name: 'Hirrolot' },
          from: { id: 408258968, is_bot: false, first_name: 'Hirrolot' },
          date: 1581448900,
          old_chat_member: { status: status === 'kicked' ? 'member' : 'kicked', user: { id: 1, is_bot: true, first_name: 'Toko' } },
          new_chat_member: { status, user: { id: 1, is_bot: true, first_name: 'Toko' }, ...(status === 'kicked' ? { until_date: 0 } : {}) },
        },
      });
      expect((await postTelegram(member('kicked', 900), TELEGRAM_SECRET)).status).toBe(200);
      expect((await ContactModel.findOne({ externalId: '408258968' }).lean())?.blocked).toBe(true);
      expect((await postTelegram(member('member', 901), TELEGRAM_SECRET)).status).toBe(200);
      expect((await ContactModel.findOne({ externalId: '408258968' }).lean())?.blocked).toBe(false);
    });

    it('answers 400 to a body that is not JSON, and acknowledges updates it ignores', async () => {
      const before = await counts();
      expect((await postTelegram('{"update_id": ', TELEGRAM_SECRET)).status).toBe(400);
      expect((await postTelegram({ update_id: 5, inline_query: { id: '1', from: { id: 1, is_bot: false, first_name: 'x' }, query: 'q', offset: '' } }, TELEGRAM_SECRET)).status).toBe(200);
      expect(await counts()).toEqual(before);
    });
  });
});
