/**
 * WhatsApp Web (Baileys): the reconnect policy, a real Baileys socket against a closed local port,
 * and sessions against testkit's fake WhatsApp Web (pairing, restarts, final closes, inbound,
 * outbound, leases across processes, the watchdog), all on the test MongoDB-compatible server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelModel,
  EventModel,
  KeyVault,
  MessageModel,
  ContactModel,
  MediaStore,
  connectDatabase,
  contactIdFor,
  disconnectDatabase,
  loadConfig,
  upsertContact,
  type Channel,
  type Config,
} from '@sapa/shared';
import { databaseUri, testServers, uniqueName } from '@sapa/testkit/env';
import { FakeWhatsAppWeb, WA_STATUS, fakeMessage, fakeText } from '@sapa/testkit/fakes/baileys-socket';
import { ChannelSendError, type NormalizedInbound, type OutboundMessage } from '../src/types';
import { clearAuthState, loadAuthState } from '../src/whatsapp-baileys/auth-state';
import { BaileysHost, type BaileysHostOptions } from '../src/whatsapp-baileys/host';
import { channelLeaseName } from '../src/whatsapp-baileys/lease';
import { BaileysAuthModel, BaileysOutboxModel, ChannelLeaseModel, authDocId } from '../src/whatsapp-baileys/models';
import { requestPairing } from '../src/whatsapp-baileys/pairing';
import { reconnectDecision } from '../src/whatsapp-baileys/policy';
import { realSocketFactory } from '../src/whatsapp-baileys/real-socket';
import { createBaileysSender } from '../src/whatsapp-baileys/sender';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const oid = () => new mongoose.Types.ObjectId();

/** Poll until `check` returns something truthy (or fail after `timeoutMs`). */
async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/** A local port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const PHONE = '6281234567890';
const CUSTOMER = '6289876543210@s.whatsapp.net';

let dbUri: string;
let mediaDir: string;
let config: Config;
const hosts: BaileysHost[] = [];

beforeAll(async () => {
  dbUri = databaseUri(testServers().mongoUri, uniqueName('baileys'));
  await connectDatabase(dbUri);
  mediaDir = mkdtempSync(path.join(os.tmpdir(), 'sapa-baileys-media-'));
  config = loadConfig({ ...process.env, MEDIA_DIR: mediaDir, MEDIA_MAX_BYTES: '2048', BAILEYS_WATCHDOG_MS: '600000' });
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  // Each test's channels go offline, so the next test's host leaves them alone.
  await ChannelModel.updateMany({}, { $set: { status: 'disabled' } });
});

afterAll(async () => {
  await disconnectDatabase();
  rmSync(mediaDir, { recursive: true, force: true });
});

async function createChannel(settings: Record<string, unknown> = {}): Promise<Channel> {
  const channel = await ChannelModel.create({
    workspaceId: oid(),
    chatbotId: oid(),
    type: 'whatsapp_baileys',
    name: 'WhatsApp Web',
    status: 'pairing',
    settings: { routingKey: '', phoneNumber: '', groupsEnabled: false, minGapMs: 0, jitterMs: 0, ...settings },
    pairing: {},
  });
  await requestPairing(channel._id, channel.workspaceId);
  return (await ChannelModel.findById(channel._id).lean<Channel>())!;
}

const readChannel = async (id: mongoose.Types.ObjectId) => (await ChannelModel.findById(id).lean<Channel>())!;

interface Harness {
  host: BaileysHost;
  fake: FakeWhatsAppWeb;
  ingested: NormalizedInbound[];
  lines: Array<Record<string, unknown>>;
}

/** A host on the fake WhatsApp Web; ingest records what arrives and creates the contact like the pipeline. */
async function startHost(fake: FakeWhatsAppWeb, options: Partial<BaileysHostOptions> = {}): Promise<Harness> {
  const ingested: NormalizedInbound[] = [];
  const { logger, lines } = capturingLogger();
  const host = new BaileysHost({
    config,
    logger,
    socketFactory: fake.socketFactory,
    pollMs: 100,
    leaseTtlMs: 5000,
    mediaStore: new MediaStore(mediaDir),
    ingest: async (channel, inbound) => {
      ingested.push(inbound);
      await upsertContact({ workspaceId: channel.workspaceId, channelId: channel._id, externalId: inbound.externalContactId });
    },
    ...options,
  });
  hosts.push(host);
  await host.start();
  return { host, fake, ingested, lines };
}

