/**
 * The WhatsApp Web adapter's own collections. They are the adapter's internals (nothing else reads
 * them), so they live with it rather than in `@sapa/shared`. Every document is found by `_id`,
 * which callers build from the channel and a natural key: the cheapest lookup on MongoDB and the
 * only one FerretDB v1 does not answer by scanning.
 *
 * No Baileys import here: the dashboard loads this file (through `pairing.ts`).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

type Id = mongoose.Types.ObjectId | string;
const oid = (id: Id) => new mongoose.Types.ObjectId(String(id));

/**
 * Pairing credentials and Signal keys, one document per key: `<channelId>:creds` and
 * `<channelId>:<type>:<keyId>`. A key write is a single-document `$set` (or a delete), so a crash
 * never leaves half a key store, and nothing is rewritten that did not change. Values are JSON
 * with Baileys' `BufferJSON` encoding, kept as a string: key maps have JIDs with dots as field
 * names, which MongoDB documents cannot hold.
 */
const authSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId },
    channelId: { type: Schema.Types.ObjectId, required: true },
    /** `creds`, or the Signal key type (`pre-key`, `session`, `sender-key`, `app-state-sync-key`…). */
    type: { type: String, required: true },
    keyId: { type: String, default: '' },
    value: { type: String, required: true },
  },
  { timestamps: { createdAt: false, updatedAt: true }, versionKey: false },
);
authSchema.index({ channelId: 1 });

export const authDocId = (channelId: Id, type: string, keyId?: string) =>
  keyId === undefined ? `${String(channelId)}:${type}` : `${String(channelId)}:${type}:${keyId}`;

/**
 * Every message proto the session received or sent, by `<channelId>:<WhatsApp message id>`:
 * WhatsApp asks for a message again when a recipient could not decrypt it (`getMessage`), read
 * receipts and quoted replies need the original key, and inbound dedupe needs to know what was
 * ingested already.
 */
const messageSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    channelId: { type: Schema.Types.ObjectId, required: true },
    /** The message key (remoteJid, fromMe, id, participant, and the LID/PN alternates), as JSON. */
    key: { type: String, required: true },
    /** The `proto.Message`, BufferJSON-encoded JSON; empty until a message Sapa sends went out. */
    message: { type: String, default: '' },
    /** Kept so a message can be ingested again from here alone (after a crash mid-ingest). */
    pushName: { type: String },
    messageTimestamp: { type: Number },
    /** Sapa sent it: its echo from WhatsApp is not a message typed on the business's phone. */
    sentBySapa: { type: Boolean, default: false },
    /**
     * Inbound (or typed on the phone): `pending` until handed to the inbound pipeline, then `done`
     * (`skipped` for messages with nothing to ingest). A session re-ingests `pending` ones when it
     * starts, so a message received while the database or Temporal was down is not lost.
     */
    ingest: { type: String, enum: ['none', 'pending', 'done', 'skipped'], default: 'none' },
  },
  { timestamps: true, versionKey: false },
);
messageSchema.index({ channelId: 1, ingest: 1 });

export const messageDocId = (channelId: Id, waMessageId: string) => `${String(channelId)}:${waMessageId}`;

/**
 * Who is who: WhatsApp addresses one person by a phone-number JID and, increasingly, by a LID.
 * One document per JID seen (`<channelId>|<jid>`) names the contact it belongs to (the
 * `externalContactId`, the phone-number JID when it was known at first contact), so both identities
 * reach one conversation. The contact's own document also remembers the JID the chat last arrived
 * on (`routeJid`): replies go there.
 */
const identitySchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    channelId: { type: Schema.Types.ObjectId, required: true },
    jid: { type: String, required: true },
    contactExternalId: { type: String, required: true },
    routeJid: { type: String },
  },
  { timestamps: true, versionKey: false },
);

export const identityDocId = (channelId: Id, jid: string) => `${String(channelId)}|${jid}`;

/**
 * Work for the session holding the socket, written by whichever process asked (the worker's
 * delivery activity): replies to send (`_id` = Sapa's outbound message id, so a retried delivery
 * inserts nothing) and read/typing acknowledgements (`ack:<channelId>:<message id>`).
 */
const outboxSchema = new Schema(
  {
    _id: { type: String, required: true },
    workspaceId: { type: Schema.Types.ObjectId, required: true },
    channelId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['message', 'ack'], required: true },
    state: { type: String, enum: ['queued', 'sending', 'sent', 'failed'], default: 'queued' },
    /** kind `message`: the `OutboundMessage`. */
    message: { type: Schema.Types.Mixed },
    /** kind `ack`: the customer message to mark read, and who to show "typing…" to. */
    ack: { contactExternalId: String, channelMessageId: String },
    /** The WhatsApp id the message is sent with (derived from Sapa's id before the first attempt). */
    providerMessageId: { type: String },
    attempts: { type: Number, default: 0 },
    error: { type: String },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
outboxSchema.index({ channelId: 1, state: 1, createdAt: 1 });

/**
 * Who runs a channel's socket: one document per channel with the holder and an expiry, taken with
 * a conditional update. Exactly one process holds a WhatsApp number; a crashed holder's lease runs
 * out and another process takes over.
 */
const leaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    holderId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, versionKey: false },
);

export type BaileysAuthDoc = InferSchemaType<typeof authSchema>;
export type BaileysMessageDoc = InferSchemaType<typeof messageSchema>;
export type BaileysIdentityDoc = InferSchemaType<typeof identitySchema>;
export type BaileysOutboxDoc = InferSchemaType<typeof outboxSchema> & { createdAt: Date };
export type ChannelLeaseDoc = InferSchemaType<typeof leaseSchema>;

export const BaileysAuthModel = mongoose.model('BaileysAuth', authSchema, 'baileys_auth');
export const BaileysMessageModel = mongoose.model('BaileysMessage', messageSchema, 'baileys_messages');
export const BaileysIdentityModel = mongoose.model('BaileysIdentity', identitySchema, 'baileys_identities');
export const BaileysOutboxModel = mongoose.model('BaileysOutbox', outboxSchema, 'baileys_outbox');
export const ChannelLeaseModel = mongoose.model('ChannelLease', leaseSchema, 'channel_leases');

/** Indexes are built explicitly (the app turns mongoose's autoIndex off); idempotent. */
export async function ensureBaileysIndexes(): Promise<void> {
  for (const model of [BaileysAuthModel, BaileysMessageModel, BaileysIdentityModel, BaileysOutboxModel, ChannelLeaseModel]) {
    await model.createIndexes();
  }
}

/** Forget a channel's pairing: the next session shows a QR again. */
export async function deleteStoredAuth(channelId: Id): Promise<void> {
  await BaileysAuthModel.deleteMany({ channelId: oid(channelId) });
}
