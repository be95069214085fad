/**
 * A fake WhatsApp Web for tests: `FakeWhatsAppWeb` plays WhatsApp's servers and the owner's phone,
 * and its `socketFactory` hands sessions sockets (`SocketPort`) connected to it, in memory.
 *
 * It behaves like WhatsApp where the session depends on it:
 * - fresh credentials get pairing QRs (`ref,noiseKey,identityKey,advSecret` like WhatsApp's), a new
 *   one on each refresh, and after `qrsPerSocket` the socket closes with 408 like Baileys';
 * - `scan()` (or `enterPairingCode()` after `requestPairingCode`) pairs: credentials update with
 *   `me`/`account`, `isNewLogin`, then a 515 "restart required" close, as WhatsApp does;
 * - paired credentials log in directly, but only for a device this fake paired and with the same
 *   noise key: anything else is closed with 401, like a device unlinked on the phone;
 * - an announced version older than `minVersion` is closed with 405;
 * - sends need an open socket (else 428, like Baileys' "Connection Closed"), a valid JID and a
 *   well-formed content (else 400); each send is echoed back as an `append` upsert from ourselves
 *   and acknowledged by the server (SERVER_ACK), like Baileys with `emitOwnEvents`.
 * Tests drive the rest: incoming messages, delivery reports, disconnects, LID mappings.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { MediaTooLargeError } from '@sapa/shared';
import type {
  AuthenticationCreds,
  ConnectionUpdate,
  OutgoingContent,
  PresenceState,
  SendOptions,
  SocketFactory,
  SocketListeners,
  SocketOptions,
  SocketPort,
  WAMessage,
  WAMessageKey,
  WAVersion,
} from '@sapa/channels/whatsapp-baileys/socket-port';

/** WhatsApp's `WebMessageInfo.Status` values the fake reports. */
export const WA_STATUS = { ERROR: 0, PENDING: 1, SERVER_ACK: 2, DELIVERY_ACK: 3, READ: 4, PLAYED: 5 } as const;

/** The version a socket announces when the session passes none (stands for Baileys' built-in one). */
export const FAKE_BUILTIN_VERSION: WAVersion = [2, 3000, 1];

const JID = /^(\d{5,20}@s\.whatsapp\.net|\d{5,20}@lid|[\d-]{5,40}@g\.us)$/;
const PRESENCES: PresenceState[] = ['composing', 'paused', 'available', 'unavailable'];
const CROCKFORD = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';

/** An error shaped like Baileys' (a Boom with `output.statusCode`). */
export function boom(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { isBoom: true, output: { statusCode, payload: { statusCode, message } } });
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const compareVersions = (a: WAVersion, b: WAVersion) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

export interface FakeWhatsAppWebOptions {
  /** The oldest client version WhatsApp accepts; older ones are closed with 405. */
  minVersion?: WAVersion;
  /** What `socketFactory.latestVersion()` answers. */
  currentVersion?: WAVersion;
  /** Show a new QR this often on its own (default: only when the test calls `refreshQr()`). */
  qrRefreshMs?: number;
  /** QRs a socket shows before WhatsApp gives up on it (408). */
  qrsPerSocket?: number;
}

export interface SentMessage {
  jid: string;
  id: string;
  content: OutgoingContent;
  quotedId?: string;
  socket: number;
  at: number;
}

interface Device {
  noiseKey: string;
  lid: string;
}

export class FakeWhatsAppWeb {
  readonly sockets: FakeSocket[] = [];
  readonly sent: SentMessage[] = [];
  readonly reads: WAMessageKey[] = [];
  readonly presences: Array<{ state: PresenceState; jid: string; at: number }> = [];
  /** Device JIDs unlinked by `logout()`. */
  readonly loggedOut: string[] = [];
  versionRequests = 0;
  /** Make the next sends fail with a 500 (server hiccup), to test retries. */
  failNextSends = 0;
  readonly socketFactory: SocketFactory;

  /** Devices this "WhatsApp" has paired, by `me.id`. */
  private readonly devices = new Map<string, Device>();
  /** Bytes of incoming media, by message id (what WhatsApp's media servers would serve). */
  readonly mediaBytes = new Map<string, Buffer>();