/** A channel paired through the fake's QR and connected. */
async function pairedChannel(settings: Record<string, unknown> = {}, options: Partial<BaileysHostOptions> = {}, fake = new FakeWhatsAppWeb()) {
  const channel = await createChannel(settings);
  const harness = await startHost(fake, options);
  await waitFor(async () => (await readChannel(channel._id)).pairing?.qr, 'a QR');
  fake.scan(PHONE);
  await waitFor(async () => (await readChannel(channel._id)).status === 'active', 'the channel to be active');
  return { ...harness, channel: await readChannel(channel._id) };
}

/** Messages are handled in order: once `marker` is ingested, everything received before it was handled. */
async function receiveMarker(h: Harness, chat = CUSTOMER) {
  const marker = fakeText(chat, `marker ${Math.random()}`);
  h.fake.receive(marker);
  await waitFor(() => h.ingested.some((m) => m.channelMessageId === marker.key.id), 'the marker message');
}

describe('reconnect policy', () => {
  it('is final for logged out, forbidden and replaced; restarts on 515; refreshes the version on 405', () => {
    expect(reconnectDecision(401, 0)).toEqual({ action: 'final', reason: 'logged_out' });
    expect(reconnectDecision(403, 3)).toEqual({ action: 'final', reason: 'forbidden' });
    expect(reconnectDecision(440, 0)).toEqual({ action: 'final', reason: 'replaced' });
    expect(reconnectDecision(515, 7)).toEqual({ action: 'restart_now' });
    expect(reconnectDecision(405, 0)).toEqual({ action: 'refresh_version' });
  });

  it('backs off exponentially with full jitter, capped, for everything else', () => {
    const limits = { baseMs: 1000, capMs: 60_000 };
    for (const code of [408, 428, 500, 503, undefined]) {
      expect(reconnectDecision(code, 0, () => 0.999, limits)).toEqual({ action: 'backoff', delayMs: 999 });
      expect(reconnectDecision(code, 3, () => 0.5, limits)).toEqual({ action: 'backoff', delayMs: 4000 });
      expect(reconnectDecision(code, 6, () => 0.999, limits)).toEqual({ action: 'backoff', delayMs: 59_940 });
      expect(reconnectDecision(code, 60, () => 0.999, limits)).toEqual({ action: 'backoff', delayMs: 59_940 });
      expect(reconnectDecision(code, 2, () => 0, limits)).toEqual({ action: 'backoff', delayMs: 0 });
    }
    // The default randomness stays within the ceiling.
    for (let i = 0; i < 50; i++) {
      const decision = reconnectDecision(503, 4);
      expect(decision.action).toBe('backoff');
      if (decision.action === 'backoff') expect(decision.delayMs).toBeLessThan(16_000);
    }
  });
});

describe('a real Baileys socket', () => {
  it('reconnects a closed endpoint with growing, capped delays and stops cleanly', async () => {
    const port = await closedPort();
    const channel = await createChannel();
    const { logger, lines } = capturingLogger();
    const host = new BaileysHost({
      config,
      logger,
      socketFactory: realSocketFactory({
        waWebSocketUrl: `ws://127.0.0.1:${port}`,
        fetchVersion: async () => {
          throw new Error('tests never ask the internet for a version');
        },
      }),
      ingest: async () => undefined,
      pollMs: 100,
      backoff: { baseMs: 40, capMs: 320 },
      random: () => 0.999,
    });
    await host.start();
    const reconnects = () => lines.filter((l) => l.msg === 'WhatsApp Web reconnecting after a backoff');
    await waitFor(() => reconnects().length >= 6, 'six reconnect attempts');
    const attempts = reconnects().slice(0, 6);
    // ECONNREFUSED is a network error: Baileys reports 408, which backs off.
    expect(attempts.every((l) => l.statusCode === 408)).toBe(true);
    expect(attempts.map((l) => l.delayMs)).toEqual([39, 79, 159, 319, 319, 319]);
    const current = await readChannel(channel._id);
    expect(current.status).toBe('pairing');
    expect(current.statusReason).toMatch(/Connection lost \(408\)/);
    expect(await ChannelLeaseModel.findById(channelLeaseName(String(channel._id))).lean()).toMatchObject({ holderId: expect.any(String) });

    await host.stop();
    expect(await ChannelLeaseModel.findById(channelLeaseName(String(channel._id))).lean()).toBeNull();
    const after = reconnects().length;
    await sleep(800); // longer than the cap: a leftover timer would have reconnected by now
    expect(reconnects().length).toBe(after);
  });
});

