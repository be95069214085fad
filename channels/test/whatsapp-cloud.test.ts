/**
 * The WhatsApp Cloud API adapter: webhook parsing against real payloads, signatures byte for byte,
 * error classification, outbound bodies, and the sender and media fetcher against testkit's fake
 * Graph API (which validates bodies, tokens and limits like Meta).
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  KeyVault,
  MediaStore,
  MediaTooLargeError,
  createLogger,
  loadConfig,
  sealSecrets,
  type Channel,
  type Config,
} from '@sapa/shared';
import {
  deliverWebhook,
  metaJson,
  messageWebhook,
  signMetaBody,
  startFakeGraph,
  statusWebhook,
  textWebhook,
  type FakeGraph,
} from '@sapa/testkit/fakes/whatsapp-graph';
import { ChannelSendError, type ChannelSender, type MediaFetcher, type NormalizedInbound, type OutboundMessage } from '../src/types';
import { verifyChallenge, verifyMetaSignature } from '../src/whatsapp-cloud/signature';
import { parseWebhook, type WhatsappWebhookEvent } from '../src/whatsapp-cloud/webhook';
import { classifyGraphError } from '../src/whatsapp-cloud/errors';
import { FIXTURES_DIR } from '@sapa/testkit/fixtures';
import { GraphApiError, GraphClient, GraphNetworkError } from '../src/whatsapp-cloud/graph-client';
import { buildMessageBodies, renderText, splitText, truncate } from '../src/whatsapp-cloud/outbound';
import { createWhatsappCloudMediaFetcher, createWhatsappCloudSender } from '../src/whatsapp-cloud/sender';

const FIXTURES = path.join(FIXTURES_DIR, 'whatsapp-cloud');
const fixtureText = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
const fixture = (name: string): unknown => JSON.parse(fixtureText(name));

function onlyEvent(body: unknown): WhatsappWebhookEvent {
  const parsed = parseWebhook(body);
  expect(parsed.skipped).toBe(0);
  expect(parsed.events).toHaveLength(1);
  return parsed.events[0]!;
}
const inboundOf = (name: string): NormalizedInbound => {
  const event = onlyEvent(fixture(name));
  expect(event.phoneNumberId).toBe('1122334455667');
  expect(event.inbound).toBeDefined();
  return event.inbound!;
};

const pywaSender = { externalContactId: '972987654321', contactName: 'Test Name' };

/** Fixture → what the normalized inbound must contain (checked with `toMatchObject` plus exact details). */
const INBOUND_FIXTURES: Record<string, Partial<NormalizedInbound>> = {
  'pywa-msg-text.json': { ...pywaSender, channelMessageId: 'wamid.xyzxyz', kind: 'text', text: 'Body Text', sentAt: new Date(1697043223 * 1000) },
  'pywa-msg-text-reply-context.json': { kind: 'text', text: 'replied text', replyTo: 'wamid.xyzxyz==' },
  'pywa-msg-text-forwarded.json': { kind: 'text', text: 'forwarded text', details: { forwarded: 'forwarded' } },
  'pywa-msg-text-frequently-forwarded.json': { kind: 'text', details: { forwarded: 'frequently_forwarded' } },
  'pywa-msg-text-ad-referral.json': {
    kind: 'text',
    text: 'BODY',
    details: { referral: { sourceUrl: 'AD_OR_POST_FB_URL', sourceId: 'ADID', sourceType: 'ad or post', headline: 'AD_TITLE', body: 'AD_DESCRIPTION' } },
  },
  'pywa-msg-image.json': { kind: 'image', text: '', media: { providerMediaId: '65463453', mimeType: 'image/jpeg', sha256: '4654+8g=' } },
  'pywa-msg-image-with-url.json': { kind: 'image', text: '', media: { providerMediaId: '65463453', mimeType: 'image/jpeg', sha256: '4654+8g=' } },
  'pywa-msg-video-forwarded.json': {
    kind: 'video',
    text: 'caption',
    media: { providerMediaId: '765756756', mimeType: 'video/mp4', sha256: 'Jh+2ij6PzUv/J2y+grrtegr/ZMzRxkEPwc24Oyib4s03w9Jc=' },
    details: { forwarded: 'forwarded' },
  },
  'pywa-msg-document.json': {
    kind: 'document',
    text: 'caption',
    media: {
      providerMediaId: '1234567890987654321',
      mimeType: 'application/pdf',
      fileName: 'filename.pdf',
      sha256: 'grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=',
    },
    details: { forwarded: 'forwarded' },
  },
  'pywa-msg-audio.json': {
    kind: 'audio',
    media: { providerMediaId: '1234567890987654321', mimeType: 'audio/ogg; codecs=opus', sha256: 'E3dxS/PdYZE7ppA3pQ4mpCFaXBJ8pX4SRN/dsfvds/iPGA=' },
    details: { forwarded: 'forwarded' },
  },
  'pywa-msg-audio-voice.json': {
    kind: 'voice',
    text: '',
    media: { providerMediaId: '1234567890987654321', mimeType: 'audio/ogg; codecs=opus', sha256: 'm04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI=', voice: true },
  },
  'pywa-msg-sticker-static.json': {
    kind: 'sticker',
    media: { providerMediaId: '1234567890987654321', mimeType: 'image/webp', sha256: 'OmT4nhjUhCMIPNmj7eeOZeCYjTXkLxoOv85OMCFwSuc=' },
  },
  'pywa-msg-sticker-animated.json': {
    kind: 'sticker',
    media: { providerMediaId: '1234567890987654321', mimeType: 'image/webp', sha256: 'HcwyCKrTKXHk0a00ms4HWIA76GY0Du6q4Z/iuwevw=', animated: true },
  },
  'pywa-msg-reaction.json': { kind: 'reaction', text: '😮', details: { reaction: { targetChannelMessageId: 'wamid.yzxyzx=', emoji: '😮' } } },
  'pywa-msg-reaction-removed-empty-emoji.json': { kind: 'reaction', text: '', details: { reaction: { targetChannelMessageId: 'wamid.yzxyzx=', emoji: '' } } },
  'pywa-msg-reaction-removed-no-emoji.json': { kind: 'reaction', text: '', details: { reaction: { targetChannelMessageId: 'wamid.yzxyzx=', emoji: '' } } },
  'pywa-msg-location-current.json': {
    kind: 'location',
    text: '📍 12.25089, 43.90539',
    details: { location: { latitude: 12.25089, longitude: 43.90539 }, forwarded: 'forwarded' },
  },
  'pywa-msg-location-named.json': {
    kind: 'location',
    text: '📍 Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025',
    details: {
      location: {
        latitude: 37.4611978,
        longitude: -122.2164385,
        name: 'Facebook HQ',
        address: '1 Hacker Way, Menlo Park, CA 94025',
        url: 'https://maps.google.com/?cid=2000000000000000000',
      },
      forwarded: 'forwarded',
    },
  },
  'pywa-msg-contacts.json': {
    kind: 'contacts',
    text: '👤 Chandler Bing, Monica, Rachel Green',
    details: {
      contacts: [
        { name: 'Chandler Bing', phones: ['+1 555-555-5555'] },
        { name: 'Monica', phones: ['+1 666-666-6666'] },
        { name: 'Rachel Green', phones: ['+1 777-777-7777'] },
      ],
    },
  },
  'pywa-msg-order.json': {
    kind: 'order',
    text: '🛒 3× HAMBURGER, 2× FRENCH_FRIES, 2× SODA',
    details: {
      order: {
        catalogId: '354160437058781',
        items: [
          { productId: 'HAMBURGER', quantity: 3, price: 30, currency: 'ILS' },
          { productId: 'FRENCH_FRIES', quantity: 2, price: 35, currency: 'ILS' },
          { productId: 'SODA', quantity: 2, price: 10, currency: 'ILS' },
        ],
      },
    },
  },
  'pywa-msg-unsupported.json': { kind: 'unsupported', text: '' },
  'pywa-msg-unsupported-with-type.json': { kind: 'unsupported', text: '' },
  'pywa-msg-interactive-without-body.json': { kind: 'unsupported', replyTo: 'wamid.gvwegfretge==' },
  'pywa-msg-interactive-button-reply.json': {
    kind: 'interactive',
    text: 'title',
    replyTo: 'wamid.xyzxyz',
    details: { interactive: { id: 'callback_data', title: 'title', source: 'button' } },
  },
  'pywa-msg-interactive-list-reply.json': {
    kind: 'interactive',
    text: 'title',
    replyTo: 'wamid.xyzxyz',
    details: { interactive: { id: 'callback_data', title: 'title', source: 'list' } },
  },
  'pywa-msg-interactive-list-reply-description.json': {
    kind: 'interactive',
    replyTo: 'wamid.xyzxyz',
    details: { interactive: { id: 'callback_data', title: 'title', description: 'description', source: 'list' } },
  },
  'pywa-msg-button-template-quick-reply.json': {
    kind: 'interactive',
    text: 'title',
    replyTo: 'wamid.xyzxyz==',
    details: { interactive: { id: 'callback_data', title: 'title', source: 'template_button' } },
  },
  'pywa-msg-button-quick-reply-no-context.json': {
    kind: 'interactive',
    channelMessageId: 'wamid.xsidjx',
    details: { interactive: { id: 'callback_data', title: 'title', source: 'template_button' } },
  },
  'pywa-msg-system-phone-number-change.json': {
    kind: 'system',
    text: 'User A changed from 972987654321 to 972912345678',
    details: { system: { type: 'user_changed_number', newExternalId: '972912345678' } },
  },
  'pywa-msg-system-identity-change.json': {
    kind: 'system',
    contactName: 'User A',
    text: 'User identity changed',
    details: { system: { type: 'customer_identity_changed' } },
  },
};