  constructor(readonly options: FakeWhatsAppWebOptions = {}) {
    const factory: SocketFactory = async (socketOptions) => {
      const socket = new FakeSocket(this, this.sockets.length, socketOptions);
      this.sockets.push(socket);
      return socket;
    };
    factory.latestVersion = async () => {
      this.versionRequests += 1;
      return this.options.currentVersion ?? FAKE_BUILTIN_VERSION;
    };
    this.socketFactory = factory;
  }

  /** The newest socket that has not closed. */
  get current(): FakeSocket | undefined {
    return [...this.sockets].reverse().find((s) => s.state !== 'closed');
  }

  private socketIn(states: FakeSocket['state'][], what: string): FakeSocket {
    const socket = this.current;
    if (!socket || !states.includes(socket.state)) throw new Error(`FakeWhatsAppWeb: ${what} needs a socket that is ${states.join('/')} (now: ${socket?.state ?? 'none'})`);
    return socket;
  }

  /** Show the next QR on the socket waiting for pairing. */
  refreshQr(): void {
    this.socketIn(['pairing'], 'refreshQr').showQr();
  }

  /** The owner scans the QR with their phone. */
  scan(phone = '6281234567890', name = 'Toko Sapa'): void {
    this.socketIn(['pairing'], 'scan').pair(phone, name);
  }

  /** The owner types the pairing code into WhatsApp on the phone. */
  enterPairingCode(code: string): void {
    const socket = this.socketIn(['pairing'], 'enterPairingCode');
    if (!socket.pairingCode || socket.pairingCode !== code.toUpperCase()) throw new Error('FakeWhatsAppWeb: wrong pairing code');
    socket.pair(socket.pairingPhone!, 'Toko Sapa');
  }

  /** A message arrives (`notify`: live; `append`: delivered after being offline). `media`: its bytes. */
  receive(message: WAMessage, type: 'notify' | 'append' = 'notify', media?: Buffer): void {
    const socket = this.socketIn(['open'], 'receive');
    if (media && message.key.id) this.mediaBytes.set(message.key.id, media);
    socket.deliver(message, type);
  }

  /** WhatsApp closes the connection with this status code. */
  disconnect(statusCode: number, reason = `closed by the fake (${statusCode})`): void {
    this.socketIn(['connecting', 'pairing', 'open'], 'disconnect').close(statusCode, reason);
  }

  /** A delivery report for a message the session sent. */
  report(id: string, status: number): void {
    const sent = this.sent.find((s) => s.id === id);
    if (!sent) throw new Error(`FakeWhatsAppWeb: no sent message ${id}`);
    this.socketIn(['open'], 'report').emit((l) => l.statuses([{ key: { remoteJid: sent.jid, fromMe: true, id }, status }]));
  }

  /** WhatsApp tells the session that a LID and a phone number are one person. */
  mapLid(lid: string, pn: string): void {
    this.socketIn(['open'], 'mapLid').emit((l) => l.lidMapping({ lid, pn }));
  }

  /** A keep-alive answer (the watchdog's sign of life). */
  keepalive(): void {
    this.socketIn(['open'], 'keepalive').emit((l) => l.activity());
  }

  /** A recipient could not decrypt a message: WhatsApp asks the sender for it again (`getMessage`). */
  async retryRequest(key: WAMessageKey) {
    return this.socketIn(['open'], 'retryRequest').options.getMessage(key);
  }

  /** Whether this fake knows the paired device with these credentials. */
  knowsDevice(creds: AuthenticationCreds): boolean {
    const device = creds.me?.id ? this.devices.get(creds.me.id) : undefined;
    return Boolean(device && device.noiseKey === b64(creds.noiseKey.public));
  }

  /** @internal */
  registerDevice(meId: string, device: Device) {
    this.devices.set(meId, device);
  }

  /** @internal */
  unlinkDevice(meId: string) {
    this.devices.delete(meId);
    this.loggedOut.push(meId);
  }
}