describe('pairing', () => {
  it('shows a live QR, publishes it, and is active with the phone number after the scan', async () => {
    const fake = new FakeWhatsAppWeb();
    const channel = await createChannel();
    await startHost(fake);
    const first = await waitFor(async () => (await readChannel(channel._id)).pairing?.qr, 'the first QR');
    expect(first).toBe(fake.sockets[0]!.qrs[0]);
    expect(first.split(',')).toHaveLength(4);

    fake.refreshQr();
    const second = await waitFor(async () => {
      const qr = (await readChannel(channel._id)).pairing?.qr;
      return qr !== first && qr;
    }, 'the refreshed QR');
    expect(second).toBe(fake.sockets[0]!.qrs[1]);

    const events = await EventModel.find({ workspaceId: channel.workspaceId, type: 'channelUpdated' }).sort({ seq: 1 }).lean();
    expect(events.map((e) => (e.data as { qr?: string }).qr).filter(Boolean)).toEqual([first, second]);
    expect(events.every((e) => e.conversationId === null && (e.data as { channelId: string }).channelId === String(channel._id))).toBe(true);

    fake.scan(PHONE);
    await waitFor(async () => (await readChannel(channel._id)).status === 'active', 'active after the scan');
    const active = await readChannel(channel._id);
    expect(active.settings).toMatchObject({ phoneNumber: PHONE, routingKey: PHONE });
    expect(active.pairing?.qr).toBeUndefined();
    // WhatsApp restarted the connection after pairing (515): the second socket logged in without a QR.
    expect(fake.sockets).toHaveLength(2);
    expect(fake.sockets[1]!.qrs).toHaveLength(0);
    const activeEvent = await waitFor(
      () => EventModel.findOne({ workspaceId: channel.workspaceId, type: 'channelUpdated', 'data.status': 'active' }).lean(),
      'the active event',
    );
    expect(activeEvent.data).toMatchObject({ channelId: String(channel._id), status: 'active', reason: '' });
  });

  it('pairs by code when a phone number is given (local format accepted)', async () => {
    await expect(requestPairing(oid(), oid(), { phoneNumber: '12' })).rejects.toThrow();
    const fake = new FakeWhatsAppWeb();
    const channel = await createChannel();
    await requestPairing(channel._id, channel.workspaceId, { phoneNumber: '0812-3456-7890' });
    expect((await readChannel(channel._id)).pairing?.phoneNumber).toBe(PHONE);
    await startHost(fake, { backoff: { baseMs: 10, capMs: 20 } });
    const code = await waitFor(async () => (await readChannel(channel._id)).pairing?.code, 'the pairing code');
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    expect(code).toBe(fake.current!.pairingCode);
    expect(fake.current!.pairingPhone).toBe(PHONE);
    expect((await readChannel(channel._id)).pairing?.qr).toBeUndefined();
    // The code is written to the channel first, then announced: wait for the announcement.
    const event = await waitFor(() => EventModel.findOne({ workspaceId: channel.workspaceId, 'data.code': code }).lean(), 'the pairing event');
    expect(event.type).toBe('channelUpdated');

    // The code was never entered and the socket closed: the next one starts over with fresh credentials.
    fake.disconnect(408, 'QR refs attempts ended');
    const second = await waitFor(async () => {
      const c = (await readChannel(channel._id)).pairing?.code;
      return c && c !== code ? c : undefined;
    }, 'a new pairing code');
    expect(fake.sockets).toHaveLength(2);
    expect(Buffer.from(fake.sockets[1]!.creds.noiseKey.public).equals(Buffer.from(fake.sockets[0]!.creds.noiseKey.public))).toBe(false);

    expect(() => fake.enterPairingCode('WRONG123')).toThrow(/wrong pairing code/);
    fake.enterPairingCode(second);
    await waitFor(async () => (await readChannel(channel._id)).status === 'active', 'active after the code');
    expect((await readChannel(channel._id)).settings).toMatchObject({ phoneNumber: PHONE });
  });
});

describe('pairing again and giving up', () => {
  it('restarts the session on a new pairing request, unlinking the old device', async () => {
    const { fake, channel } = await pairedChannel();
    const oldDevice = fake.current!.user!.id;
    await requestPairing(channel._id, channel.workspaceId);
    await waitFor(() => fake.loggedOut.includes(oldDevice), 'the old device to be unlinked');
    const qr = await waitFor(async () => (await readChannel(channel._id)).pairing?.qr, 'a QR for the new pairing');
    expect(fake.current!.qrs).toContain(qr);
    expect((await readChannel(channel._id)).status).toBe('pairing');
    fake.scan('6285555555555');
    await waitFor(async () => (await readChannel(channel._id)).settings?.phoneNumber === '6285555555555', 'the new number');
  });

  it('stops showing QRs after three unanswered rounds', async () => {
    const fake = new FakeWhatsAppWeb({ qrsPerSocket: 1, qrRefreshMs: 20 });
    const channel = await createChannel();
    await startHost(fake, { backoff: { baseMs: 10, capMs: 20 } });
    await waitFor(async () => (await readChannel(channel._id)).status === 'needs_reconnect', 'pairing to give up');
    expect((await readChannel(channel._id)).statusReason).toMatch(/Pairing timed out/);
    expect(fake.sockets).toHaveLength(3);
    expect((await readChannel(channel._id)).pairing?.qr).toBeUndefined();
  });
});

