/**
 * Sapa's copy of every WhatsApp message a session received or sent (`baileys_messages`): the proto
 * for WhatsApp's retry requests (`getMessage`), the key for read receipts and quoted replies, the
 * ingest state for dedupe, and which messages Sapa itself sent (their echoes are not messages the
 * business typed on its phone). Protos are stored as BufferJSON text and read back through
 * `proto.Message.fromObject`, which restores bytes, longs and enums from either encoding.
 */
import { BufferJSON, proto } from '@whiskeysockets/baileys';
import mongoose from 'mongoose';
import { BaileysMessageModel, messageDocId, type BaileysMessageDoc } from './models';
import type { MessageProto, WAMessage, WAMessageKey } from './socket-port';

type Numeric = number | { toNumber(): number } | null | undefined;
const seconds = (value: Numeric) => (value === null || value === undefined ? undefined : typeof value === 'number' ? value : value.toNumber());

export type IngestState = 'none' | 'pending' | 'done' | 'skipped';

export class MessageStore {
  constructor(private readonly channel: { channelId: mongoose.Types.ObjectId; workspaceId: mongoose.Types.ObjectId }) {}

  private id(waMessageId: string) {
    return messageDocId(this.channel.channelId, waMessageId);
  }

  /**
   * Store a message that arrived (a customer's, or one typed on the business's phone) and return
   * its ingest state before this call: `new` the first time, `pending` if an earlier ingest did not
   * finish, `done`/`skipped` for a duplicate, `none` for a message Sapa sent.
   */
  async recordIncoming(msg: WAMessage): Promise<IngestState | 'new'> {
    const previous = await BaileysMessageModel.findOneAndUpdate(
      { _id: this.id(msg.key.id!) },
      {
        $set: {
          key: JSON.stringify(msg.key),
          message: msg.message ? JSON.stringify(msg.message, BufferJSON.replacer) : '',
          ...(msg.pushName ? { pushName: msg.pushName } : {}),
          ...(seconds(msg.messageTimestamp as Numeric) ? { messageTimestamp: seconds(msg.messageTimestamp as Numeric) } : {}),
        },
        $setOnInsert: { ...this.channel, ingest: 'pending' },
      },
      { upsert: true, returnDocument: 'before', lean: true },
    );
    return previous ? (previous.ingest as IngestState) : 'new';
  }

  async markIngest(waMessageId: string, state: 'done' | 'skipped'): Promise<void> {
    await BaileysMessageModel.updateOne({ _id: this.id(waMessageId) }, { $set: { ingest: state } });
  }

  /** Before sending: from now on the id is Sapa's, so its echo is recognised even if it beats the send's return. */
  async rememberOutgoing(waMessageId: string, key: WAMessageKey): Promise<void> {
    await BaileysMessageModel.updateOne(
      { _id: this.id(waMessageId) },
      { $set: { sentBySapa: true }, $setOnInsert: { ...this.channel, key: JSON.stringify(key), ingest: 'none' } },
      { upsert: true },
    );
  }

  /** After sending: keep the proto WhatsApp may ask for again. */
  async recordSent(msg: WAMessage): Promise<void> {
    await BaileysMessageModel.updateOne(
      { _id: this.id(msg.key.id!) },
      {
        $set: { sentBySapa: true, key: JSON.stringify(msg.key), message: msg.message ? JSON.stringify(msg.message, BufferJSON.replacer) : '' },
        $setOnInsert: { ...this.channel, ingest: 'none' },
      },
      { upsert: true },
    );
  }

  async isSentBySapa(waMessageId: string): Promise<boolean> {
    const doc = await BaileysMessageModel.findById(this.id(waMessageId), { sentBySapa: 1 }).lean();
    return doc?.sentBySapa === true;
  }

  /** The stored message (key and content), for read receipts, quoting and reactions. */
  async get(waMessageId: string): Promise<WAMessage | undefined> {
    const doc = await BaileysMessageModel.findById(this.id(waMessageId)).lean();
    return doc ? toWAMessage(doc) : undefined;
  }

  /** Baileys' `getMessage`: the content of a message WhatsApp asks to be sent again. */
  async content(key: WAMessageKey): Promise<MessageProto | undefined> {
    if (!key.id) return undefined;
    return (await this.get(key.id))?.message ?? undefined;
  }

  /** Messages stored but not ingested (the process stopped, or ingest kept failing), oldest first. */
  async pendingIngests(limit = 100): Promise<WAMessage[]> {
    const docs = await BaileysMessageModel.find({ channelId: this.channel.channelId, ingest: 'pending' })
      .sort({ createdAt: 1 })
      .limit(limit)
      .lean();
    return docs.map(toWAMessage);
  }
}

function toWAMessage(doc: BaileysMessageDoc): WAMessage {
  return {
    key: JSON.parse(doc.key) as WAMessageKey,
    ...(doc.message ? { message: proto.Message.fromObject(JSON.parse(doc.message, BufferJSON.reviver) as object) } : {}),
    ...(doc.pushName ? { pushName: doc.pushName } : {}),
    ...(doc.messageTimestamp ? { messageTimestamp: doc.messageTimestamp } : {}),
  };
}
