/**
 * Sending from the outbox (`baileys_outbox`): the session that holds a number's socket works
 * through what the worker queued for it, oldest first. Read receipts and "typing…" go at once;
 * messages are paced (`settings.minGapMs` plus up to `settings.jitterMs` at random between two sends
 * of the number), because a number that sends like a machine gets banned by WhatsApp.
 *
 * A message gets its WhatsApp id before the first attempt, derived from Sapa's id: a retry after a
 * crash or a lost connection reuses it (the customer's phone drops a duplicate), delivery reports
 * that arrive before the send returns already match the stored message, and its echo from WhatsApp
 * is known as Sapa's, not as something the business typed.
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import {
  readSettings,
  linkProviderMessage,
  setOutboundStatus,
  whatsappBaileysSettingsSchema,
  type Channel,
  type Logger,
  type MediaStore,
} from '@sapa/shared';
import type { OutboundMessage } from '../types';
import type { IdentityBook } from './identities';
import type { MessageStore } from './message-store';
import { BaileysOutboxModel, type BaileysOutboxDoc } from './models';
import type { OutgoingContent, SocketPort, WAMessage } from './socket-port';

/** Attempts before a message is marked failed (a lost connection does not count). */
const MAX_SEND_ATTEMPTS = 3;
/** "Typing…" for a message answered long ago would be misleading: older acknowledgements are dropped. */
const ACK_MAX_AGE_MS = 60_000;
/** Sent and failed entries are kept this long, so a late retry of the same delivery stays a no-op. */
const KEEP_DONE_MS = 7 * 24 * 60 * 60 * 1000;
/** WhatsApp closes the connection under a send with 428 ("Connection Closed"). */
const CONNECTION_CLOSED = 428;

/** A WhatsApp message id for a Sapa outbound id: the shape of WhatsApp Web's own ids (`3EB0` + 18 hex). */
export function whatsappMessageIdFor(sapaMessageId: string): string {
  return `3EB0${createHash('sha256').update(`sapa-outbound:${sapaMessageId}`).digest('hex').slice(0, 18).toUpperCase()}`;
}