describe('stored credentials', () => {
  it('reconnects after a restart without pairing again, with keys stored one document per key', async () => {
    const fake = new FakeWhatsAppWeb();
    const { host, channel } = await pairedChannel({}, {}, fake);
    fake.receive(fakeText(CUSTOMER, 'halo'));
    // The fake stored pre-keys on login (and deleted the consumed one) and a Signal session for the sender.
    await waitFor(() => BaileysAuthModel.findById(authDocId(channel._id, 'session', '6289876543210.0')).lean(), 'the session key');
    const creds = await BaileysAuthModel.findById(authDocId(channel._id, 'creds')).lean();
    expect(JSON.parse(creds!.value).me.id).toMatch(new RegExp(`^${PHONE}:\\d+@s\\.whatsapp\\.net$`));
    // Three pre-keys written, the consumed one deleted again.
    await waitFor(async () => (await BaileysAuthModel.countDocuments({ channelId: channel._id, type: 'pre-key' })) === 2, 'two pre-keys');

    await host.stop();
    hosts.splice(hosts.indexOf(host), 1);
    const before = fake.sockets.length;
    await startHost(fake);
    await waitFor(() => fake.sockets.length > before && fake.sockets[before]!.state === 'open', 'the new socket to open');
    expect(fake.sockets[before]!.qrs).toHaveLength(0);
    const current = await readChannel(channel._id);
    expect(current.status).toBe('active');
    expect(current.pairing?.qr).toBeUndefined();
  });

  it('writes and deletes Signal keys per key and reads them back as they were', async () => {
    const channelId = oid();
    const workspaceId = oid();
    const auth = await loadAuthState(channelId, workspaceId);
    const keyPair = { public: Buffer.from('pub-key-bytes'), private: Buffer.from('private-key-bytes') };
    await auth.state.keys.set({
      'pre-key': { '7': keyPair, '8': keyPair },
      session: { '6281.0': Buffer.from('session-bytes') },
      'sender-key-memory': { 'group@g.us': { '6281.0@s.whatsapp.net': true } },
      'app-state-sync-key': { AAAA: { keyData: Buffer.from('app-state-key') } },
    });
    expect(await BaileysAuthModel.countDocuments({ channelId })).toBe(5);
    const stored = await BaileysAuthModel.findById(authDocId(channelId, 'pre-key', '7')).lean();
    expect(stored).toMatchObject({ workspaceId, type: 'pre-key', keyId: '7' });

    const again = await loadAuthState(channelId, workspaceId);
    const preKeys = await again.state.keys.get('pre-key', ['7', '9']);
    expect(Buffer.from(preKeys['7']!.public).equals(keyPair.public)).toBe(true);
    expect(preKeys['9']).toBeUndefined();
    const appKeys = await again.state.keys.get('app-state-sync-key', ['AAAA']);
    expect(Buffer.from(appKeys.AAAA!.keyData!).toString()).toBe('app-state-key');
    expect(await again.state.keys.get('sender-key-memory', ['group@g.us'])).toEqual({ 'group@g.us': { '6281.0@s.whatsapp.net': true } });

    // Many keys at once (a group's devices) come back the same way.
    const devices = Array.from({ length: 40 }, (_, i) => `62811${i}.0`);
    await again.state.keys.set({ session: Object.fromEntries(devices.map((d) => [d, Buffer.from(d)])) });
    const sessions = await again.state.keys.get('session', [...devices, 'unknown.0']);
    expect(Object.keys(sessions).sort()).toEqual([...devices].sort());
    expect(Buffer.from(sessions[devices[39]!]!).toString()).toBe(devices[39]);
    await again.state.keys.set({ session: Object.fromEntries(devices.map((d) => [d, null])) });

    await again.state.keys.set({ 'pre-key': { '7': null } });
    expect(await BaileysAuthModel.findById(authDocId(channelId, 'pre-key', '7')).lean()).toBeNull();
    expect(await BaileysAuthModel.countDocuments({ channelId })).toBe(4);

    again.state.creds.registered = true;
    await again.saveCreds();
    const third = await loadAuthState(channelId, workspaceId);
    expect(third.state.creds.registered).toBe(true);
    expect(Buffer.from(third.state.creds.noiseKey.public).equals(Buffer.from(again.state.creds.noiseKey.public))).toBe(true);
    await clearAuthState(channelId);
    expect(await BaileysAuthModel.countDocuments({ channelId })).toBe(0);
  });
});

