/**
 * Applying delivery reports to outbound messages. Providers send them at least once and in any
 * order (`read` before `delivered`, a retried `sent` after `read`), so a report only ever moves a
 * message forward: the update is conditional on the stored status being an earlier one.
 */
import mongoose from 'mongoose';
import { isDuplicateKeyError } from '../errors';
import { MessageModel, ProviderMessageModel, providerMessageKey, type MessageStatus } from '../models';
import { publishEvent } from '../realtime/events';

/** Forward order. `failed` may follow `pending`/`queued`/`sent` (a send rejected later), never a delivery. */
const EARLIER: Record<string, MessageStatus[]> = {
  queued: ['pending'],
  sent: ['pending', 'queued'],
  delivered: ['pending', 'queued', 'sent'],
  read: ['pending', 'queued', 'sent', 'delivered'],
  played: ['pending', 'queued', 'sent', 'delivered', 'read'],
  failed: ['pending', 'queued', 'sent'],
};

export interface DeliveryReport {
  channelId: string | mongoose.Types.ObjectId;
  workspaceId: string | mongoose.Types.ObjectId;
  providerMessageId: string;
  status: 'queued' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';
  at?: Date;
  error?: { code: string; reason: string };
}

/**
 * Returns true when the report moved the message forward (false: stale, duplicate, or not yet
 * linked to a message, in which case it is kept and applied when the link is made).
 */
export async function applyDeliveryReport(report: DeliveryReport): Promise<boolean> {
  const key = providerMessageKey(report.channelId, report.providerMessageId);
  let link = await ProviderMessageModel.findById(key).lean();
  if (!link?.messageId) {
    // Not linked yet: park the report. The update is atomic, so either the link is made after it
    // (and applies it) or was made before it (and the returned document says so: apply it now).
    const early = {
      status: report.status,
      at: report.at ?? new Date(),
      workspaceId: String(report.workspaceId),
      ...(report.error ? { code: report.error.code, reason: report.error.reason } : {}),
    };
    link = await upsertRetryingOnce(() =>
      ProviderMessageModel.findOneAndUpdate(
        { _id: key },
        { $push: { early } },
        { upsert: true, returnDocument: 'after', lean: true },
      ),
    );
    if (!link?.messageId) return false;
  }
  return applyToMessage(link.messageId, report);
}

async function applyToMessage(messageId: mongoose.Types.ObjectId, report: DeliveryReport): Promise<boolean> {
  const set: Record<string, unknown> = { status: report.status, statusAt: report.at ?? new Date() };
  if (report.status === 'failed') {
    set.errorCode = report.error?.code ?? 'failed';
    set.error = report.error?.reason ?? '';
  }
  const message = await MessageModel.findOneAndUpdate(
    { _id: messageId, channelId: new mongoose.Types.ObjectId(String(report.channelId)), status: { $in: EARLIER[report.status] } },
    { $set: set },
    { returnDocument: 'after', lean: true },
  );
  if (!message) return false;
  await publishEvent({
    workspaceId: String(report.workspaceId),
    type: 'messageUpdated',
    conversationId: String(message.conversationId),
    data: {
      conversationId: String(message.conversationId),
      messageId: String(message._id),
      status: message.status,
      ...(message.errorCode ? { errorCode: message.errorCode, error: message.error ?? '' } : {}),
    },
    dedupeKey: `status:${String(message._id)}:${report.status}`,
  });
  return true;
}

/** Two first upserts of one `_id` at once: the loser's retry finds the document. */
async function upsertRetryingOnce<T>(run: () => PromiseLike<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return run();
  }
}

/**
 * Record the provider's id of a message Sapa sent, so delivery reports find it, and apply the
 * reports that arrived before it. Idempotent; done before or right after the send.
 *
 * The order matters on FerretDB, whose updates are not atomic against each other on one document:
 * the message is written first and the link made last, so no report (which waits for the link)
 * writes the message at the same time.
 */
export async function linkProviderMessage(channelId: mongoose.Types.ObjectId | string, providerMessageId: string, messageId: mongoose.Types.ObjectId) {
  await MessageModel.updateOne({ _id: messageId, providerMessageId: { $exists: false } }, { $set: { providerMessageId } });
  const link = await upsertRetryingOnce(() =>
    ProviderMessageModel.findOneAndUpdate(
      { _id: providerMessageKey(channelId, providerMessageId) },
      { $set: { messageId } },
      { upsert: true, returnDocument: 'after', lean: true },
    ),
  );
  for (const early of link?.early ?? []) {
    await applyToMessage(messageId, {
      channelId,
      workspaceId: early.workspaceId ?? '',
      providerMessageId,
      status: early.status as DeliveryReport['status'],
      ...(early.at ? { at: early.at } : {}),
      ...(early.code ? { error: { code: early.code, reason: early.reason ?? '' } } : {}),
    });
  }
}

/** The same forward-only rule for a message Sapa holds by its own id (the sender's result). */
export async function setOutboundStatus(
  messageId: mongoose.Types.ObjectId,
  status: DeliveryReport['status'],
  extra: { provider?: { channelId: mongoose.Types.ObjectId | string; messageId: string }; error?: { code: string; reason: string } } = {},
): Promise<boolean> {
  const set: Record<string, unknown> = { status, statusAt: new Date() };
  if (extra.provider) set.providerMessageId = extra.provider.messageId;
  if (extra.error) {
    set.errorCode = extra.error.code;
    set.error = extra.error.reason;
  }
  const res = await MessageModel.updateOne({ _id: messageId, status: { $in: EARLIER[status] } }, { $set: set });
  // Linked after the status is written, so reports (which wait for the link) never write the
  // message at the same moment as this update (see linkProviderMessage).
  if (extra.provider) await linkProviderMessage(extra.provider.channelId, extra.provider.messageId, messageId);
  return res.modifiedCount === 1;
}