/** A message that cannot be sent however often it is tried (missing media, unknown reaction target…). */
class UnsendableMessage extends Error {
  override name = 'UnsendableMessage';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function statusCodeOf(err: unknown): number | undefined {
  const e = err as { output?: { statusCode?: unknown }; statusCode?: unknown } | null;
  const code = e?.output?.statusCode ?? e?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export interface OutboxDeps {
  channelId: mongoose.Types.ObjectId;
  workspaceId: mongoose.Types.ObjectId;
  /** The channel as last read (its settings hold the pacing). */
  channel(): Channel;
  /** The socket while it is open; undefined while disconnected. */
  port(): SocketPort | undefined;
  messages: MessageStore;
  identities: IdentityBook;
  mediaStore: MediaStore;
  maxMediaBytes: number;
  logger: Logger;
  random: () => number;
  /** Resolves after `ms`, or early when the session stops. */
  sleep(ms: number): Promise<void>;
}

type Outcome = 'sent' | 'failed' | 'retry_later' | 'disconnected';

export class OutboxWorker {
  private lastSendAt = 0;
  private running = false;
  private again = false;

  constructor(private readonly deps: OutboxDeps) {}

  /** Work through the outbox until it is empty or the connection drops. Overlapping calls coalesce. */
  async drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        while (this.deps.port()) {
          await this.acknowledgeQueued();
          const next = await BaileysOutboxModel.findOne({ channelId: this.deps.channelId, kind: 'message', state: { $in: ['queued', 'sending'] } })
            .sort({ createdAt: 1 })
            .lean<BaileysOutboxDoc & { _id: string }>();
          if (!next) break;
          const outcome = await this.send(next);
          // A hiccup is retried on the next round rather than at once.
          if (outcome === 'retry_later' || outcome === 'disconnected') break;
        }
      } while (this.again && this.deps.port());
    } finally {
      this.running = false;
    }
  }

  /** Drop old finished entries (run now and then). */
  async prune(): Promise<void> {
    await BaileysOutboxModel.deleteMany({
      channelId: this.deps.channelId,
      state: { $in: ['sent', 'failed'] },
      updatedAt: { $lt: new Date(Date.now() - KEEP_DONE_MS) },
    });
  }

  private async acknowledgeQueued(): Promise<void> {
    const acks = await BaileysOutboxModel.find({ channelId: this.deps.channelId, kind: 'ack' }).sort({ createdAt: 1 }).limit(20).lean<Array<BaileysOutboxDoc & { _id: string }>>();
    for (const ack of acks) {
      const port = this.deps.port();
      if (!port) return;
      const target = ack.ack;
      if (target?.contactExternalId && target.channelMessageId && Date.now() - ack.createdAt.getTime() <= ACK_MAX_AGE_MS) {
        try {
          const original = await this.deps.messages.get(target.channelMessageId);
          // Blue ticks only for the customer's message, never for one of our own.
          if (original && !original.key.fromMe) await port.readMessages([original.key]);
          await port.sendPresenceUpdate('composing', await this.deps.identities.routeFor(target.contactExternalId));
        } catch (err) {
          this.deps.logger.warn({ err: (err as Error).message, channelMessageId: target.channelMessageId }, 'read receipt / typing failed');
        }
      }
      await BaileysOutboxModel.deleteOne({ _id: ack._id });
    }
  }

  private async send(item: BaileysOutboxDoc & { _id: string }): Promise<Outcome> {
    const outbound = item.message as OutboundMessage;
    const storedId = new mongoose.Types.ObjectId(outbound.storedMessageId);
    const waId = item.providerMessageId ?? whatsappMessageIdFor(outbound.messageId);

    let prepared: { content: OutgoingContent; quoted?: WAMessage };
    try {
      prepared = await this.contentFor(outbound);
    } catch (err) {
      if (!(err instanceof UnsendableMessage)) throw err;
      await this.fail(item, storedId, err.code, err.message);
      return 'failed';
    }
    const jid = await this.deps.identities.routeFor(outbound.contactExternalId);

    // Everything that must know the WhatsApp id learns it before the send.
    await this.deps.messages.rememberOutgoing(waId, { remoteJid: jid, fromMe: true, id: waId });
    await linkProviderMessage(this.deps.channelId, waId, storedId);
    await BaileysOutboxModel.updateOne({ _id: item._id }, { $set: { state: 'sending', providerMessageId: waId }, $inc: { attempts: 1 } });

    await this.pace();
    const port = this.deps.port();
    if (!port) return 'disconnected';
    try {
      const sent = await port.sendMessage(jid, prepared.content, { messageId: waId, ...(prepared.quoted ? { quoted: prepared.quoted } : {}) });
      this.lastSendAt = Date.now();
      await this.deps.messages.recordSent(sent.message);
      await BaileysOutboxModel.updateOne({ _id: item._id }, { $set: { state: 'sent' }, $unset: { error: 1 } });
      await setOutboundStatus(storedId, 'sent', { provider: { channelId: this.deps.channelId, messageId: sent.id } });
      // The answer is out: stop the "typing…" the acknowledgement started.
      await port.sendPresenceUpdate('paused', jid).catch(() => undefined);
      return 'sent';
    } catch (err) {
      this.lastSendAt = Date.now();
      const reason = (err as Error).message;
      if (statusCodeOf(err) === CONNECTION_CLOSED || !this.deps.port()) {
        // Stays `sending` with its id: sent again (same id) once reconnected.
        this.deps.logger.info({ messageId: outbound.messageId, reason }, 'send interrupted by a lost connection; will retry');
        return 'disconnected';
      }
      if ((item.attempts ?? 0) + 1 >= MAX_SEND_ATTEMPTS) {
        await this.fail(item, storedId, 'send_failed', reason);
        return 'failed';
      }
      this.deps.logger.warn({ messageId: outbound.messageId, reason }, 'WhatsApp Web send failed; will retry');
      await BaileysOutboxModel.updateOne({ _id: item._id }, { $set: { state: 'queued', error: reason } });
      return 'retry_later';
    }
  }

  private async fail(item: { _id: string }, storedId: mongoose.Types.ObjectId, code: string, reason: string) {
    this.deps.logger.warn({ outboxId: item._id, code, reason }, 'WhatsApp Web message failed');
    await BaileysOutboxModel.updateOne({ _id: item._id }, { $set: { state: 'failed', error: reason } });
    await setOutboundStatus(storedId, 'failed', { error: { code, reason } });
  }

  /** Wait until the gap since the previous send is at least `minGapMs` plus a random part of `jitterMs`. */
  private async pace(): Promise<void> {
    const { minGapMs, jitterMs } = readSettings(this.deps.channel(), whatsappBaileysSettingsSchema);
    const due = this.lastSendAt + minGapMs + Math.floor(this.deps.random() * jitterMs);
    // A loop, because a timer may fire a millisecond before the clock says it is due.
    for (let wait = due - Date.now(); wait > 0 && this.deps.port(); wait = due - Date.now()) {
      await this.deps.sleep(wait);
    }
  }

  private async contentFor(outbound: OutboundMessage): Promise<{ content: OutgoingContent; quoted?: WAMessage }> {
    const quoted = outbound.replyTo ? await this.deps.messages.get(outbound.replyTo) : undefined;
    const withQuote = <T extends OutgoingContent>(content: T) => ({ content, ...(quoted?.message ? { quoted } : {}) });

    if (outbound.reaction) {
      const target = await this.deps.messages.get(outbound.reaction.targetChannelMessageId);
      if (!target) throw new UnsendableMessage('reaction_target_unknown', 'the message to react to is not known to this WhatsApp session');
      return { content: { react: { text: outbound.reaction.emoji, key: target.key } } };
    }
    const text = renderText(outbound);
    if (!outbound.media) {
      if (!text.trim()) throw new UnsendableMessage('empty_message', 'nothing to send: no text and no media');
      return withQuote({ text });
    }

    const { storageKey, mimeType, fileName, kind } = outbound.media;
    const { mediaStore, workspaceId, maxMediaBytes } = this.deps;
    const size = mediaStore.belongsTo(storageKey, String(workspaceId)) ? await mediaStore.size(storageKey) : null;
    if (size === null) throw new UnsendableMessage('media_not_found', 'the attachment is not in the media store');
    if (size > maxMediaBytes) throw new UnsendableMessage('media_too_large', `the attachment is ${size} bytes, the limit is ${maxMediaBytes}`);
    const bytes = await mediaStore.read(storageKey);
    const caption = text.trim() ? { caption: text } : {};
    switch (kind) {
      case 'image':
        return withQuote({ image: bytes, mimetype: mimeType, ...caption });
      case 'video':
        return withQuote({ video: bytes, mimetype: mimeType, ...caption });
      case 'audio':
        // Ogg/Opus is what WhatsApp records voice notes in; send those as voice notes.
        return withQuote({ audio: bytes, mimetype: mimeType, ptt: /ogg|opus/.test(mimeType) });
      case 'document':
        return withQuote({ document: bytes, mimetype: mimeType, ...(fileName ? { fileName } : {}), ...caption });
      case 'sticker':
        return withQuote({ sticker: bytes, mimetype: mimeType });
    }
  }
}

/**
 * The text as WhatsApp Web shows it. WhatsApp Web has no buttons or lists for a linked device to
 * send, so the choices become numbered lines the customer can answer with; sources become links.
 */
export function renderText(outbound: Pick<OutboundMessage, 'text' | 'buttons' | 'list' | 'citations'>): string {
  const blocks = [outbound.text.trim()];
  if (outbound.buttons?.length) blocks.push(outbound.buttons.map((b, i) => `${i + 1}. ${b.title}`).join('\n'));
  if (outbound.list) {
    let n = 0;
    const sections = outbound.list.sections.map((section) => {
      const rows = section.rows.map((row) => `${++n}. ${row.title}${row.description ? ` — ${row.description}` : ''}`);
      return [section.title ? `*${section.title}*` : '', ...rows].filter(Boolean).join('\n');
    });
    blocks.push(sections.join('\n\n'));
  }
  const linked = (outbound.citations ?? []).filter((c) => c.url);
  if (linked.length > 0) blocks.push(linked.map((c) => `🔗 ${c.title}: ${c.url}`).join('\n'));
  return blocks.filter(Boolean).join('\n\n');
}