describe('connection closes', () => {
  it('401: needs reconnecting, forgets the pairing, does not reconnect', async () => {
    const { fake, channel } = await pairedChannel();
    expect(await BaileysAuthModel.countDocuments({ channelId: channel._id })).toBeGreaterThan(0);
    const sockets = fake.sockets.length;
    fake.disconnect(401, 'Stream Errored (conflict)');
    await waitFor(async () => (await readChannel(channel._id)).status === 'needs_reconnect', 'needs_reconnect');
    expect((await readChannel(channel._id)).statusReason).toMatch(/401/);
    await waitFor(async () => (await BaileysAuthModel.countDocuments({ channelId: channel._id })) === 0, 'the pairing to be forgotten');
    const event = await EventModel.findOne({ workspaceId: channel.workspaceId, 'data.status': 'needs_reconnect' }).lean();
    expect(event?.data).toMatchObject({ channelId: String(channel._id), reason: expect.stringMatching(/401/) });
    await sleep(500); // five polls of the host
    expect(fake.sockets).toHaveLength(sockets);
    expect(await ChannelLeaseModel.findById(channelLeaseName(String(channel._id))).lean()).toBeNull();
  });

  it('440: needs reconnecting, keeps the pairing, does not reconnect', async () => {
    const { fake, channel } = await pairedChannel();
    const sockets = fake.sockets.length;
    fake.disconnect(440, 'Stream Errored (replaced)');
    await waitFor(async () => (await readChannel(channel._id)).status === 'needs_reconnect', 'needs_reconnect');
    expect((await readChannel(channel._id)).statusReason).toMatch(/Replaced/);
    expect(await BaileysAuthModel.findById(authDocId(channel._id, 'creds')).lean()).not.toBeNull();
    await sleep(500);
    expect(fake.sockets).toHaveLength(sockets);
  });

  it('515: reconnects at once (a backoff of ten minutes would not)', async () => {
    const slow = { backoff: { baseMs: 600_000, capMs: 600_000 } };
    const { fake, channel } = await pairedChannel({}, slow);
    const sockets = fake.sockets.length;
    fake.disconnect(515, 'Stream Errored (restart required)');
    await waitFor(() => fake.sockets.length === sockets + 1 && fake.sockets[sockets]!.state === 'open', 'the reconnected socket');
    expect((await readChannel(channel._id)).status).toBe('active');
  });

  it('405: fetches the current version and reconnects with it', async () => {
    const fake = new FakeWhatsAppWeb({ minVersion: [2, 3000, 5], currentVersion: [2, 3000, 9] });
    const channel = await createChannel();
    await startHost(fake, { backoff: { baseMs: 600_000, capMs: 600_000 } });
    await waitFor(async () => (await readChannel(channel._id)).pairing?.qr, 'a QR from the refreshed socket');
    expect(fake.versionRequests).toBe(1);
    expect(fake.sockets.map((s) => s.state)).toEqual(['closed', 'pairing']);
    expect(fake.sockets[1]!.version).toEqual([2, 3000, 9]);
  });

  it('logs out and forgets the pairing when the channel is disabled', async () => {
    const { fake, channel } = await pairedChannel();
    const meId = fake.current!.user!.id;
    await ChannelModel.updateOne({ _id: channel._id }, { $set: { status: 'disabled' } });
    await waitFor(() => fake.loggedOut.includes(meId), 'the logout');
    await waitFor(async () => (await BaileysAuthModel.countDocuments({ channelId: channel._id })) === 0, 'the pairing to be forgotten');
  });
});

