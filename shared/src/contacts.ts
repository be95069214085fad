/**
 * Finding and creating contacts. A contact's `_id` is derived from its channel and its id on the
 * channel, so every lookup is by `_id`: the cheapest query on MongoDB, and on FerretDB v1 (which
 * uses no index for queries) a scan SQLite does itself instead of FerretDB decoding every document.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { isDuplicateKeyError } from './errors';
import { ContactModel, type Contact } from './models';

type Id = mongoose.Types.ObjectId | string;

export function contactIdFor(channelId: Id, externalId: string): mongoose.Types.ObjectId {
  const digest = createHash('sha256').update(`contact\0${String(channelId)}\0${externalId}`).digest();
  return new mongoose.Types.ObjectId(digest.subarray(0, 12));
}

export function findContact(channelId: Id, externalId: string) {
  return ContactModel.findById(contactIdFor(channelId, externalId)).lean<Contact>();
}

export interface ContactKey {
  workspaceId: Id;
  channelId: Id;
  externalId: string;
}

/** Create the contact if it does not exist (with `onInsert`), apply `set`, and return it. */
export async function upsertContact(key: ContactKey, onInsert: Partial<Contact> = {}, set: Partial<Contact> = {}): Promise<Contact> {
  const _id = contactIdFor(key.channelId, key.externalId);
  const update = {
    $setOnInsert: { ...onInsert, workspaceId: key.workspaceId, channelId: key.channelId, externalId: key.externalId },
    ...(Object.keys(set).length > 0 ? { $set: set } : {}),
  };
  try {
    return (await ContactModel.findOneAndUpdate({ _id }, update, { upsert: true, returnDocument: 'after', lean: true }))!;
  } catch (err) {
    // Two first messages raced on the upsert: the loser reads the winner's contact.
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await ContactModel.findById(_id).lean<Contact>();
    if (!existing) throw err;
    return existing;
  }
}
