/**
 * Runs the WhatsApp Web sessions of a process (the gateway). Every `pollMs` it reads the WhatsApp
 * Web channels that should be online and, for each one whose lease it can take, starts a
 * session; sessions whose channel was disabled or deleted are stopped (and logged out), sessions
 * that lost their lease or ended are dropped, and a new pairing request restarts the session from
 * scratch. Any number of hosts can run against one database: the leases make sure exactly one
 * holds each number.
 */
import { hostname } from 'node:os';
import { ChannelModel, MediaStore, randomId, type Channel, type ChannelStatus, type Config, type Logger } from '@sapa/shared';
import type { NormalizedInbound } from '../types';
import { acquireLease, channelLeaseName } from './lease';
import { ensureBaileysIndexes } from './models';
import { DEFAULT_BACKOFF, type BackoffLimits } from './policy';
import { realSocketFactory } from './real-socket';
import { Session } from './session';
import type { SocketFactory } from './socket-port';

/** Statuses in which a channel wants a session; `needs_reconnect` and `disabled` wait for a person. */
const MANAGED_STATUSES: ChannelStatus[] = ['pairing', 'connecting', 'active', 'error'];

export interface BaileysHostOptions {
  config: Config;
  logger: Logger;
  ingest(channel: Channel, inbound: NormalizedInbound): Promise<void>;
  /** Default: real Baileys sockets. Tests pass testkit's fake. */
  socketFactory?: SocketFactory;
  /** Who this process is in the leases (default: host name, pid and a random part). */
  holderId?: string;
  /** How long a lease lasts without renewal: how soon another process takes over after a crash. */
  leaseTtlMs?: number;
  pollMs?: number;
  mediaStore?: MediaStore;
  /** Reconnect backoff (default 1 s doubling up to 60 s) and its randomness (tests fix both). */
  backoff?: BackoffLimits;
  random?: () => number;
}

export class BaileysHost {
  private readonly sessions = new Map<string, Session>();
  private readonly holderId: string;
  private readonly leaseTtlMs: number;
  private readonly pollMs: number;
  private readonly socketFactory: SocketFactory;
  private readonly mediaStore: MediaStore;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopped = false;

  constructor(private readonly opts: BaileysHostOptions) {
    this.holderId = opts.holderId ?? `${hostname()}:${process.pid}:${randomId(6)}`;
    this.leaseTtlMs = opts.leaseTtlMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 2000;
    this.socketFactory = opts.socketFactory ?? realSocketFactory();
    this.mediaStore = opts.mediaStore ?? new MediaStore(opts.config.mediaDir);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await ensureBaileysIndexes();
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.pollMs);
  }

  /** Stop every session (without logging out: the pairing stays for the next start) and free the leases. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.stop()));
  }

  private tick(): Promise<void> {
    if (this.ticking || this.stopped) return this.ticking ?? Promise.resolve();
    this.ticking = this.reconcile()
      .catch((err: Error) => this.opts.logger.error({ err: err.message }, 'WhatsApp Web host poll failed'))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async reconcile(): Promise<void> {
    const channels = await ChannelModel.find({ type: 'whatsapp_baileys', status: { $in: MANAGED_STATUSES } }).lean<Channel[]>();
    const wanted = new Set<string>();
    for (const channel of channels) {
      if (this.stopped) return;
      const id = String(channel._id);
      wanted.add(id);
      const session = this.sessions.get(id);
      if (session?.isEnded) {
        // It stopped itself (lost its lease, or a final close the next poll will see).
        await session.stop();
        this.sessions.delete(id);
      } else if (session && session.requestedAt !== channel.pairing?.requestedAt?.getTime()) {
        // The owner asked to pair again: unlink the old device, forget its keys, start over.
        this.opts.logger.info({ channelId: id }, 'new WhatsApp Web pairing request; restarting the session');
        await session.stop({ logout: true });
        this.sessions.delete(id);
      } else if (session) {
        session.update(channel);
        continue;
      }
      if (!(await acquireLease(channelLeaseName(id), this.holderId, this.leaseTtlMs))) {
        this.opts.logger.debug({ channelId: id }, 'WhatsApp Web channel is held by another process');
        continue;
      }
      this.startSession(channel);
    }
    for (const [id, session] of this.sessions) {
      if (wanted.has(id)) continue;
      const current = await ChannelModel.findById(id, { status: 1 }).lean();
      // Disabled or deleted: unlink the device from the phone. needs_reconnect: it already closed.
      const unlink = !current || current.status === 'disabled';
      this.opts.logger.info({ channelId: id, status: current?.status ?? 'deleted' }, 'stopping WhatsApp Web session');
      await session.stop({ logout: unlink });
      this.sessions.delete(id);
    }
  }

  private startSession(channel: Channel): void {
    const session = new Session({
      channel,
      holderId: this.holderId,
      leaseTtlMs: this.leaseTtlMs,
      socketFactory: this.socketFactory,
      config: this.opts.config,
      logger: this.opts.logger,
      ingest: this.opts.ingest,
      mediaStore: this.mediaStore,
      watchdogMs: this.opts.config.BAILEYS_WATCHDOG_MS,
      backoff: this.opts.backoff ?? DEFAULT_BACKOFF,
      random: this.opts.random ?? Math.random,
      outboxPollMs: Math.min(this.pollMs, 1000),
    });
    this.sessions.set(String(channel._id), session);
    session.start();
  }
}