describe('inbound', () => {
  it('ingests notify and append upserts once each, skipping undecryptable, status and group messages', async () => {
    const h = await pairedChannel();
    const live = fakeText(CUSTOMER, 'halo kak', { pushName: 'Budi' });
    const offline = fakeText(CUSTOMER, 'pesan waktu offline');
    h.fake.receive(live, 'notify');
    h.fake.receive(offline, 'append');
    h.fake.receive(live, 'notify'); // a duplicate upsert
    h.fake.receive({ key: { remoteJid: CUSTOMER, fromMe: false, id: 'UNDECRYPTABLE1' }, messageStubType: 2, messageStubParameters: ['No session'] });
    h.fake.receive(fakeText('status@broadcast', 'status update', { participant: CUSTOMER }));
    h.fake.receive(fakeText('120363041234567890@g.us', 'di grup', { participant: CUSTOMER }));
    await receiveMarker(h);

    const ids = h.ingested.map((m) => m.channelMessageId);
    expect(ids.filter((id) => id === live.key.id)).toHaveLength(1);
    expect(ids).toContain(offline.key.id);
    expect(ids).toHaveLength(3); // live, offline, marker
    expect(h.ingested[0]).toMatchObject({ kind: 'text', text: 'halo kak', externalContactId: CUSTOMER, contactName: 'Budi' });
    expect(h.ingested[0]!.sentAt).toBeInstanceOf(Date);
  });

  it('answers groups when enabled', async () => {
    const h = await pairedChannel({ groupsEnabled: true });
    const group = '120363041234567890@g.us';
    h.fake.receive(fakeText(group, 'di grup', { participant: CUSTOMER }));
    await waitFor(() => h.ingested.find((m) => m.text === 'di grup'), 'the group message');
    expect(h.ingested[0]!.externalContactId).toBe(group);
  });

  it('maps LID and phone-number JIDs of one person to one contact and replies where the chat arrived', async () => {
    const h = await pairedChannel();
    const pn = '6281111111111@s.whatsapp.net';
    const lid = '99887766554433@lid';
    h.fake.receive(fakeText(pn, 'pertama lewat nomor'));
    h.fake.receive(fakeText(`${lid.replace('@', ':3@')}`, 'kedua lewat LID', { alt: pn }));
    // A LID learnt only from WhatsApp's mapping event.
    h.fake.mapLid('55544433322211@lid', '6282222222222@s.whatsapp.net');
    h.fake.receive(fakeText('55544433322211@lid', 'ketiga tanpa alt'));
    await receiveMarker(h);
    expect(h.ingested.slice(0, 3).map((m) => m.externalContactId)).toEqual([pn, pn, '6282222222222@s.whatsapp.net']);
    const contact = await ContactModel.findById(contactIdFor(h.channel._id, pn)).lean();
    expect(contact?.aliases).toEqual([lid]);

    // The chat last arrived on the LID: the reply goes there.
    const sender = createBaileysSender({ config, vault: new KeyVault(config.SAPA_MASTER_KEYS), logger: pino({ level: 'silent' }) });
    const stored = await storedOutbound(h.channel);
    await sender.send(h.channel, outbound(stored, pn, 'balasan'), {});
    await waitFor(() => h.fake.sent.length === 1, 'the reply');
    expect(h.fake.sent[0]!.jid).toBe(lid);
  });

  it('ingests what the business typed on its phone, but not the echo of what Sapa sent', async () => {
    const h = await pairedChannel();
    const typed = fakeText(CUSTOMER, 'dibalas dari HP', { fromMe: true, pushName: 'Toko Sapa' });
    h.fake.receive(typed, 'append');
    await waitFor(() => h.ingested.find((m) => m.channelMessageId === typed.key.id), 'the phone-typed message');
    const ingested = h.ingested.find((m) => m.channelMessageId === typed.key.id)!;
    expect(ingested).toMatchObject({ fromBusiness: true, externalContactId: CUSTOMER, text: 'dibalas dari HP' });
    expect(ingested.contactName).toBeUndefined();

    const sender = createBaileysSender({ config, vault: new KeyVault(config.SAPA_MASTER_KEYS), logger: pino({ level: 'silent' }) });
    const stored = await storedOutbound(h.channel);
    await sender.send(h.channel, outbound(stored, CUSTOMER, 'dari Sapa'), {});
    const sent = await waitFor(() => h.fake.sent[0], 'the send');
    await receiveMarker(h); // the echo (an append upsert from ourselves) came before the marker
    expect(h.ingested.some((m) => m.channelMessageId === sent.id)).toBe(false);

    // WhatsApp asks for messages again (retry receipts): served from MongoDB.
    const resent = await h.fake.retryRequest({ remoteJid: CUSTOMER, fromMe: true, id: sent.id });
    expect(resent?.extendedTextMessage?.text).toBe('dari Sapa');
    const incoming = await h.fake.retryRequest({ remoteJid: CUSTOMER, fromMe: true, id: typed.key.id! });
    expect(incoming?.conversation).toBe('dibalas dari HP');
  });

  it('stores media before ingesting, and ingests without it past the size limit', async () => {
    const h = await pairedChannel();
    const photo = fakeMessage({ chat: CUSTOMER, message: { imageMessage: { mimetype: 'image/jpeg', caption: 'ini fotonya', fileLength: 9 } } });
    const big = fakeMessage({ chat: CUSTOMER, message: { documentMessage: { mimetype: 'application/pdf', fileName: 'katalog.pdf', fileLength: 5000 } } });
    h.fake.receive(photo, 'notify', Buffer.from('JPEGBYTES'));
    h.fake.receive(big, 'notify', Buffer.alloc(5000, 1));
    await receiveMarker(h);
    const [image, document] = h.ingested;
    expect(image).toMatchObject({ kind: 'image', text: 'ini fotonya', media: { providerMediaId: photo.key.id, mimeType: 'image/jpeg', size: 9 } });
    expect((await new MediaStore(mediaDir).read(image!.media!.storageKey!)).toString()).toBe('JPEGBYTES');
    expect(image!.media!.storageKey!.startsWith(`${String(h.channel.workspaceId)}/`)).toBe(true);
    expect(document).toMatchObject({ kind: 'document', media: { fileName: 'katalog.pdf' } });
    expect(document!.media!.storageKey).toBeUndefined();
  });
});