/** One connection of a session to the fake. */
export class FakeSocket implements SocketPort {
  state: 'connecting' | 'pairing' | 'open' | 'closed' = 'connecting';
  readonly qrs: string[] = [];
  readonly version: WAVersion;
  pairingCode?: string;
  pairingPhone?: string;
  user?: { id: string; lid?: string };

  private listeners?: SocketListeners;
  private readonly queue: Array<(l: SocketListeners) => void> = [];
  private flushing = false;
  private qrTimer?: NodeJS.Timeout;

  constructor(
    private readonly server: FakeWhatsAppWeb,
    readonly index: number,
    readonly options: SocketOptions,
  ) {
    this.version = options.version ?? FAKE_BUILTIN_VERSION;
    setImmediate(() => this.handshake());
  }

  get creds(): AuthenticationCreds {
    return this.options.auth.creds;
  }

  listen(listeners: SocketListeners): void {
    this.listeners = listeners;
    this.flush();
  }

  /** Deliver events in order, asynchronously (never inside the caller's stack, like a network). */
  emit(event: (l: SocketListeners) => void): void {
    this.queue.push(event);
    this.flush();
  }

  private flush() {
    if (this.flushing || !this.listeners) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      while (this.queue.length > 0 && this.listeners) this.queue.shift()!(this.listeners);
    });
  }

  private connection(update: ConnectionUpdate) {
    this.emit((l) => l.connection(update));
  }

  private handshake() {
    if (this.state === 'closed') return;
    this.connection({ connection: 'connecting' });
    const { minVersion } = this.server.options;
    if (minVersion && compareVersions(this.version, minVersion) < 0) {
      this.close(405, 'Connection Failure: client version outdated');
      return;
    }
    if (this.creds.me?.id && this.creds.account) {
      if (!this.server.knowsDevice(this.creds)) {
        this.close(401, 'Connection Failure: device not linked');
        return;
      }
      this.open();
      return;
    }
    this.state = 'pairing';
    this.showQr();
  }

  /** @internal */
  showQr() {
    if (this.state !== 'pairing') return;
    clearTimeout(this.qrTimer);
    if (this.qrs.length >= (this.server.options.qrsPerSocket ?? 6)) {
      this.close(408, 'QR refs attempts ended');
      return;
    }
    const ref = `2@${randomBytes(24).toString('base64')}`;
    const qr = [ref, b64(this.creds.noiseKey.public), b64(this.creds.signedIdentityKey.public), this.creds.advSecretKey].join(',');
    this.qrs.push(qr);
    this.connection({ qr });
    if (this.server.options.qrRefreshMs) this.qrTimer = setTimeout(() => this.showQr(), this.server.options.qrRefreshMs);
  }

  /** @internal The phone confirmed pairing: like WhatsApp, new credentials, then "restart required". */
  pair(phone: string, name: string) {
    clearTimeout(this.qrTimer);
    const deviceId = randomInt(1, 99);
    const lidUser = String(100_000_000_000 + randomInt(0, 99_999_999));
    const update: Partial<AuthenticationCreds> = {
      me: { id: `${phone}:${deviceId}@s.whatsapp.net`, lid: `${lidUser}:${deviceId}@lid`, name },
      account: {
        details: randomBytes(32),
        accountSignatureKey: randomBytes(32),
        accountSignature: randomBytes(64),
        deviceSignature: randomBytes(64),
      },
      platform: 'android',
      registered: true,
      pairingCode: undefined,
    };
    this.server.registerDevice(update.me!.id, { noiseKey: b64(this.creds.noiseKey.public), lid: update.me!.lid! });
    Object.assign(this.creds, update);
    this.emit((l) => l.creds(update));
    this.connection({ isNewLogin: true });
    this.close(515, 'Stream Errored (restart required)');
  }

  private open() {
    this.state = 'open';
    this.user = { id: this.creds.me!.id, ...(this.creds.me!.lid ? { lid: this.creds.me!.lid } : {}) };
    // Like Baileys after login: pre-keys are generated and stored (and the oldest one consumed).
    const preKeys: Record<string, { public: Uint8Array; private: Uint8Array }> = {};
    const first = this.creds.nextPreKeyId;
    for (let i = 0; i < 3; i++) preKeys[String(first + i)] = { public: randomBytes(32), private: randomBytes(32) };
    void Promise.resolve(this.options.auth.keys.set({ 'pre-key': preKeys })).then(() => this.options.auth.keys.set({ 'pre-key': { [String(first)]: null } }));
    this.emit((l) => l.creds({ nextPreKeyId: first + 3, firstUnuploadedPreKeyId: first + 3 }));
    Object.assign(this.creds, { nextPreKeyId: first + 3, firstUnuploadedPreKeyId: first + 3 });
    this.connection({ connection: 'open' });
  }

  /** @internal */
  close(statusCode: number | undefined, reason: string) {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.qrTimer);
    this.connection({ connection: 'close', lastDisconnect: { ...(statusCode !== undefined ? { statusCode } : {}), reason } });
  }

  /** @internal */
  deliver(message: WAMessage, type: 'notify' | 'append') {
    const full: WAMessage = { messageTimestamp: Math.floor(Date.now() / 1000), ...message };
    // Decrypting a new contact's message sets up a Signal session for their device.
    const sender = full.key.participant ?? full.key.remoteJid ?? '';
    void this.options.auth.keys.set({ session: { [`${sender.split('@')[0]}.0`]: randomBytes(32) } });
    this.emit((l) => {
      l.activity();
      l.messages({ messages: [full], type });
    });
  }

  private requireOpen() {
    if (this.state !== 'open') throw boom(428, 'Connection Closed');
  }

  async sendMessage(jid: string, content: OutgoingContent, options: SendOptions): Promise<{ id: string; message: WAMessage }> {
    this.requireOpen();
    if (!JID.test(jid)) throw boom(400, `bad-request: not a JID: ${jid}`);
    const message = messageFor(content);
    if (!options.messageId || !/^[0-9A-F]{16,32}$/.test(options.messageId)) throw boom(400, 'bad-request: message id');
    if (this.server.failNextSends > 0) {
      this.server.failNextSends -= 1;
      throw boom(500, 'internal-server-error');
    }
    const quotedId = options.quoted?.key.id ?? undefined;
    if (quotedId) {
      const withContext = Object.values(message)[0] as { contextInfo?: object };
      withContext.contextInfo = { stanzaId: quotedId, participant: options.quoted?.key.remoteJid ?? jid };
    }
    const key = { remoteJid: jid, fromMe: true, id: options.messageId };
    const sent: WAMessage = { key, message, messageTimestamp: Math.floor(Date.now() / 1000), status: WA_STATUS.PENDING };
    this.server.sent.push({ jid, id: key.id, content, ...(quotedId ? { quotedId } : {}), socket: this.index, at: Date.now() });
    this.emit((l) => {
      l.messages({ messages: [sent], type: 'append' });
      l.statuses([{ key, status: WA_STATUS.SERVER_ACK }]);
    });
    return { id: key.id, message: sent };
  }

  async readMessages(keys: WAMessageKey[]): Promise<void> {
    this.requireOpen();
    for (const key of keys) {
      if (!key.id || !key.remoteJid || !JID.test(key.remoteJid)) throw boom(400, 'bad-request: message key');
    }
    this.server.reads.push(...keys);
  }

  async sendPresenceUpdate(state: PresenceState, jid: string): Promise<void> {
    this.requireOpen();
    if (!PRESENCES.includes(state)) throw boom(400, `bad-request: presence ${String(state)}`);
    if (!JID.test(jid)) throw boom(400, `bad-request: not a JID: ${jid}`);
    this.server.presences.push({ state, jid, at: Date.now() });
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    if (this.state !== 'pairing') throw boom(428, 'Connection Closed');
    if (!/^\d{8,15}$/.test(phoneNumber)) throw boom(400, 'bad-request: phone number');
    const code = Array.from(randomBytes(8), (b) => CROCKFORD[b % CROCKFORD.length]).join('');
    this.pairingCode = code;
    this.pairingPhone = phoneNumber;
    // Like Baileys: the credentials name the number being paired before WhatsApp confirms it.
    const update = { pairingCode: code, me: { id: `${phoneNumber}@s.whatsapp.net`, name: '~' } };
    Object.assign(this.creds, update);
    this.emit((l) => l.creds(update));
    return code;
  }

  async downloadMedia(message: WAMessage, maxBytes: number): Promise<Buffer> {
    this.requireOpen();
    const bytes = message.key.id ? this.server.mediaBytes.get(message.key.id) : undefined;
    if (!bytes) throw boom(410, 'media gone from the server');
    if (bytes.length > maxBytes) throw new MediaTooLargeError(bytes.length, maxBytes);
    return bytes;
  }

  async logout(): Promise<void> {
    this.requireOpen();
    this.server.unlinkDevice(this.creds.me!.id);
    this.close(401, 'Intentional Logout');
  }

  end(error?: Error): void {
    const code = (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
    this.close(code, error?.message ?? 'Connection closed');
  }
}

