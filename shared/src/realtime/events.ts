/** Publishing to the realtime outbox (the `events` collection) and reading its position. */
import mongoose from 'mongoose';
import { CounterModel, EventModel, nextSequence } from '../models';
import { isDuplicateKeyError } from '../errors';
import type { EventType } from './event-types';

export * from './event-types';

export interface RealtimeEvent {
  seq: number;
  type: EventType;
  workspaceId: string;
  conversationId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** Fills a sequence number whose event turned out to be a duplicate; never delivered. */
export const SKIP_EVENT = 'skip';

const counterName = (workspaceId: string) => `events:${workspaceId}`;

export interface PublishInput {
  workspaceId: string;
  type: EventType;
  conversationId?: string | null;
  data?: Record<string, unknown>;
  /** Re-publishing with the same key is a no-op (activity retries, duplicate deliveries). */
  dedupeKey?: string;
}

/** Append an event to the workspace's stream. Returns its sequence number, or null if it was a duplicate. */
export async function publishEvent(input: PublishInput): Promise<number | null> {
  const seq = await nextSequence(counterName(input.workspaceId));
  try {
    await EventModel.create({
      workspaceId: new mongoose.Types.ObjectId(input.workspaceId),
      seq,
      type: input.type,
      conversationId: input.conversationId ? new mongoose.Types.ObjectId(input.conversationId) : null,
      dedupeKey: input.dedupeKey ?? `seq:${seq}`,
      data: input.data ?? {},
    });
    return seq;
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    // Already published. Fill the allocated number with a filler readers pass over, so they do
    // not wait for it as for a writer still in flight.
    await EventModel.create({
      workspaceId: new mongoose.Types.ObjectId(input.workspaceId),
      seq,
      type: SKIP_EVENT,
      dedupeKey: `skip:${seq}`,
    }).catch(() => undefined);
    return null;
  }
}

/**
 * The workspace's latest allocated sequence number. A client that loads a snapshot (the thread, the
 * inbox) reads this *before* the snapshot and then streams from it, so nothing falls in between.
 */
export async function currentEventSeq(workspaceId: string): Promise<number> {
  const doc = await CounterModel.findById(counterName(workspaceId)).lean();
  return doc?.seq ?? 0;
}

/** Delete events older than `maxAgeMs` (run periodically by the worker). */
export async function pruneEvents(maxAgeMs: number): Promise<number> {
  const res = await EventModel.deleteMany({ createdAt: { $lt: new Date(Date.now() - maxAgeMs) } });
  return res.deletedCount ?? 0;
}