/** A stored outbound message (what the worker creates before delivering). */
async function storedOutbound(channel: Channel) {
  return MessageModel.create({
    workspaceId: channel.workspaceId,
    conversationId: oid(),
    channelId: channel._id,
    channelMessageId: `out_${oid().toHexString()}`,
    direction: 'outbound',
    author: 'bot',
    text: 'x',
    status: 'pending',
  });
}

function outbound(stored: { _id: mongoose.Types.ObjectId; channelMessageId: string }, contact: string, text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    messageId: stored.channelMessageId,
    storedMessageId: String(stored._id),
    conversationId: String(oid()),
    contactExternalId: contact,
    text,
    ...extra,
  };
}

describe('outbound', () => {
  const sender = () => createBaileysSender({ config, vault: new KeyVault(config.SAPA_MASTER_KEYS), logger: pino({ level: 'silent' }) });

  it('queues idempotently and sends paced, recording sent and forward-only delivery states', async () => {
    const h = await pairedChannel({ minGapMs: 300, jitterMs: 100 });
    const s = sender();
    const stored = [await storedOutbound(h.channel), await storedOutbound(h.channel), await storedOutbound(h.channel)];
    for (const [i, m] of stored.entries()) {
      expect(await s.send(h.channel, outbound(m, CUSTOMER, `jawaban ${i + 1}`), {})).toEqual({ status: 'queued' });
    }
    await s.send(h.channel, outbound(stored[0]!, CUSTOMER, 'jawaban 1'), {}); // a retried delivery
    expect(await BaileysOutboxModel.countDocuments({ channelId: h.channel._id, kind: 'message' })).toBe(3);

    await waitFor(() => h.fake.sent.length === 3, 'three sends');
    expect(h.fake.sent.map((m) => (m.content as { text: string }).text)).toEqual(['jawaban 1', 'jawaban 2', 'jawaban 3']);
    for (let i = 1; i < 3; i++) expect(h.fake.sent[i]!.at - h.fake.sent[i - 1]!.at).toBeGreaterThanOrEqual(300);

    const first = h.fake.sent[0]!;
    await waitFor(async () => (await MessageModel.findById(stored[0]!._id).lean())?.status === 'sent', 'sent');
    expect((await MessageModel.findById(stored[0]!._id).lean())?.providerMessageId).toBe(first.id);
    expect(await s.send(h.channel, outbound(stored[0]!, CUSTOMER, 'jawaban 1'), {})).toEqual({ status: 'sent', providerMessageId: first.id });
    await sleep(400);
    expect(h.fake.sent).toHaveLength(3); // the retry sent nothing

    h.fake.report(first.id, WA_STATUS.READ);
    await waitFor(async () => (await MessageModel.findById(stored[0]!._id).lean())?.status === 'read', 'read');
    h.fake.report(first.id, WA_STATUS.DELIVERY_ACK); // late and out of order
    h.fake.report(h.fake.sent[1]!.id, WA_STATUS.DELIVERY_ACK); // reports are applied in order: this one is the marker
    await waitFor(async () => (await MessageModel.findById(stored[1]!._id).lean())?.status === 'delivered', 'delivered');
    expect((await MessageModel.findById(stored[0]!._id).lean())?.status).toBe('read');
    const event = await EventModel.findOne({ workspaceId: h.channel.workspaceId, type: 'messageUpdated', 'data.messageId': String(stored[0]!._id), 'data.status': 'read' }).lean();
    expect(event).not.toBeNull();
  });

  it('marks the customer message read and shows typing, then pauses after the reply', async () => {
    const h = await pairedChannel();
    const question = fakeText(CUSTOMER, 'jam buka?');
    h.fake.receive(question);
    await waitFor(() => h.ingested.length === 1, 'the question');
    const s = sender();
    await s.acknowledge!(h.channel, { contactExternalId: CUSTOMER, channelMessageId: question.key.id! });
    await s.acknowledge!(h.channel, { contactExternalId: CUSTOMER, channelMessageId: question.key.id! }); // deduped
    await waitFor(() => h.fake.presences.some((p) => p.state === 'composing'), 'typing');
    expect(h.fake.reads.map((k) => k.id)).toEqual([question.key.id]);
    expect(h.fake.presences).toEqual([expect.objectContaining({ state: 'composing', jid: CUSTOMER })]);

    const stored = await storedOutbound(h.channel);
    await s.send(h.channel, outbound(stored, CUSTOMER, 'buka jam 8', { replyTo: question.key.id! }), {});
    await waitFor(() => h.fake.presences.some((p) => p.state === 'paused'), 'paused');
    expect(h.fake.sent[0]!.quotedId).toBe(question.key.id);
  });

  it('sends media from the media store, fails unknown media, retries a server hiccup, refuses a logged-out channel', async () => {
    const h = await pairedChannel();
    const store = new MediaStore(mediaDir);
    const key = await store.put(String(h.channel.workspaceId), Buffer.from('PNGBYTES'));
    const s = sender();
    h.fake.failNextSends = 1;
    const photo = await storedOutbound(h.channel);
    await s.send(h.channel, outbound(photo, CUSTOMER, 'menu kami', { media: { storageKey: key, mimeType: 'image/png', kind: 'image' } }), {});
    const missing = await storedOutbound(h.channel);
    const otherWorkspaceKey = `${oid().toHexString()}/AAAAAAAAAAAAAAAAAAAAAAAA`;
    await s.send(h.channel, outbound(missing, CUSTOMER, '', { media: { storageKey: otherWorkspaceKey, mimeType: 'image/png', kind: 'image' } }), {});

    await waitFor(async () => (await MessageModel.findById(photo._id).lean())?.status === 'sent', 'the photo sent after a retry');
    const sent = h.fake.sent[0]!.content as { image: Buffer; caption: string; mimetype: string };
    expect(sent.image.toString()).toBe('PNGBYTES');
    expect(sent).toMatchObject({ caption: 'menu kami', mimetype: 'image/png' });
    await waitFor(async () => (await MessageModel.findById(missing._id).lean())?.status === 'failed', 'the missing media to fail');
    expect((await MessageModel.findById(missing._id).lean())?.errorCode).toBe('media_not_found');

    await expect(s.send({ ...h.channel, status: 'needs_reconnect' }, outbound(photo, CUSTOMER, 'x'), {})).rejects.toSatisfy(
      (err: unknown) => err instanceof ChannelSendError && err.kind === 'auth',
    );
  });
});

