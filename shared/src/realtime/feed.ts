/**
 * Reads the realtime outbox (the `events` collection) and fans events out to subscribers in this
 * process. MongoDB change streams are not available on FerretDB v1, so one poller per active
 * workspace reads new events in sequence order.
 *
 * Sequence numbers are allocated before the event is written, so a later number can become
 * visible before an earlier one. The poller therefore only advances over contiguous numbers; a gap
 * is waited for up to `gapWaitMs` (a writer that died leaves a permanent gap) and then skipped.
 */
import mongoose from 'mongoose';
import { EventModel } from '../models';
import { SKIP_EVENT, currentEventSeq, type EventType, type RealtimeEvent } from './events';

export interface Subscription {
  /** Deliver events with a sequence number greater than this; null means "from now". */
  after: number | null;
  filter?: (event: RealtimeEvent) => boolean;
  onEvent: (event: RealtimeEvent) => void;
}

export interface EventFeedOptions {
  pollIntervalMs?: number;
  gapWaitMs?: number;
  batchSize?: number;
  onError?: (err: unknown) => void;
}

interface Subscriber extends Subscription {
  lastSeq: number;
  /** Live events received while the catch-up query runs. */
  buffer: RealtimeEvent[] | null;
  closed: boolean;
}

type EventRow = {
  seq: number;
  type: string;
  workspaceId: mongoose.Types.ObjectId;
  conversationId: mongoose.Types.ObjectId | null;
  data: Record<string, unknown>;
  createdAt: Date;
};

function toEvent(row: EventRow): RealtimeEvent {
  return {
    seq: row.seq,
    type: row.type as EventType,
    workspaceId: String(row.workspaceId),
    conversationId: row.conversationId ? String(row.conversationId) : null,
    data: row.data ?? {},
    createdAt: row.createdAt,
  };
}

class WorkspacePoller {
  private cursor: number | null = null;
  private gapSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  readonly subscribers = new Set<Subscriber>();
  private ready: Promise<void> | null = null;

  constructor(
    private readonly workspaceId: string,
    private readonly opts: Required<Omit<EventFeedOptions, 'onError'>> & Pick<EventFeedOptions, 'onError'>,
  ) {}

  async add(sub: Subscriber): Promise<void> {
    this.subscribers.add(sub);
    this.ready ??= currentEventSeq(this.workspaceId).then(
      (seq) => {
        this.cursor = seq;
        this.schedule();
      },
      (err: unknown) => {
        this.ready = null;
        throw err;
      },
    );
    await this.ready;
    const cursor = this.cursor!;
    if (sub.after === null || sub.after >= cursor) {
      sub.lastSeq = sub.after ?? cursor;
      this.releaseBuffer(sub);
      return;
    }
    // Catch up from the database for (after, cursor], then release what arrived live meanwhile.
    const rows = await EventModel.find({
      workspaceId: new mongoose.Types.ObjectId(this.workspaceId),
      seq: { $gt: sub.after, $lte: cursor },
    })
      .sort({ seq: 1 })
      .lean<EventRow[]>();
    sub.lastSeq = sub.after;
    for (const row of rows) this.emit(sub, toEvent(row));
    sub.lastSeq = Math.max(sub.lastSeq, cursor);
    this.releaseBuffer(sub);
  }

  private releaseBuffer(sub: Subscriber) {
    const buffered = sub.buffer ?? [];
    sub.buffer = null;
    for (const e of buffered) this.emit(sub, e);
  }

  remove(sub: Subscriber) {
    this.subscribers.delete(sub);
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule() {
    if (this.timer || this.subscribers.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, this.opts.pollIntervalMs);
  }

  private deliverTo(sub: Subscriber, event: RealtimeEvent) {
    if (sub.buffer) sub.buffer.push(event);
    else this.emit(sub, event);
  }

  private emit(sub: Subscriber, event: RealtimeEvent) {
    if (sub.closed || event.seq <= sub.lastSeq) return;
    sub.lastSeq = event.seq;
    if (event.type === (SKIP_EVENT as EventType)) return;
    if (!sub.filter || sub.filter(event)) sub.onEvent(event);
  }

  private async poll() {
    if (this.running || this.cursor === null) return;
    this.running = true;
    try {
      // The counter is one small document; the events query is only run when there is news.
      // (On FerretDB v1 every filtered query scans its collection, and events is the largest.)
      if ((await currentEventSeq(this.workspaceId)) <= this.cursor) return;
      const rows = await EventModel.find({
        workspaceId: new mongoose.Types.ObjectId(this.workspaceId),
        seq: { $gt: this.cursor },
      })
        .sort({ seq: 1 })
        .limit(this.opts.batchSize)
        .lean<EventRow[]>();
      for (const row of rows) {
        if (row.seq !== this.cursor + 1) {
          const now = Date.now();
          this.gapSince ??= now;
          if (now - this.gapSince < this.opts.gapWaitMs) break;
        }
        this.gapSince = null;
        this.cursor = row.seq;
        const event = toEvent(row);
        for (const sub of this.subscribers) this.deliverTo(sub, event);
      }
    } catch (err) {
      this.opts.onError?.(err);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}

export class EventFeed {
  private readonly pollers = new Map<string, WorkspacePoller>();
  private readonly opts: Required<Omit<EventFeedOptions, 'onError'>> & Pick<EventFeedOptions, 'onError'>;

  constructor(opts: EventFeedOptions = {}) {
    this.opts = {
      pollIntervalMs: opts.pollIntervalMs ?? 50,
      gapWaitMs: opts.gapWaitMs ?? 2000,
      batchSize: opts.batchSize ?? 500,
      onError: opts.onError,
    };
  }

  /** Subscribe to a workspace's events. Resolves once catch-up is done; call the returned function to stop. */
  async subscribe(workspaceId: string, subscription: Subscription): Promise<() => void> {
    let poller = this.pollers.get(workspaceId);
    if (!poller) {
      poller = new WorkspacePoller(workspaceId, this.opts);
      this.pollers.set(workspaceId, poller);
    }
    const sub: Subscriber = { ...subscription, lastSeq: subscription.after ?? 0, buffer: [], closed: false };
    const p = poller;
    const unsubscribe = () => {
      sub.closed = true;
      p.remove(sub);
      if (p.subscribers.size === 0) {
        p.stop();
        if (this.pollers.get(workspaceId) === p) this.pollers.delete(workspaceId);
      }
    };
    try {
      await p.add(sub);
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  close() {
    for (const p of this.pollers.values()) p.stop();
    this.pollers.clear();
  }
}
