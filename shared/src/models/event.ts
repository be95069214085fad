import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * The realtime outbox. Every change a browser should see live is written here with a sequence
 * number per workspace; streams read it in order and resume from the last number a client saw.
 * Old events are pruned by the worker (FerretDB v1 has no TTL indexes).
 */
const eventSchema = new Schema({
  workspaceId: { type: Schema.Types.ObjectId, required: true },
  seq: { type: Number, required: true },
  type: { type: String, required: true },
  conversationId: { type: Schema.Types.ObjectId, default: null },
  /** Makes re-publishing the same fact (after a retry) a no-op. Defaults to `seq:<seq>`. */
  dedupeKey: { type: String, required: true },
  data: { type: Schema.Types.Mixed, default: {} },
  createdAt: { type: Date, default: () => new Date() },
}, { minimize: false });
eventSchema.index({ workspaceId: 1, seq: 1 }, { unique: true });
eventSchema.index({ workspaceId: 1, dedupeKey: 1 }, { unique: true });
eventSchema.index({ createdAt: 1 });

export type EventDoc = InferSchemaType<typeof eventSchema> & { _id: mongoose.Types.ObjectId };
export const EventModel = mongoose.model('Event', eventSchema, 'events');
