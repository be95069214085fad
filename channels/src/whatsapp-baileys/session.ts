/**
 * One WhatsApp number's session, in the process that holds its lease. It keeps a socket
 * connected (reconnecting by `policy.ts`), shows pairing progress and health on the channel
 * document (and as `channelUpdated` realtime events), hands inbound messages to the inbound
 * pipeline, sends what the outbox holds, applies delivery reports, and recycles a connection that
 * looks open but has gone silent (the watchdog).
 *
 * Events of a socket that has been replaced are ignored (each connection has a generation), so a
 * late "close" from an old socket cannot tear down its successor.
 */
import mongoose from 'mongoose';
import { isJidBroadcast, isJidGroup, isJidNewsletter, isJidStatusBroadcast, jidDecode } from '@whiskeysockets/baileys';
import {
  ChannelModel,
  MediaTooLargeError,
  applyDeliveryReport,
  publishEvent,
  readSettings,
  whatsappBaileysSettingsSchema,
  type Channel,
  type ChannelStatus,
  type Config,
  type DeliveryReport,
  type Logger,
  type MediaStore,
} from '@sapa/shared';
import type { NormalizedInbound } from '../types';
import { clearAuthState, isPaired, loadAuthState, type StoredAuthState } from './auth-state';
import { IdentityBook, personJid } from './identities';
import { channelLeaseName, releaseLease, renewLease } from './lease';
import { MessageStore } from './message-store';
import { normalizeMessage } from './normalize';
import { OutboxWorker } from './outbox';
import { backoffCeiling, reconnectDecision, type BackoffLimits, type FinalReason } from './policy';
import type { AuthenticationCreds, ConnectionUpdate, MessageStatusUpdate, SocketFactory, SocketPort, WAMessage, WAVersion } from './socket-port';

/** WhatsApp's `WebMessageInfo.Status` → Sapa's delivery states (PENDING, 1, is not a report). */
const DELIVERY_STATES: Record<number, DeliveryReport['status']> = { 0: 'failed', 2: 'sent', 3: 'delivered', 4: 'read', 5: 'played' };

/** What the dashboard shows for a final close. */
const FINAL_REASONS: Record<FinalReason | 'pairing_expired', string> = {
  logged_out: 'Logged out on the phone (401): pair the number again',
  forbidden: 'WhatsApp refused this number (403)',
  replaced: 'Replaced by another WhatsApp Web session of this number (440)',
  pairing_expired: 'Pairing timed out: nobody scanned the QR code',
};

/** QR rounds (each a socket showing several QRs, ~3 minutes with Baileys) before pairing gives up. */
const MAX_PAIRING_ROUNDS = 3;
/** Failed reconnects after which the channel shows `error` rather than `connecting`. */
const ERROR_AFTER_ATTEMPTS = 3;
/** WhatsApp closes the connection under a request with 428 ("Connection Closed"). */
const CONNECTION_CLOSED = 428;
/** Backoff of the retries of an inbound message the pipeline could not take (database or Temporal down). */
const INGEST_RETRY: BackoffLimits = { baseMs: 500, capMs: 30_000 };

export interface SessionOptions {
  channel: Channel;
  holderId: string;
  leaseTtlMs: number;
  socketFactory: SocketFactory;
  config: Config;
  logger: Logger;
  ingest(channel: Channel, inbound: NormalizedInbound): Promise<void>;
  mediaStore: MediaStore;
  watchdogMs: number;
  backoff: BackoffLimits;
  random: () => number;
  /** How often the outbox is looked at while connected. */
  outboxPollMs: number;
}

interface Health {
  status: ChannelStatus;
  reason: string;
  qr?: string;
  code?: string;
}