const STATUS_FIXTURES: Record<string, { providerMessageId: string; status: string; at: Date; error?: { code: string; reason: RegExp } }> = {
  'pywa-status-sent.json': { providerMessageId: 'wamid.xyzxyz', status: 'sent', at: new Date(1698266945000) },
  'pywa-status-sent-biz-opaque-callback-data.json': { providerMessageId: 'wamid.xyzxyz', status: 'sent', at: new Date(1698266945000) },
  'pywa-status-delivered.json': { providerMessageId: 'wamid.xyzxyz', status: 'delivered', at: new Date(1698266945000) },
  'pywa-status-read.json': { providerMessageId: 'wamid.xyzxyz', status: 'read', at: new Date(1689380458000) },
  'pywa-status-played.json': { providerMessageId: 'wamid.xyzxyz', status: 'played', at: new Date(1689380458000) },
  'pywa-status-read-group.json': { providerMessageId: '<WHATSAPP_MESSAGE_ID>', status: 'read', at: new Date(1698266945000) },
  'pywa-status-failed-130472.json': {
    providerMessageId: 'wamid.xyzxyz',
    status: 'failed',
    at: new Date(1689380458000),
    error: { code: '130472', reason: /^\(#130472\) User's number is part of an experiment: Failed to send message because/ },
  },
};

describe('parseWebhook on real payloads', () => {
  it('knows every full webhook body among the fixtures', () => {
    const bodies = readdirSync(FIXTURES).filter((name) => {
      if (!name.endsWith('.json')) return false;
      const json = fixture(name) as { object?: string };
      return json.object === 'whatsapp_business_account';
    });
    expect(bodies.length).toBeGreaterThanOrEqual(37);
    const known = new Set([...Object.keys(INBOUND_FIXTURES), ...Object.keys(STATUS_FIXTURES), 'pywa-signed-text.raw-body.json']);
    expect(bodies.filter((name) => !known.has(name))).toEqual([]);
  });

  it.each(Object.entries(INBOUND_FIXTURES))('%s', (name, expected) => {
    const inbound = inboundOf(name);
    expect(inbound).toMatchObject(expected);
    // Details are compared exactly: nothing invented, nothing lost.
    if (expected.details) expect(inbound.details).toEqual(expected.details);
    if (expected.media) expect(inbound.media).toEqual(expected.media);
    if (!('replyTo' in expected)) expect(inbound.replyTo).toBeUndefined();
    expect(inbound.sentAt).toBeInstanceOf(Date);
  });

  it('keeps the sender, contact name and time of every message', () => {
    for (const name of Object.keys(INBOUND_FIXTURES).filter((n) => !n.includes('system'))) {
      expect(inboundOf(name)).toMatchObject(pywaSender);
    }
    // No `contacts[]` in the number-change event: no name, but still the sender.
    const changed = inboundOf('pywa-msg-system-phone-number-change.json');
    expect(changed.externalContactId).toBe('972987654321');
    expect(changed.contactName).toBeUndefined();
    expect(changed.sentAt).toEqual(new Date(1753851315 * 1000));
  });

  it('explains unsupported messages with the 131051 error text and the declared type', () => {
    expect(inboundOf('pywa-msg-unsupported.json').details?.unsupported).toEqual({
      reason: '(#131051) Message type unknown: Message type is currently not supported.',
    });
    expect(inboundOf('pywa-msg-unsupported-with-type.json').details?.unsupported).toEqual({
      type: 'pool',
      reason: '(#131051) Message type unknown: Message type is currently not supported.',
    });
    const missing = inboundOf('pywa-msg-interactive-without-body.json').details?.unsupported;
    expect(missing?.type).toBe('interactive');
    expect(missing?.reason).toMatch(/"interactive" message arrived without its content/);
    expect(missing?.reason).toMatch(/\(#131000\) Something went wrong: Unsupported webhook payload/);
  });

  it.each(Object.entries(STATUS_FIXTURES))('%s', (name, expected) => {
    const event = onlyEvent(fixture(name));
    expect(event.inbound).toBeUndefined();
    const status = event.status!;
    expect(status.providerMessageId).toBe(expected.providerMessageId);
    expect(status.status).toBe(expected.status);
    expect(status.at).toEqual(expected.at);
    if (expected.error) {
      expect(status.error?.code).toBe(expected.error.code);
      expect(status.error?.reason).toMatch(expected.error.reason);
    } else {
      expect(status.error).toBeUndefined();
    }
  });

  it('maps an asynchronous 131047 failure to window_closed, keeping the code in the reason', () => {
    const failed = structuredClone(fixture('pywa-status-failed-130472.json')) as {
      entry: Array<{ changes: Array<{ value: { statuses: Array<{ errors: unknown[] }> } }> }>;
    };
    failed.entry[0]!.changes[0]!.value.statuses[0]!.errors = [fixture('pywa-error-object-131047-reengagement.json')];
    const { status } = onlyEvent(failed);
    expect(status?.status).toBe('failed');
    expect(status?.error?.code).toBe('window_closed');
    expect(status?.error?.reason).toMatch(/^\(#131047\) Re-engagement message: Message failed to send because more than 24 hours/);
  });

  it('reads every entry, change, message and status of a batch, in order, and ignores other fields', () => {
    const text = textWebhook({ phoneNumberId: '111111', from: '6281111', name: 'Ani', text: 'satu', id: 'wamid.1' });
    const second = messageWebhook({
      phoneNumberId: '222222',
      from: '6282222',
      name: 'Budi',
      id: 'wamid.2',
      message: { type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"a":1}' } } },
    });
    const value = second.entry[0]!.changes[0]!.value as { messages: unknown[] };
    value.messages.push(
      { from: '6282222', id: 'wamid.3', timestamp: '1700000000', type: 'request_welcome' },
      { from: '6282222', id: 'wamid.4', timestamp: '1700000000', type: 'text' },
      { from: '6282222', timestamp: '1700000000', type: 'text', text: { body: 'no id: unreadable' } },
    );
    const statuses = statusWebhook({ phoneNumberId: '222222', wamid: 'wamid.out', status: 'delivered' });
    const deleted = statusWebhook({ phoneNumberId: '222222', wamid: 'wamid.out', status: 'deleted' });
    const batch = {
      object: 'whatsapp_business_account',
      entry: [
        text.entry[0],
        {
          id: 'waba-2',
          changes: [
            { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_name: 'x' } },
            second.entry[0]!.changes[0],
            statuses.entry[0]!.changes[0],
            deleted.entry[0]!.changes[0],
          ],
        },
      ],
    };
    const { events, skipped } = parseWebhook(batch);
    expect(skipped).toBe(1);
    expect(events.map((e) => [e.phoneNumberId, e.inbound?.channelMessageId ?? e.status?.status])).toEqual([
      ['111111', 'wamid.1'],
      ['222222', 'wamid.2'],
      ['222222', 'wamid.3'],
      ['222222', 'wamid.4'],
      ['222222', 'delivered'],
    ]);
    expect(events[0]!.inbound).toMatchObject({ kind: 'text', text: 'satu', contactName: 'Ani' });
    expect(events[1]!.inbound).toMatchObject({
      kind: 'interactive',
      text: 'Sent',
      contactName: 'Budi',
      details: { interactive: { id: 'flow', title: 'Sent', description: '{"a":1}', source: 'flow' } },
    });
    expect(events[2]!.inbound).toMatchObject({ kind: 'unsupported', details: { unsupported: { type: 'request_welcome' } } });
    expect(events[3]!.inbound).toMatchObject({ kind: 'unsupported', details: { unsupported: { type: 'text' } } });
  });

  it('never throws on bodies that are not WhatsApp webhooks', () => {
    for (const body of [null, 'x', 42, {}, { entry: 'nope' }, { entry: [{ changes: [{ field: 'messages' }] }] }]) {
      expect(parseWebhook(body).events).toEqual([]);
    }
    expect(parseWebhook({ object: 'page', entry: (fixture('pywa-msg-text.json') as { entry: unknown }).entry }).events).toEqual([]);
  });
});

describe('Graph error classification', () => {
  it('classifies the error-object fixtures by meaning', () => {
    expect(classifyGraphError(fixture('pywa-error-object-131047-reengagement.json')).kind).toBe('window_closed');
    const auth = classifyGraphError(fixture('pywa-error-object-190-expired-token.json'));
    expect(auth.kind).toBe('auth');
    expect(auth.message).toMatch(/^\(#190\) Error validating access token/);
    const media = classifyGraphError(fixture('pywa-error-object-131053-media-upload.json'));
    expect(media.kind).toBe('permanent');
    expect(media.details.code).toBe('131053');
    expect(media.message).toBe('(#131053) Media upload error: Downloading media from weblink failed with http code 429, status message Too Many Requests');
  });

  it('follows the §5 table', () => {
    const kind = (code: number, status = 400) => classifyGraphError(new GraphApiError(`(#${code}) x`, status, code)).kind;
    for (const code of [4, 80007, 130429, 131056]) expect(kind(code)).toBe('rate_limited');
    for (const code of [0, 190]) expect(kind(code, 401)).toBe('auth');
    for (const code of [1, 2, 131000, 131016]) expect(kind(code)).toBe('transient');
    for (const code of [3, 10, 100, 200, 368, 131008, 131009, 131026, 131030, 131031, 131048, 131051, 132000, 132001, 133010]) {
      expect(kind(code, code === 3 ? 500 : 400)).toBe('permanent');
    }
    expect(kind(131047)).toBe('window_closed');
    expect(kind(-1, 502)).toBe('transient'); // an HTML error page from a proxy
    expect(kind(-1, 404)).toBe('permanent');
    expect(classifyGraphError(new GraphNetworkError('connect ECONNREFUSED')).kind).toBe('transient');
    expect(classifyGraphError(new MediaTooLargeError(10, 5)).kind).toBe('permanent');
  });

  it('uses Retry-After when given, a per-limit backoff otherwise', () => {
    expect(classifyGraphError(new GraphApiError('(#4) x', 429, 4, { retryAfterMs: 7000 })).details.retryAfterMs).toBe(7000);
    expect(classifyGraphError(new GraphApiError('(#131056) x', 400, 131056)).details.retryAfterMs).toBe(6000);
    const undeliverable = classifyGraphError(new GraphApiError('(#131026) Message undeliverable', 400, 131026, { details: 'Not on WhatsApp' }));
    expect(undeliverable.message).toBe('(#131026) Message undeliverable: Not on WhatsApp');
    expect(undeliverable.details.code).toBe('131026');
  });
});

describe('webhook signatures', () => {
  const signed = fixture('pywa-signed-text.signature.json') as { app_secret: string; header_value: string; raw_body_sha256_of_bytes: string };
  const raw = readFileSync(path.join(FIXTURES, 'pywa-signed-text.raw-body.json'));

  it('verifies the real signed body byte for byte', () => {
    expect(raw.length).toBe(511);
    expect(createHash('sha256').update(raw).digest('hex')).toBe(signed.raw_body_sha256_of_bytes);
    expect(verifyMetaSignature(raw, signed.header_value, signed.app_secret)).toBe(true);
    expect(onlyEvent(JSON.parse(raw.toString('utf8'))).inbound).toMatchObject({ text: 'Hey there! I am using PyWa.', contactName: 'PyWa Tests' });
  });

  it('refuses a changed byte, a wrong secret, a missing or malformed header and the legacy sha1 header', () => {
    const tampered = Buffer.from(raw);
    tampered[100] = tampered[100]! ^ 1;
    expect(verifyMetaSignature(tampered, signed.header_value, signed.app_secret)).toBe(false);
    expect(verifyMetaSignature(raw, signed.header_value, `${signed.app_secret.slice(0, -1)}7`)).toBe(false);
    expect(verifyMetaSignature(raw, undefined, signed.app_secret)).toBe(false);
    expect(verifyMetaSignature(raw, '', signed.app_secret)).toBe(false);
    expect(verifyMetaSignature(raw, signed.header_value.replace('sha256=', 'sha1='), signed.app_secret)).toBe(false);
    expect(verifyMetaSignature(raw, signed.header_value.slice(0, -2), signed.app_secret)).toBe(false);
    expect(verifyMetaSignature(raw, signed.header_value.replace('sha256=', ''), signed.app_secret)).toBe(false);
    // Re-serialising the parsed body (as a framework would) breaks the signature: bytes matter.
    expect(verifyMetaSignature(Buffer.from(JSON.stringify(JSON.parse(raw.toString()), null, 1)), signed.header_value, signed.app_secret)).toBe(false);
  });

  it("escapes non-ASCII like Meta, signs exactly those bytes, and round-trips", () => {
    const payload = textWebhook({ phoneNumberId: '123456', from: '6281234', name: 'Dädä', text: 'Wah 😮 keren', id: 'wamid.x' });
    const body = metaJson(payload);
    expect(body).toContain('D\\u00e4d\\u00e4');
    expect(body).toContain('Wah \\ud83d\\ude2e keren');
    expect(/^[\x20-\x7e]*$/.test(body)).toBe(true);
    expect(JSON.parse(body)).toEqual(payload);
    expect(verifyMetaSignature(Buffer.from(body), signMetaBody(body, 'app-secret-1'), 'app-secret-1')).toBe(true);
    // The unescaped serialisation is different bytes: its signature does not match.
    expect(verifyMetaSignature(Buffer.from(JSON.stringify(payload)), signMetaBody(body, 'app-secret-1'), 'app-secret-1')).toBe(false);
    expect(onlyEvent(JSON.parse(body)).inbound).toMatchObject({ text: 'Wah 😮 keren', contactName: 'Dädä' });
  });

  it('delivers a webhook whose raw bytes verify at the receiver', async () => {
    const received: Array<{ raw: Buffer; signature?: string }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const signature = req.headers['x-hub-signature-256'] as string | undefined;
        received.push({ raw, signature });
        res.writeHead(verifyMetaSignature(raw, signature, 'secret-abc') ? 200 : 401).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const payload = textWebhook({ phoneNumberId: '123456', from: '6281234', name: 'Siti', text: 'Halo ✨', id: 'wamid.y' });
      expect(await deliverWebhook(url, payload, 'secret-abc')).toBe(200);
      expect(received[0]!.raw.toString()).toBe(metaJson(payload));
      expect(await deliverWebhook(url, fixtureText('pywa-signed-text.raw-body.json'), 'secret-abc')).toBe(200);
      expect(await deliverWebhook(url, payload, 'another-secret')).toBe(401);
      expect(await deliverWebhook(url, payload, 'secret-abc', { signature: null })).toBe(401);
      expect(received.at(-1)!.signature).toBeUndefined();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('answers the verification handshake only for the right token', () => {
    const query = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'token-123456' };
    expect(verifyChallenge(query, 'token-123456')).toBe('1158201444');
    expect(verifyChallenge(query, 'token-1234567')).toBeNull();
    expect(verifyChallenge({ ...query, 'hub.mode': 'unsubscribe' }, 'token-123456')).toBeNull();
    expect(verifyChallenge({ ...query, 'hub.verify_token': ['token-123456'] }, 'token-123456')).toBeNull();
    expect(verifyChallenge({ ...query, 'hub.verify_token': '' }, '')).toBeNull();
    expect(verifyChallenge({ ...query, 'hub.challenge': '<script>' }, 'token-123456')).toBeNull();
  });
});

const baseMessage = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  messageId: `out-${Math.random().toString(36).slice(2)}`,
  storedMessageId: new mongoose.Types.ObjectId().toHexString(),
  conversationId: new mongoose.Types.ObjectId().toHexString(),
  contactExternalId: '6281234567890',
  text: 'Halo, ada yang bisa dibantu?',
  ...overrides,
});

describe('outbound bodies', () => {
  it('renders citations as a short "Sumber:" line', () => {
    expect(renderText({ text: 'Buka jam 9.', citations: [{ title: 'Jam buka', url: 'https://toko.id/jam' }, { title: 'FAQ' }, { title: 'FAQ' }] })).toBe(
      'Buka jam 9.\n\nSumber: Jam buka (https://toko.id/jam), FAQ',
    );
  });

  it('splits long text at word boundaries and quotes only the first part', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `kata${i}`).join(' ');
    const bodies = buildMessageBodies(baseMessage({ text: words, replyTo: 'wamid.in' }));
    expect(bodies.length).toBeGreaterThan(1);
    const parts = bodies.map((b) => (b.text as { body: string }).body);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    expect(parts.join(' ')).toBe(words);
    expect(bodies[0]!.context).toEqual({ message_id: 'wamid.in' });
    expect(bodies.slice(1).every((b) => b.context === undefined)).toBe(true);
  });

  it('truncates without splitting an emoji', () => {
    expect(truncate('Pesan sekarang juga ya', 20)).toBe('Pesan sekarang juga…');
    expect(truncate('😀'.repeat(15), 20)).toBe(`${'😀'.repeat(9)}…`);
    expect(splitText('😀'.repeat(10), 5).every((chunk) => !/[\ud800-\udbff]$/.test(chunk))).toBe(true);
  });

  it('builds buttons, lists, templates, reactions and captions within the limits', () => {
    const [buttons] = buildMessageBodies(baseMessage({ buttons: [{ id: 'ya', title: 'Ya, lanjutkan pesanan saya' }, { id: 'tidak', title: 'Tidak' }] }));
    expect(buttons!.interactive).toEqual({
      type: 'button',
      body: { text: 'Halo, ada yang bisa dibantu?' },
      action: {
        buttons: [
          { type: 'reply', reply: { id: 'ya', title: 'Ya, lanjutkan pesan…' } },
          { type: 'reply', reply: { id: 'tidak', title: 'Tidak' } },
        ],
      },
    });
    const five = buildMessageBodies(baseMessage({ buttons: Array.from({ length: 5 }, (_, i) => ({ id: `b${i}`, title: `Pilihan ${i}` })) }));
    expect((five[0]!.interactive as { type: string }).type).toBe('list');

    const rows = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Produk ${prefix}${i}`, description: 'd'.repeat(100) }));
    const [list] = buildMessageBodies(baseMessage({ list: { button: 'Lihat semua pilihan produk', sections: [{ title: 'A', rows: rows(7, 'a') }, { title: '', rows: rows(7, 'b') }] } }));
    const action = (list!.interactive as { action: { button: string; sections: Array<{ title: string; rows: Array<{ description: string }> }> } }).action;
    expect(action.button.length).toBeLessThanOrEqual(20);
    expect(action.sections.flatMap((s) => s.rows)).toHaveLength(10);
    expect(action.sections.map((s) => s.title)).toEqual(['A', '2']);
    expect(action.sections[0]!.rows[0]!.description.length).toBe(72);

    expect(buildMessageBodies(baseMessage({ template: { name: 'pesanan_dikirim', language: 'id', bodyParams: ['Ani', 'INV-1'] } }))[0]!.template).toEqual({
      name: 'pesanan_dikirim',
      language: { code: 'id' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ani' }, { type: 'text', text: 'INV-1' }] }],
    });
    expect(buildMessageBodies(baseMessage({ reaction: { targetChannelMessageId: 'wamid.in', emoji: '👍' }, replyTo: 'wamid.in' }))).toEqual([
      { messaging_product: 'whatsapp', recipient_type: 'individual', to: '6281234567890', type: 'reaction', reaction: { message_id: 'wamid.in', emoji: '👍' } },
    ]);

    const media = { storageKey: 'k', mimeType: 'image/png', kind: 'image' as const };
    expect(buildMessageBodies(baseMessage({ media }), 'm1')).toEqual([
      expect.objectContaining({ type: 'image', image: { id: 'm1', caption: 'Halo, ada yang bisa dibantu?' } }),
    ]);
    const long = buildMessageBodies(baseMessage({ media, text: 'x '.repeat(700) }), 'm1');
    expect(long.map((b) => b.type)).toEqual(['image', 'text']);
    expect(long[0]!.image).toEqual({ id: 'm1' });
    expect(() => buildMessageBodies(baseMessage({ text: '  ' }))).toThrow(ChannelSendError);
  });
});

// ── The sender and media fetcher against the fake Graph API ────────────────────────────────────────

const PNID = '106540352242922';
const WABA = '102290129340398';
const TOKEN = 'EAAG-test-access-token-1';
const APP_SECRET = 'app-secret-for-tests';
const WORKSPACE = new mongoose.Types.ObjectId().toHexString();

describe('sender and media fetcher against the fake Graph API', () => {
  let fake: FakeGraph;
  let config: Config;
  let vault: KeyVault;
  let sender: ChannelSender;
  let fetcher: MediaFetcher;
  let store: MediaStore;
  let mediaDir: string;
  let clock = Date.now();
  const open = () => ({ lastCustomerMessageAt: new Date(Date.now() - 60_000) });

  const channel = (accessToken = TOKEN): Channel =>
    ({
      _id: new mongoose.Types.ObjectId(),
      workspaceId: new mongoose.Types.ObjectId(WORKSPACE),
      type: 'whatsapp_cloud',
      name: 'WhatsApp Toko',
      status: 'active',
      settings: { routingKey: PNID, phoneNumberId: PNID, wabaId: WABA, displayPhoneNumber: '15550783881' },
      secrets: sealSecrets(vault, { accessToken, appSecret: APP_SECRET, verifyToken: 'verify-token-1' }),
    }) as unknown as Channel;

  async function sendError(promise: Promise<unknown>): Promise<ChannelSendError> {
    const err = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChannelSendError);
    return err as ChannelSendError;
  }

  beforeAll(async () => {
    fake = await startFakeGraph({
      numbers: [{ phoneNumberId: PNID, accessToken: TOKEN, wabaId: WABA, displayPhoneNumber: '15550783881', verifiedName: 'Toko Sapa' }],
      templates: {
        [WABA]: [
          { name: 'pesanan_dikirim', language: 'id', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Halo {{1}}, pesanan {{2}} dikirim.' }] },
          { name: 'promo_akhir_tahun', language: 'id', status: 'REJECTED', category: 'MARKETING' },
          { name: 'pengingat', language: 'id', status: 'PENDING', category: 'UTILITY' },
          { name: 'pengingat', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Reminder' }] },
          { name: 'kode_otp', language: 'id', status: 'APPROVED', category: 'AUTHENTICATION' },
        ],
      },
      templatePageSize: 2,
      now: () => clock,
    });
    mediaDir = await mkdtemp(path.join(tmpdir(), 'sapa-wa-media-'));
    config = loadConfig({
      ...process.env,
      WHATSAPP_GRAPH_URL: fake.url,
      WHATSAPP_GRAPH_VERSION: 'v21.0',
      MEDIA_DIR: mediaDir,
      CHANNEL_RATE_LIMIT_MAX_WAIT_MS: '1200',
    });
    vault = new KeyVault(config.SAPA_MASTER_KEYS);
    const runtime = { config, vault, logger: createLogger('whatsapp-cloud-test', 'silent') };
    sender = createWhatsappCloudSender(runtime);
    fetcher = createWhatsappCloudMediaFetcher(runtime);
    store = new MediaStore(config.mediaDir);
  });

  afterAll(async () => {
    await fake?.close();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  beforeEach(() => fake.clearFailures());

  it('sends a text with the right body and bearer token', async () => {
    const result = await sender.send(channel(), baseMessage({ text: 'Pesanan Anda sudah dikirim 🚚', replyTo: 'wamid.in-1' }), open());
    const sent = fake.state.sent.at(-1)!;
    expect(result).toEqual({ status: 'sent', providerMessageId: sent.wamid });
    expect(sent.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '6281234567890',
      type: 'text',
      text: { body: 'Pesanan Anda sudah dikirim 🚚', preview_url: false },
      context: { message_id: 'wamid.in-1' },
    });
    expect(sent.phoneNumberId).toBe(PNID);
  });

  it('splits a long text into several accepted messages and reports the last wamid', async () => {
    const before = fake.state.sent.length;
    const text = Array.from({ length: 1500 }, (_, i) => `kalimat ${i}.`).join(' ');
    const result = await sender.send(channel(), baseMessage({ text }), open());
    const sent = fake.state.sent.slice(before);
    expect(sent.length).toBe(splitText(text, 4096).length);
    expect(sent.length).toBeGreaterThan(1);
    expect(result.providerMessageId).toBe(sent.at(-1)!.wamid);
  });

  it('sends buttons, lists and a template in bodies the fake accepts', async () => {
    const before = fake.state.sent.length;
    await sender.send(channel(), baseMessage({ buttons: [{ id: 'ya', title: 'Ya, saya mau pesan sekarang' }, { id: 'tidak', title: 'Tidak' }] }), open());
    await sender.send(channel(), baseMessage({ buttons: Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, title: `Paket ${i}` })) }), open());
    await sender.send(
      channel(),
      baseMessage({ list: { button: 'Pilih', sections: [{ title: 'Makanan', rows: [{ id: 'nasi', title: 'Nasi goreng', description: 'Pedas' }] }, { title: 'Minuman', rows: [{ id: 'teh', title: 'Es teh' }] }] } }),
      open(),
    );
    await sender.send(channel(), baseMessage({ template: { name: 'pesanan_dikirim', language: 'id', bodyParams: ['Ani', 'INV-7'] } }), open());
    expect(fake.state.sent.slice(before).map((s) => [s.type, (s.body.interactive as { type?: string } | undefined)?.type])).toEqual([
      ['interactive', 'button'],
      ['interactive', 'list'],
      ['interactive', 'list'],
      ['template', undefined],
    ]);
    // The fake checks templates like Meta: a wrong parameter count and a rejected template are refused.
    expect((await sendError(sender.send(channel(), baseMessage({ template: { name: 'pesanan_dikirim', language: 'id', bodyParams: ['Ani'] } }), open()))).details.code).toBe('132000');
    expect((await sendError(sender.send(channel(), baseMessage({ template: { name: 'promo_akhir_tahun', language: 'id' } }), open()))).details.code).toBe('132001');
  });

  it('refuses a free-form message outside the 24-hour window without calling Meta', async () => {
    const requests = fake.state.requests.length;
    for (const lastCustomerMessageAt of [undefined, null, new Date(Date.now() - 25 * 60 * 60 * 1000)]) {
      const err = await sendError(sender.send(channel(), baseMessage(), { lastCustomerMessageAt }));
      expect(err.kind).toBe('window_closed');
    }
    const reaction = baseMessage({ reaction: { targetChannelMessageId: 'wamid.in', emoji: '👍' } });
    expect((await sendError(sender.send(channel(), reaction, {}))).kind).toBe('window_closed');
    expect(fake.state.requests.length).toBe(requests);
  });

  it('sends a template outside the window', async () => {
    const result = await sender.send(channel(), baseMessage({ template: { name: 'pengingat', language: 'en_US' } }), { lastCustomerMessageAt: null });
    const sent = fake.state.sent.at(-1)!;
    expect(result.providerMessageId).toBe(sent.wamid);
    expect(sent.body.template).toEqual({ name: 'pengingat', language: { code: 'en_US' } });
  });

  it('maps a synchronous 131047 to window_closed', async () => {
    fake.failNext(PNID, { code: 131047 });
    const err = await sendError(sender.send(channel(), baseMessage(), open()));
    expect(err.kind).toBe('window_closed');
    expect(err.message).toMatch(/131047/);
  });

  it('waits out one throughput limit and sends', async () => {
    const before = fake.state.sent.length;
    const rejectedBefore = fake.state.rejected.filter((r) => r.code === 130429).length;
    fake.failNext(PNID, { code: 130429 });
    const result = await sender.send(channel(), baseMessage(), open());
    expect(fake.state.rejected.filter((r) => r.code === 130429).length).toBe(rejectedBefore + 1);
    expect(fake.state.sent.length).toBe(before + 1);
    expect(result.providerMessageId).toBe(fake.state.sent.at(-1)!.wamid);
  });

  it('honours Retry-After on an app-level limit', async () => {
    fake.failNext(PNID, { code: 4, retryAfterSeconds: 0 });
    const result = await sender.send(channel(), baseMessage(), open());
    expect(result.status).toBe('sent');
    expect(fake.state.rejected.at(-1)).toMatchObject({ code: 4, status: 429 });
  });

  it('gives up on a lasting rate limit after the bounded wait', async () => {
    const rejectedBefore = fake.state.rejected.filter((r) => r.code === 130429).length;
    fake.failNext(PNID, { code: 130429, times: Infinity });
    const err = await sendError(sender.send(channel(), baseMessage(), open()));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryable).toBe(true);
    expect(err.details.retryAfterMs).toBeGreaterThan(0);
    // 500 ms then 1000 ms of backoff would exceed the 1200 ms budget: two attempts, no more.
    expect(fake.state.rejected.filter((r) => r.code === 130429).length).toBe(rejectedBefore + 2);
  });

  it('classifies token and delivery errors', async () => {
    fake.failNext(PNID, { code: 190 });
    expect((await sendError(sender.send(channel(), baseMessage(), open()))).kind).toBe('auth');
    // A token the fake does not know is refused for real (401, code 190).
    expect((await sendError(sender.send(channel('EAAG-revoked-token'), baseMessage(), open()))).kind).toBe('auth');
    fake.failNext(PNID, { code: 131026 });
    const undeliverable = await sendError(sender.send(channel(), baseMessage(), open()));
    expect(undeliverable.kind).toBe('permanent');
    expect(undeliverable.message).toMatch(/^\(#131026\) Message undeliverable/);
  });

  it('emits status webhooks after sends, including an asynchronous 131047 failure', async () => {
    const received: WhatsappWebhookEvent[] = [];
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (!verifyMetaSignature(raw, req.headers['x-hub-signature-256'] as string | undefined, APP_SECRET)) return void res.writeHead(401).end();
        received.push(...parseWebhook(JSON.parse(raw.toString('utf8'))).events);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    fake.setAutoStatuses({ webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, appSecret: APP_SECRET });
    try {
      const ok = await sender.send(channel(), baseMessage(), open());
      fake.failNext(PNID, { code: 131047, async: true });
      const late = await sender.send(channel(), baseMessage(), open());
      expect(late.status).toBe('sent'); // Meta accepts first and fails later
      await fake.webhooksIdle();
      expect(received.map((e) => [e.status?.providerMessageId, e.status?.status])).toEqual([
        [ok.providerMessageId, 'sent'],
        [ok.providerMessageId, 'delivered'],
        [ok.providerMessageId, 'read'],
        [late.providerMessageId, 'failed'],
      ]);
      expect(received[3]!.status?.error).toMatchObject({ code: 'window_closed', reason: expect.stringMatching(/^\(#131047\)/) });
    } finally {
      fake.setAutoStatuses(undefined);
      await new Promise((r) => receiver.close(r));
    }
  });

  it('uploads media from the media store and sends it by id', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const storageKey = await store.put(WORKSPACE, png);
    const uploadsBefore = fake.state.uploads.length;
    await sender.send(channel(), baseMessage({ text: 'Ini katalognya', media: { storageKey, mimeType: 'image/png', kind: 'image' } }), open());
    const upload = fake.state.uploads.at(-1)!;
    expect(fake.state.uploads.length).toBe(uploadsBefore + 1);
    expect(upload).toMatchObject({ phoneNumberId: PNID, mimeType: 'image/png', size: png.length });
    expect(fake.mediaBytes(upload.id)).toEqual(png);
    expect(fake.state.sent.at(-1)!.body.image).toEqual({ id: upload.id, caption: 'Ini katalognya' });

    const pdfKey = await store.put(WORKSPACE, Buffer.from('%PDF-1.4 test'));
    await sender.send(channel(), baseMessage({ text: '', media: { storageKey: pdfKey, mimeType: 'application/pdf', kind: 'document', fileName: 'harga.pdf' } }), open());
    expect(fake.state.sent.at(-1)!.body.document).toEqual({ id: fake.state.uploads.at(-1)!.id, filename: 'harga.pdf' });
    expect(fake.state.uploads.at(-1)!.fileName).toBe('harga.pdf');
  });

  it('fetches inbound media into the store and refuses media over the limit', async () => {
    const photo = Buffer.alloc(4096, 7);
    const mediaId = fake.addMedia(photo, 'image/jpeg');
    const fetched = await fetcher.fetch(channel(), { providerMediaId: mediaId, fileName: 'foto.jpg' }, 10_000);
    expect(fetched).toEqual({ bytes: photo, mimeType: 'image/jpeg', fileName: 'foto.jpg' });
    const key = await store.put(WORKSPACE, fetched.bytes);
    expect(await store.read(key)).toEqual(photo);

    await expect(fetcher.fetch(channel(), { providerMediaId: mediaId }, 1000)).rejects.toBeInstanceOf(MediaTooLargeError);
    // The download itself is limited too, not only the declared size.
    const client = new GraphClient({ baseUrl: fake.url, version: 'v21.0', accessToken: TOKEN });
    const { url } = await client.getMedia(mediaId);
    await expect(client.downloadMedia(url, 1000)).rejects.toBeInstanceOf(MediaTooLargeError);
  });

  it("serves media URLs that need the bearer token and expire", async () => {
    const mediaId = fake.addMedia(Buffer.from('voice'), 'audio/ogg');
    const client = new GraphClient({ baseUrl: fake.url, version: 'v21.0', accessToken: TOKEN });
    const info = await client.getMedia(mediaId);
    expect(info).toMatchObject({ mimeType: 'audio/ogg', fileSize: 5 });
    expect(new URL(info.url).origin).toBe(fake.url);
    expect((await fetch(info.url)).status).toBe(401);
    expect((await client.downloadMedia(info.url, 100)).bytes.toString()).toBe('voice');
    clock += 6 * 60 * 1000;
    const expired = await client.downloadMedia(info.url, 100).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(GraphApiError);
    expect((expired as GraphApiError).status).toBe(404);
    expect((await client.downloadMedia((await client.getMedia(mediaId)).url, 100)).bytes.toString()).toBe('voice');
    const unknown = await client.getMedia('999').catch((e: unknown) => e);
    expect(unknown).toMatchObject({ status: 400, code: 100, subcode: 33 });
  });

  it('lists templates across pages and validates credentials with the phone number', async () => {
    const client = new GraphClient({ baseUrl: fake.url, version: 'v21.0', accessToken: TOKEN });
    const templates = await client.listTemplates(WABA);
    expect(templates.map((t) => `${t.name}/${t.language}/${t.status}`)).toEqual([
      'pesanan_dikirim/id/APPROVED',
      'promo_akhir_tahun/id/REJECTED',
      'pengingat/id/PENDING',
      'pengingat/en_US/APPROVED',
      'kode_otp/id/APPROVED',
    ]);
    expect(templates[0]!.components).toEqual([{ type: 'BODY', text: 'Halo {{1}}, pesanan {{2}} dikirim.' }]);
    expect(await client.getPhoneNumber(PNID)).toEqual({ id: PNID, displayPhoneNumber: '15550783881', verifiedName: 'Toko Sapa' });
    const wrong = new GraphClient({ baseUrl: fake.url, version: 'v21.0', accessToken: 'EAAG-wrong' });
    expect(await wrong.getPhoneNumber(PNID).catch((e: unknown) => e)).toMatchObject({ status: 401, code: 190 });
  });

  it('marks messages read with a typing indicator, and never throws doing so', async () => {
    await sender.acknowledge!(channel(), { contactExternalId: '6281234567890', channelMessageId: 'wamid.in-2' });
    expect(fake.state.reads.at(-1)).toEqual({ phoneNumberId: PNID, messageId: 'wamid.in-2', typing: true });
    const reads = fake.state.reads.length;
    await expect(sender.acknowledge!(channel('EAAG-revoked-token'), { contactExternalId: '6281234567890', channelMessageId: 'wamid.in-3' })).resolves.toBeUndefined();
    expect(fake.state.rejected.at(-1)).toMatchObject({ status: 401, code: 190 });
    const broken = { ...channel(), secrets: 'not-sealed' } as Channel;
    await expect(sender.acknowledge!(broken, { contactExternalId: '6281234567890', channelMessageId: 'wamid.in-4' })).resolves.toBeUndefined();
    expect(fake.state.reads.length).toBe(reads);
  });

  it('has a fake that refuses what Meta refuses, with Meta’s envelopes', async () => {
    const client = new GraphClient({ baseUrl: fake.url, version: 'v19.0', accessToken: TOKEN });
    const refused = (body: Record<string, unknown>) => client.sendMessage(PNID, body).then(() => null, (e: unknown) => e as GraphApiError);
    const base = { messaging_product: 'whatsapp', to: '6281234567890' };
    const button = (id: string, title: string) => ({ type: 'reply', reply: { id, title } });
    const interactive = (buttons: unknown[]) => ({ ...base, type: 'interactive', interactive: { type: 'button', body: { text: 'Pilih' }, action: { buttons } } });

    expect(await refused({ to: '6281234567890', type: 'text', text: { body: 'x' } })).toMatchObject({ status: 400, code: 100 });
    expect(await refused({ ...base, type: 'text' })).toMatchObject({ status: 400, code: 131008 });
    expect(await refused({ ...base, type: 'text', text: { body: 'x'.repeat(4097) } })).toMatchObject({ status: 400, code: 100 });
    expect(await refused({ ...base, type: 'text', text: { body: 'x' }, image: { id: '1' } })).toMatchObject({ status: 400, code: 100 });
    expect(await refused({ ...base, to: 'abc', type: 'text', text: { body: 'x' } })).toMatchObject({ status: 400, code: 131009 });
    expect(await refused(interactive([1, 2, 3, 4].map((i) => button(`b${i}`, `B${i}`))))).toMatchObject({ status: 400, code: 131009 });
    expect(await refused(interactive([button('a', 'Sama'), button('a', 'Lain')]))).toMatchObject({ status: 400, code: 131009 });
    expect(await refused(interactive([button('a', 'x'.repeat(21))]))).toMatchObject({ status: 400, code: 100 });
    expect(await refused({ ...base, type: 'image', image: { id: 'no-such-media' } })).toMatchObject({ status: 400, code: 131009 });
    expect(await refused({ ...base, type: 'audio', audio: { link: 'https://x.id/a.ogg', caption: 'no' } })).toMatchObject({ status: 400, code: 100 });
    const error = (await refused({ ...base, type: 'template', template: { name: 'tidak_ada', language: { code: 'id' } } }))!;
    expect(error).toMatchObject({ status: 404, code: 132001 });
    expect(error.message).toBe('(#132001) Template name does not exist in the translation');
    expect(error.fbtraceId).toEqual(expect.any(String));
    expect(await client.markRead(PNID, 'wamid.z')).toBeUndefined();
  });
});