describe('one socket per number', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  function hostProcess(holder: string) {
    const lines: Array<Record<string, unknown>> = [];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'channels/test/support/baileys-host-process.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        BAILEYS_TEST_DB_URI: dbUri,
        BAILEYS_TEST_HOLDER: holder,
        BAILEYS_TEST_LEASE_TTL_MS: '1500',
        BAILEYS_TEST_POLL_MS: '100',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    return { child, lines, sockets: () => lines.filter((l) => l.event === 'socket').length };
  }

  it('lets exactly one of two processes hold the socket, and the other take over after a crash', async () => {
    const channel = await createChannel();
    const lease = () => ChannelLeaseModel.findById(channelLeaseName(String(channel._id))).lean();
    const a = hostProcess('host-a');
    await waitFor(() => a.sockets() === 1, 'host A to open a socket', 40_000);
    expect((await lease())?.holderId).toBe('host-a');
    const b = hostProcess('host-b');
    const heldElsewhere = () =>
      b.lines.filter((l) => l.msg === 'WhatsApp Web channel is held by another process' && l.channelId === String(channel._id)).length;
    await waitFor(() => heldElsewhere() >= 5, 'host B to find the channel held', 40_000);
    expect(b.sockets()).toBe(0);
    expect(a.sockets()).toBe(1);

    a.child.kill('SIGKILL'); // a crash: the lease is not released, it expires
    await waitFor(() => b.sockets() === 1, 'host B to take over', 40_000);
    expect((await lease())?.holderId).toBe('host-b');
    await waitFor(async () => (await readChannel(channel._id)).pairing?.qr, 'host B to show a QR');

    const exited = new Promise((resolve) => b.child.once('exit', resolve));
    b.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await lease()).toBeNull(); // released on a clean stop
  });
});

describe('watchdog', () => {
  it('recycles a connection that stays silent for BAILEYS_WATCHDOG_MS', async () => {
    const watched = loadConfig({ ...process.env, MEDIA_DIR: mediaDir, BAILEYS_WATCHDOG_MS: '300' });
    const h = await pairedChannel({}, { config: watched });
    const opened = h.fake.sockets.length;
    await waitFor(() => h.fake.sockets.length > opened && h.fake.sockets[opened]!.state === 'open', 'a recycled socket', 20_000);
    expect(h.fake.sockets[opened - 1]!.state).toBe('closed');
    expect(h.lines.some((l) => l.msg === 'WhatsApp Web connection silent; recycling it')).toBe(true);
    expect((await readChannel(h.channel._id)).status).toBe('active');
  });
});