/** The proto a send produces (what WhatsApp stores and shows), checking the content like WhatsApp would. */
function messageFor(content: OutgoingContent): NonNullable<WAMessage['message']> {
  const media = (bytes: unknown, mimetype: unknown) => {
    if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw boom(400, 'bad-request: media bytes');
    if (typeof mimetype !== 'string' || !/^[\w.+-]+\/[\w.+-]+/.test(mimetype)) throw boom(400, 'bad-request: mimetype');
    return { mimetype, fileLength: bytes.length, fileSha256: createHash('sha256').update(bytes).digest() };
  };
  const keys = Object.keys(content);
  if ('text' in content) {
    if (typeof content.text !== 'string' || !content.text.trim()) throw boom(400, 'bad-request: empty text');
    return { extendedTextMessage: { text: content.text } };
  }
  if ('image' in content) return { imageMessage: { ...media(content.image, content.mimetype), ...(content.caption ? { caption: content.caption } : {}) } };
  if ('video' in content) return { videoMessage: { ...media(content.video, content.mimetype), ...(content.caption ? { caption: content.caption } : {}) } };
  if ('audio' in content) return { audioMessage: { ...media(content.audio, content.mimetype), ptt: Boolean(content.ptt) } };
  if ('document' in content) {
    return {
      documentMessage: { ...media(content.document, content.mimetype), ...(content.fileName ? { fileName: content.fileName } : {}), ...(content.caption ? { caption: content.caption } : {}) },
    };
  }
  if ('sticker' in content) return { stickerMessage: media(content.sticker, content.mimetype) };
  if ('react' in content) {
    if (!content.react.key?.id || typeof content.react.text !== 'string') throw boom(400, 'bad-request: reaction');
    return { reactionMessage: { key: content.react.key, text: content.react.text } };
  }
  throw boom(400, `bad-request: unknown content ${keys.join(',')}`);
}

/** Build an incoming message as Baileys delivers it. `chat`: the JID it arrived on; `alt`: the person's other JID. */
export function fakeMessage(input: {
  chat: string;
  message: NonNullable<WAMessage['message']>;
  id?: string;
  alt?: string;
  fromMe?: boolean;
  participant?: string;
  pushName?: string;
}): WAMessage {
  return {
    key: {
      remoteJid: input.chat,
      fromMe: input.fromMe ?? false,
      id: input.id ?? randomBytes(10).toString('hex').toUpperCase(),
      ...(input.alt ? { remoteJidAlt: input.alt } : {}),
      ...(input.participant ? { participant: input.participant } : {}),
    },
    message: input.message,
    ...(input.pushName ? { pushName: input.pushName } : {}),
    messageTimestamp: Math.floor(Date.now() / 1000),
  };
}

/** A text message from `chat`. */
export function fakeText(chat: string, text: string, extra: Omit<Parameters<typeof fakeMessage>[0], 'chat' | 'message'> = {}): WAMessage {
  return fakeMessage({ chat, message: { conversation: text }, pushName: 'Budi', ...extra });
}