function statusCodeOf(err: unknown): number | undefined {
  const code = (err as { output?: { statusCode?: unknown } } | null)?.output?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

const requestedAtOf = (channel: Channel) => channel.pairing?.requestedAt?.getTime();

/** The phone number (digits) of a JID like `6281234567890:12@s.whatsapp.net`. */
const phoneOf = (jid: string | undefined) => (jid ? (jidDecode(jid)?.user ?? '') : '');

export class Session {
  readonly channelId: mongoose.Types.ObjectId;
  readonly workspaceId: mongoose.Types.ObjectId;
  /** The pairing request this session serves; a newer one means the host starts over. */
  readonly requestedAt: number | undefined;

  private channel: Channel;
  private readonly logger: Logger;
  private readonly leaseName: string;
  private readonly messages: MessageStore;
  private readonly identities: IdentityBook;
  private readonly outbox: OutboxWorker;

  private port?: SocketPort;
  private auth?: StoredAuthState;
  private generation = 0;
  private connected = false;
  private attempt = 0;
  private version?: WAVersion;
  private lastActivityAt = 0;
  private pairingRounds = 0;
  private shownPairing = false;
  private pairingCodeRequested = false;
  private sweptPendingIngests = false;
  private health?: Health;
  private ended = false;
  private readonly stopWaiters = new Set<() => void>();

  private reconnectTimer?: NodeJS.Timeout;
  private watchdogTimer?: NodeJS.Timeout;
  private leaseTimer?: NodeJS.Timeout;
  private outboxTimer?: NodeJS.Timeout;
  private leaseRenewedAt = Date.now();

  // Work that must happen in order: connection events, credential writes, inbound messages, reports.
  private control: Promise<void> = Promise.resolve();
  private credsWrites: Promise<void> = Promise.resolve();
  private inbound: Promise<void> = Promise.resolve();
  private reports: Promise<void> = Promise.resolve();

  constructor(private readonly opts: SessionOptions) {
    this.channel = opts.channel;
    this.channelId = new mongoose.Types.ObjectId(String(opts.channel._id));
    this.workspaceId = new mongoose.Types.ObjectId(String(opts.channel.workspaceId));
    this.requestedAt = requestedAtOf(opts.channel);
    this.logger = opts.logger.child({ channelId: String(this.channelId) });
    this.leaseName = channelLeaseName(String(this.channelId));
    const owner = { channelId: this.channelId, workspaceId: this.workspaceId };
    this.messages = new MessageStore(owner);
    this.identities = new IdentityBook(owner);
    this.outbox = new OutboxWorker({
      ...owner,
      channel: () => this.channel,
      port: () => (this.connected && !this.ended ? this.port : undefined),
      messages: this.messages,
      identities: this.identities,
      mediaStore: opts.mediaStore,
      maxMediaBytes: opts.config.MEDIA_MAX_BYTES,
      logger: this.logger,
      random: opts.random,
      sleep: (ms) => this.sleep(ms),
    });
  }

  /** Whether the session has stopped for good (final close, lost lease, stopped). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Start holding the number: the caller has just acquired the lease. */
  start(): void {
    this.leaseRenewedAt = Date.now();
    this.leaseTimer = setInterval(() => void this.renewLease(), Math.max(50, Math.floor(this.opts.leaseTtlMs / 3)));
    this.outboxTimer = setInterval(() => this.drainOutbox(), this.opts.outboxPollMs);
    void this.outbox.prune().catch((err: Error) => this.logger.warn({ err: err.message }, 'outbox prune failed'));
    void this.connect();
  }

  /** The host read the channel again (settings such as pacing or groups may have changed). */
  update(channel: Channel): void {
    this.channel = channel;
  }

  /**
   * Stop: close the socket (or log out, unlinking the device, when the owner disconnected the
   * channel), let pending writes finish, and give the lease up.
   */
  async stop(options: { logout?: boolean } = {}): Promise<void> {
    const port = this.port;
    const wasEnded = this.ended;
    this.end();
    if (port && !wasEnded) {
      if (options.logout) await port.logout().catch((err: Error) => this.logger.warn({ err: err.message }, 'logout failed'));
      port.end(); // after a logout too: a logout that failed leaves the connection open
    }
    await this.settle();
    if (options.logout) await clearAuthState(this.channelId);
    await releaseLease(this.leaseName, this.opts.holderId).catch(() => undefined);
  }

  // --- connection ---

  private async connect(): Promise<void> {
    if (this.ended) return;
    const generation = ++this.generation;
    this.connected = false;
    this.pairingCodeRequested = false;
    let port: SocketPort;
    try {
      // Credential writes of the previous socket (pairing!) land before the next one reads them.
      await this.credsWrites;
      let auth = await loadAuthState(this.channelId, this.workspaceId);
      if (!isPaired(auth.state.creds) && auth.state.creds.me) {
        // A pairing code was requested but never entered: Baileys would try to log in with it
        // (and be refused). Start the pairing over with fresh credentials.
        await clearAuthState(this.channelId);
        auth = await loadAuthState(this.channelId, this.workspaceId);
      }
      if (generation !== this.generation || this.ended) return;
      this.auth = auth;
      port = await this.opts.socketFactory({
        auth: auth.state,
        ...(this.version ? { version: this.version } : {}),
        getMessage: (key) => this.messages.content(key),
        logger: this.logger,
      });
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'could not open a WhatsApp Web socket');
      if (generation === this.generation) this.serially(() => this.reconnectLater(undefined, (err as Error).message));
      return;
    }
    if (generation !== this.generation || this.ended) {
      port.end();
      return;
    }
    this.port = port;
    this.touch();
    const auth = this.auth!;
    const isLive = () => generation === this.generation && !this.ended;
    const live =
      <T>(handler: (value: T) => void) =>
      (value: T) => {
        if (isLive()) handler(value);
      };
    port.listen({
      // Checked again when its turn comes: the socket may have been replaced in the meantime.
      connection: live((update) => this.serially(async () => (isLive() ? this.onConnection(port, update) : undefined))),
      creds: live((update) => this.saveCreds(auth, update)),
      messages: live((upsert) => {
        this.touch();
        this.enqueueInbound(upsert.messages);
      }),
      statuses: live((updates) => {
        this.touch();
        this.reports = this.reports.then(() => this.applyStatuses(updates)).catch((err: Error) => this.logger.warn({ err: err.message }, 'delivery report failed'));
      }),
      lidMapping: live((mapping) => {
        this.touch();
        // In line with the messages: one that arrives after the mapping must find it.
        this.inbound = this.inbound
          .then(() => this.identities.learnMapping(mapping.lid, mapping.pn))
          .then(() => undefined)
          .catch((err: Error) => this.logger.warn({ err: err.message }, 'LID mapping not stored'));
      }),
      activity: () => {
        if (isLive()) this.touch();
      },
    });
  }

  private async onConnection(port: SocketPort, update: ConnectionUpdate): Promise<void> {
    this.touch();
    if (update.qr) await this.onQr(port, update.qr);
    if (update.isNewLogin) this.logger.info('WhatsApp Web paired; WhatsApp restarts the connection next');
    if (update.connection === 'open') await this.onOpen(port);
    if (update.connection === 'close') await this.onClose(update.lastDisconnect);
  }

  private async onQr(port: SocketPort, qr: string): Promise<void> {
    const phoneNumber = this.channel.pairing?.phoneNumber;
    this.shownPairing = true;
    if (!phoneNumber) {
      await this.setHealth({ status: 'pairing', reason: '', qr });
      return;
    }
    // Pairing by phone number: one code per socket (it stays valid while the QRs rotate).
    if (this.pairingCodeRequested) return;
    this.pairingCodeRequested = true;
    let code: string;
    try {
      code = await port.requestPairingCode(phoneNumber);
    } catch (err) {
      // The connection dropped under the request: the close that follows decides what is next.
      if (statusCodeOf(err) === CONNECTION_CLOSED) return;
      await this.finish(`WhatsApp refused a pairing code for ${phoneNumber}: ${(err as Error).message}`);
      return;
    }
    await this.setHealth({ status: 'pairing', reason: '', code });
  }

  private async onOpen(port: SocketPort): Promise<void> {
    this.connected = true;
    this.attempt = 0;
    this.pairingRounds = 0;
    const phone = phoneOf(port.user?.id);
    this.logger.info({ phone }, 'WhatsApp Web connected');
    await this.setHealth({ status: 'active', reason: '' }, phone ? { 'settings.routingKey': phone, 'settings.phoneNumber': phone } : {});
    this.startWatchdog();
    if (!this.sweptPendingIngests) {
      this.sweptPendingIngests = true;
      // Messages stored by an earlier session that never reached the pipeline.
      const pending = await this.messages.pendingIngests();
      if (pending.length > 0) this.enqueueInbound(pending);
    }
    this.drainOutbox();
  }

  private async onClose(lastDisconnect: ConnectionUpdate['lastDisconnect']): Promise<void> {
    this.connected = false;
    this.port = undefined;
    this.stopWatchdog();
    const statusCode = lastDisconnect?.statusCode;
    const why = lastDisconnect?.reason ?? 'connection closed';
    const decision = reconnectDecision(statusCode, this.attempt, this.opts.random, this.opts.backoff);
    this.logger.info({ statusCode, reason: why, action: decision.action }, 'WhatsApp Web connection closed');
    switch (decision.action) {
      case 'final':
        await this.credsWrites;
        if (decision.reason === 'logged_out') await clearAuthState(this.channelId);
        await this.finish(FINAL_REASONS[decision.reason]);
        return;
      case 'restart_now':
        void this.connect();
        return;
      case 'refresh_version': {
        const latest = await this.opts.socketFactory.latestVersion?.().catch((err: Error) => {
          this.logger.warn({ err: err.message }, 'could not fetch the current WhatsApp Web version');
          return undefined;
        });
        if (latest && latest.join('.') !== this.version?.join('.')) {
          this.logger.info({ version: latest.join('.') }, 'WhatsApp Web version refreshed');
          this.version = latest;
          void this.connect();
          return;
        }
        await this.reconnectLater(statusCode, why);
        return;
      }
      case 'backoff':
        await this.reconnectLater(statusCode, why, decision.delayMs);
    }
  }

  /** Reconnect after a backoff, showing why on the channel. */
  private async reconnectLater(statusCode: number | undefined, why: string, delayMs?: number): Promise<void> {
    if (this.ended) return;
    const paired = this.auth ? isPaired(this.auth.state.creds) : false;
    if (!paired && this.shownPairing) {
      this.shownPairing = false;
      if (++this.pairingRounds >= MAX_PAIRING_ROUNDS) {
        await this.finish(FINAL_REASONS.pairing_expired);
        return;
      }
    }
    const delay = delayMs ?? Math.floor(this.opts.random() * backoffCeiling(this.attempt, this.opts.backoff));
    this.attempt += 1;
    const status: ChannelStatus = !paired ? 'pairing' : this.attempt > ERROR_AFTER_ATTEMPTS ? 'error' : 'connecting';
    await this.setHealth({ status, reason: `Connection lost (${statusCode ?? 'no status'}): ${why}; reconnecting` });
    this.logger.warn({ statusCode, attempt: this.attempt, delayMs: delay }, 'WhatsApp Web reconnecting after a backoff');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  // --- watchdog ---

  private touch(): void {
    this.lastActivityAt = Date.now();
  }

  /**
   * A connection can look open while nothing arrives any more (a half-dead TCP connection, a
   * stuck socket). WhatsApp sends keep-alive answers every half minute, so silence for
   * `watchdogMs` means the connection is gone: replace it.
   */
  private startWatchdog(): void {
    this.stopWatchdog();
    const every = Math.max(20, Math.min(Math.floor(this.opts.watchdogMs / 3), 60_000));
    this.watchdogTimer = setInterval(() => {
      if (!this.connected || this.ended || Date.now() - this.lastActivityAt <= this.opts.watchdogMs) return;
      this.logger.warn({ silentMs: Date.now() - this.lastActivityAt }, 'WhatsApp Web connection silent; recycling it');
      const silent = this.port;
      this.generation++; // its close event is not ours to handle
      this.connected = false;
      this.port = undefined;
      this.stopWatchdog();
      silent?.end(new Error('watchdog: no activity'));
      void this.connect();
    }, every);
  }

  private stopWatchdog(): void {
    clearInterval(this.watchdogTimer);
    this.watchdogTimer = undefined;
  }

  // --- lease ---

  private async renewLease(): Promise<void> {
    if (this.ended) return;
    try {
      if (await renewLease(this.leaseName, this.opts.holderId, this.opts.leaseTtlMs)) {
        this.leaseRenewedAt = Date.now();
        return;
      }
      this.logger.warn('lease taken over by another process; stopping this session');
    } catch (err) {
      // The database is unreachable: keep the socket while the lease is surely still ours.
      if (Date.now() - this.leaseRenewedAt < this.opts.leaseTtlMs) return;
      this.logger.warn({ err: (err as Error).message }, 'lease could not be renewed before it expired; stopping this session');
    }
    const port = this.port;
    this.end();
    port?.end();
  }

  // --- inbound ---

  private enqueueInbound(messages: WAMessage[]): void {
    this.inbound = this.inbound
      .then(async () => {
        for (const msg of messages) {
          if (this.ended) return;
          await this.handleInbound(msg);
        }
      })
      .catch((err: Error) => this.logger.error({ err: err.message }, 'inbound message handling failed'));
  }

  private async handleInbound(msg: WAMessage): Promise<void> {
    const { id, remoteJid: chat, fromMe } = msg.key;
    if (!id || !chat) return;
    if (isJidStatusBroadcast(chat) || isJidBroadcast(chat) || isJidNewsletter(chat)) return;
    const settings = readSettings(this.channel, whatsappBaileysSettingsSchema);
    if (isJidGroup(chat) && !settings.groupsEnabled) return;
    if (this.isOwnChat(chat)) return;
    if (!msg.message) {
      // A message WhatsApp could not decrypt for us arrives as a stub; WhatsApp retries it, and a
      // successful retry arrives as a new upsert with the same id.
      if (msg.messageStubType) this.logger.warn({ id, stub: msg.messageStubType }, 'WhatsApp Web message without content (decrypt failure?) skipped');
      return;
    }
    if (fromMe && (await this.messages.isSentBySapa(id))) {
      await this.messages.recordSent(msg); // the echo of our own send
      return;
    }
    const before = await this.messages.recordIncoming(msg);
    if (before !== 'new' && before !== 'pending') return; // a duplicate upsert

    const contact = isJidGroup(chat) ? { externalContactId: chat, aliases: [] } : await this.identities.contactFor(chat, msg.key.remoteJidAlt);
    const result = normalizeMessage(msg, { externalContactId: contact.externalContactId, fromBusiness: Boolean(fromMe) });
    if (result.kind === 'skip') {
      if (result.reason === 'undecryptable') this.logger.warn({ id }, 'WhatsApp Web message could not be decrypted; skipped');
      await this.messages.markIngest(id, 'skipped');
      return;
    }
    const inbound = result.inbound;
    if (inbound.media) await this.storeMedia(msg, inbound);
    await this.ingestWithRetry(inbound);
    await this.messages.markIngest(id, 'done');
    await this.identities.addAliases(contact).catch((err: Error) => this.logger.warn({ err: err.message }, 'contact aliases not stored'));
  }

  /** The business's own chat ("message yourself") is not a customer. */
  private isOwnChat(chat: string): boolean {
    const me = this.auth?.state.creds.me;
    const jid = personJid(chat);
    return Boolean(me && (jid === personJid(me.id) || (me.lid && jid === personJid(me.lid))));
  }

  /** WhatsApp Web media must be downloaded while the socket is held: store it before the pipeline sees it. */
  private async storeMedia(msg: WAMessage, inbound: NormalizedInbound): Promise<void> {
    const port = this.connected ? this.port : undefined;
    if (!port || !inbound.media) return;
    try {
      const bytes = await port.downloadMedia(msg, this.opts.config.MEDIA_MAX_BYTES);
      inbound.media.storageKey = await this.opts.mediaStore.put(String(this.workspaceId), bytes);
      inbound.media.size = bytes.length;
    } catch (err) {
      const tooLarge = err instanceof MediaTooLargeError;
      this.logger.warn({ id: msg.key.id, err: (err as Error).message, tooLarge }, 'WhatsApp Web media not stored; ingesting without it');
    }
  }

  /**
   * The pipeline refuses while MongoDB or Temporal is down. WhatsApp does not deliver a message
   * twice, so keep trying; if the session stops first, the message stays `pending` and the next
   * session ingests it.
   */
  private async ingestWithRetry(inbound: NormalizedInbound): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.opts.ingest(this.channel, inbound);
        return;
      } catch (err) {
        if (this.ended) throw err;
        const delay = backoffCeiling(attempt, INGEST_RETRY);
        this.logger.warn({ id: inbound.channelMessageId, err: (err as Error).message, retryInMs: delay }, 'inbound pipeline refused a WhatsApp Web message');
        await this.sleep(delay);
      }
    }
  }

  private async applyStatuses(updates: MessageStatusUpdate[]): Promise<void> {
    for (const { key, status } of updates) {
      const state = DELIVERY_STATES[status];
      if (!key.fromMe || !key.id || !state) continue;
      await applyDeliveryReport({
        channelId: this.channelId,
        workspaceId: this.workspaceId,
        providerMessageId: key.id,
        status: state,
        at: new Date(),
        ...(state === 'failed' ? { error: { code: 'whatsapp_error', reason: 'WhatsApp reported the message as not delivered' } } : {}),
      });
    }
  }

  // --- outbox ---

  private drainOutbox(): void {
    if (!this.connected || this.ended) return;
    this.outbox.drain().catch((err: Error) => this.logger.error({ err: err.message }, 'WhatsApp Web outbox failed'));
  }

  // --- channel document ---

  /**
   * Write health (and the pairing QR/code) to the channel and tell the dashboards. Only while the
   * channel is still this session's: not disabled, and no newer pairing request.
   */
  private async setHealth(next: Health, extraSet: Record<string, unknown> = {}): Promise<void> {
    const prev = this.health;
    const unchanged =
      prev && prev.status === next.status && prev.reason === next.reason && prev.qr === next.qr && prev.code === next.code && Object.keys(extraSet).length === 0;
    if (unchanged) return;
    const now = new Date();
    const set: Record<string, unknown> = { status: next.status, statusReason: next.reason, statusAt: now, 'pairing.updatedAt': now, ...extraSet };
    const unset: Record<string, 1> = {};
    if (next.qr) set['pairing.qr'] = next.qr;
    else unset['pairing.qr'] = 1;
    if (next.code) set['pairing.code'] = next.code;
    else unset['pairing.code'] = 1;
    const res = await ChannelModel.updateOne(
      { _id: this.channelId, status: { $ne: 'disabled' }, 'pairing.requestedAt': this.requestedAt === undefined ? null : new Date(this.requestedAt) },
      { $set: set, $unset: unset },
    );
    if (res.matchedCount === 0) return; // disabled or re-paired meanwhile: the host stops this session
    this.health = next;
    await publishEvent({
      workspaceId: String(this.workspaceId),
      type: 'channelUpdated',
      conversationId: null,
      data: {
        channelId: String(this.channelId),
        status: next.status,
        reason: next.reason,
        ...(next.qr ? { qr: next.qr } : {}),
        ...(next.code ? { code: next.code } : {}),
      },
    });
  }

  // --- plumbing ---

  private saveCreds(auth: StoredAuthState, update: Partial<AuthenticationCreds>): void {
    // Baileys merges the update into the credentials itself; doing it again keeps fakes honest.
    Object.assign(auth.state.creds, update);
    this.credsWrites = this.credsWrites
      .then(() => auth.saveCreds())
      .catch((err: Error) => this.logger.error({ err: err.message }, 'WhatsApp Web credentials not saved'));
  }

  private serially(task: () => Promise<void>): void {
    this.control = this.control.then(task).catch((err: Error) => this.logger.error({ err: err.message }, 'WhatsApp Web connection handling failed'));
  }

  /** Resolves after `ms`, or at once when the session ends. */
  private sleep(ms: number): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopWaiters.add(done);
    });
  }

  /** A person must act: show why, stop for good, and let the number go. */
  private async finish(reason: string): Promise<void> {
    const port = this.port;
    await this.setHealth({ status: 'needs_reconnect', reason });
    this.end();
    port?.end();
    await releaseLease(this.leaseName, this.opts.holderId).catch(() => undefined);
  }

  /** Stop for good: timers off, socket events ignored from now on, sleepers woken. */
  private end(): void {
    this.ended = true;
    this.connected = false;
    this.generation++;
    this.port = undefined;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.leaseTimer);
    clearInterval(this.outboxTimer);
    this.stopWatchdog();
    for (const wake of [...this.stopWaiters]) wake();
  }

  /** Wait for the work in flight (writes, the message being ingested) to finish. */
  private async settle(): Promise<void> {
    await Promise.all([this.control, this.credsWrites, this.inbound, this.reports]);
  }
}
