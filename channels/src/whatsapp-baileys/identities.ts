/**
 * One customer, two addresses: WhatsApp now addresses people by a LID (`123…@lid`, hides the
 * number) as well as by their phone-number JID (`62…@s.whatsapp.net`), and a chat can switch
 * between them. Sapa keeps one contact per person: every JID seen maps to the contact it was
 * first given to (see `models.ts`), learnt from the alternate JID on a message's key
 * (`remoteJidAlt`) and from WhatsApp's `lid-mapping.update` events. Replies go to the JID the
 * chat last arrived on, which is the one WhatsApp currently delivers on.
 */
import { isJidGroup, isPnUser, jidNormalizedUser } from '@whiskeysockets/baileys';
import mongoose from 'mongoose';
import { ContactModel, contactIdFor, isDuplicateKeyError } from '@sapa/shared';
import { BaileysIdentityModel, identityDocId } from './models';

/** A person's JID without the device suffix (`62…:12@s.whatsapp.net` → `62…@s.whatsapp.net`); groups as they are. */
export function personJid(jid: string): string {
  if (isJidGroup(jid)) return jid;
  return jidNormalizedUser(jid) || jid;
}

export interface ResolvedContact {
  externalContactId: string;
  /** The person's other JIDs, for the contact's `aliases`. */
  aliases: string[];
}

/** Bounded memo: entries never change once written (`$setOnInsert`), so any copy is current. */
const MEMO_LIMIT = 10_000;

export class IdentityBook {
  private readonly owners = new Map<string, string>();
  private readonly routes = new Map<string, string>();

  constructor(private readonly channel: { channelId: mongoose.Types.ObjectId; workspaceId: mongoose.Types.ObjectId }) {}

  /**
   * Who a chat is with. `chatJid` is the JID the message arrived on, `altJid` the other address
   * WhatsApp gave for the same person, if any. Remembers the chat's JID as the reply route.
   */
  async contactFor(chatJid: string, altJid?: string | null): Promise<ResolvedContact> {
    const chat = personJid(chatJid);
    const resolved = await this.link([chat, ...(altJid ? [personJid(altJid)] : [])]);
    await this.setRoute(resolved.externalContactId, chat);
    return resolved;
  }

  /** WhatsApp told us a LID and a phone number are one person. */
  async learnMapping(lid: string, pn: string): Promise<ResolvedContact> {
    const resolved = await this.link([personJid(pn), personJid(lid)]);
    if (resolved.aliases.length > 0) await this.addAliases(resolved);
    return resolved;
  }

  /** Where to send a reply to a contact: the JID the chat last arrived on. */
  async routeFor(externalContactId: string): Promise<string> {
    const memo = this.routes.get(externalContactId);
    if (memo) return memo;
    const doc = await BaileysIdentityModel.findById(identityDocId(this.channel.channelId, externalContactId)).lean();
    return doc?.routeJid ?? externalContactId;
  }

  /** Record the person's other JIDs on their contact (once it exists: after the first ingest). */
  async addAliases(resolved: ResolvedContact): Promise<void> {
    if (resolved.aliases.length === 0) return;
    await ContactModel.updateOne(
      { _id: contactIdFor(this.channel.channelId, resolved.externalContactId) },
      { $addToSet: { aliases: { $each: resolved.aliases } } },
    );
  }

  /**
   * Map every JID to one contact: the one any of them already belongs to (the phone number's first),
   * else the phone-number JID, else the first JID. Existing mappings are never rewritten, so a
   * contact keeps its conversations when the other address is learnt later.
   */
  private async link(jids: string[]): Promise<ResolvedContact> {
    const unique = [...new Set(jids)];
    const owners = await Promise.all(unique.map((jid) => this.ownerOf(jid)));
    const known = unique.map((jid, i) => ({ jid, owner: owners[i] })).filter((x): x is { jid: string; owner: string } => Boolean(x.owner));
    const externalContactId =
      known.find((x) => isPnUser(x.jid))?.owner ?? known[0]?.owner ?? unique.find((jid) => isPnUser(jid)) ?? unique[0]!;
    for (const jid of unique) {
      if (!owners[unique.indexOf(jid)]) await this.claim(jid, externalContactId);
    }
    const aliases = unique.filter((jid) => jid !== externalContactId);
    return { externalContactId, aliases };
  }

  private async ownerOf(jid: string): Promise<string | undefined> {
    const memo = this.owners.get(jid);
    if (memo) return memo;
    const doc = await BaileysIdentityModel.findById(identityDocId(this.channel.channelId, jid)).lean();
    if (doc) this.remember(this.owners, jid, doc.contactExternalId);
    return doc?.contactExternalId;
  }

  private async claim(jid: string, externalContactId: string): Promise<void> {
    try {
      await BaileysIdentityModel.updateOne(
        { _id: identityDocId(this.channel.channelId, jid) },
        { $setOnInsert: { ...this.channel, jid, contactExternalId: externalContactId } },
        { upsert: true },
      );
    } catch (err) {
      // Claimed at the same moment elsewhere: the first claim stands.
      if (!isDuplicateKeyError(err)) throw err;
    }
    this.owners.delete(jid);
  }

  private async setRoute(externalContactId: string, chatJid: string): Promise<void> {
    if (this.routes.get(externalContactId) === chatJid) return;
    await BaileysIdentityModel.updateOne(
      { _id: identityDocId(this.channel.channelId, externalContactId) },
      { $set: { routeJid: chatJid }, $setOnInsert: { ...this.channel, jid: externalContactId, contactExternalId: externalContactId } },
      { upsert: true },
    );
    this.remember(this.routes, externalContactId, chatJid);
  }

  private remember(map: Map<string, string>, key: string, value: string) {
    if (map.size >= MEMO_LIMIT) map.clear();
    map.set(key, value);
  }
}
