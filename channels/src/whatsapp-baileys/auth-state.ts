/**
 * A WhatsApp Web pairing kept in MongoDB: the credentials document and one document per Signal
 * key (see `models.ts`). Baileys writes keys constantly (a session per contact device, pre-keys
 * consumed and replenished); each write here is one `$set` or delete of one document, never a
 * rewrite of the whole state, and never the multi-file auth state Baileys ships for demos.
 * A session that restarts (or moves to another process) loads the same pairing: no new QR.
 */
import { isDuplicateKeyError } from '@sapa/shared';
import { BufferJSON, initAuthCreds, proto, type SignalDataSet, type SignalDataTypeMap } from '@whiskeysockets/baileys';
import mongoose from 'mongoose';
import { BaileysAuthModel, authDocId, deleteStoredAuth } from './models';
import type { AuthenticationCreds, AuthenticationState } from './socket-port';

type Id = mongoose.Types.ObjectId | string;

export interface StoredAuthState {
  state: AuthenticationState;
  /** Write the credentials as they are now (after the socket merged an update into them). */
  saveCreds(): Promise<void>;
}

/** Above this many keys in one read, a single `$in` query beats one lookup per key. */
const MANY_KEYS = 32;

const encode = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
const decode = (text: string): unknown => JSON.parse(text, BufferJSON.reviver);

export async function loadAuthState(channelId: Id, workspaceId?: Id): Promise<StoredAuthState> {
  const channel = new mongoose.Types.ObjectId(String(channelId));
  const owner = { channelId: channel, ...(workspaceId ? { workspaceId: new mongoose.Types.ObjectId(String(workspaceId)) } : {}) };
  const credsDoc = await BaileysAuthModel.findById(authDocId(channel, 'creds')).lean();
  const creds = credsDoc ? (decode(credsDoc.value) as AuthenticationCreds) : initAuthCreds();

  const keys = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      // Usually a handful of keys: one `_id` lookup each, the lookup FerretDB answers without a
      // scan. Many at once (a group's devices): one query rather than hundreds.
      const docIds = ids.map((id) => authDocId(channel, type, id));
      const found =
        docIds.length <= MANY_KEYS
          ? await Promise.all(docIds.map((_id) => BaileysAuthModel.findById(_id).lean()))
          : await BaileysAuthModel.find({ _id: { $in: docIds } }).lean();
      const result: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const doc of found) {
        if (!doc) continue;
        let value = decode(doc.value);
        // Baileys reads these as protobuf objects (it calls methods on them), not plain JSON.
        if (type === 'app-state-sync-key') value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
        result[doc.keyId] = value as SignalDataTypeMap[T];
      }
      return result;
    },
    async set(data: SignalDataSet) {
      const writes: Parameters<typeof BaileysAuthModel.bulkWrite>[0] = [];
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          const _id = authDocId(channel, type, id);
          writes.push(
            value === null || value === undefined
              ? { deleteOne: { filter: { _id } } }
              : { updateOne: { filter: { _id }, update: { $set: { ...owner, type, keyId: id, value: encode(value) } }, upsert: true } },
          );
        }
      }
      if (writes.length === 0) return;
      try {
        await BaileysAuthModel.bulkWrite(writes, { ordered: false });
      } catch (err) {
        // Two writes of a new key at once both try to insert it; the loser's retry finds the
        // document and updates it (the writes are idempotent, so repeating the rest is harmless).
        if (!isDuplicateKeyError(err)) throw err;
        await BaileysAuthModel.bulkWrite(writes, { ordered: false });
      }
    },
  };

  return {
    state: { creds, keys },
    async saveCreds() {
      await BaileysAuthModel.updateOne(
        { _id: authDocId(channel, 'creds') },
        { $set: { ...owner, type: 'creds', keyId: '', value: encode(creds) } },
        { upsert: true },
      );
    },
  };
}

/** Forget the pairing (logged out, or the owner asked to pair again). */
export async function clearAuthState(channelId: Id): Promise<void> {
  await deleteStoredAuth(channelId);
}

/** Whether the credentials belong to a paired device (WhatsApp knows the account), not a fresh one. */
export function isPaired(creds: Pick<AuthenticationCreds, 'me' | 'account'>): boolean {
  return Boolean(creds.me?.id && creds.account);
}
