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

/** Returns true when the report moved the message forward (false: unknown message, or stale/duplicate). */
export async function applyDeliveryReport(report: DeliveryReport): Promise<boolean> {
  const link = await ProviderMessageModel.findById(providerMessageKey(report.channelId, report.providerMessageId)).lean();
  if (!link) return false; // not a message Sapa sent (or sent before links existed)
  const set: Record<string, unknown> = { status: report.status, statusAt: report.at ?? new Date() };
  if (report.status === 'failed') {
    set.errorCode = report.error?.code ?? 'failed';
    set.error = report.error?.reason ?? '';
  }
  const message = await MessageModel.findOneAndUpdate(
    { _id: link.messageId, channelId: new mongoose.Types.ObjectId(String(report.channelId)), status: { $in: EARLIER[report.status] } },
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

/**
 * Record the provider's id of a message Sapa sent, so delivery reports find it. Idempotent; done
 * before or right after the send (a report can arrive before the send call returns).
 */
export async function linkProviderMessage(channelId: mongoose.Types.ObjectId | string, providerMessageId: string, messageId: mongoose.Types.ObjectId) {
  try {
    await ProviderMessageModel.create({ _id: providerMessageKey(channelId, providerMessageId), messageId });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  await MessageModel.updateOne({ _id: messageId, providerMessageId: { $exists: false } }, { $set: { providerMessageId } });
}

/** The same forward-only rule for a message Sapa holds by its own id (the sender's result). */
export async function setOutboundStatus(
  messageId: mongoose.Types.ObjectId,
  status: DeliveryReport['status'],
  extra: { provider?: { channelId: mongoose.Types.ObjectId | string; messageId: string }; error?: { code: string; reason: string } } = {},
): Promise<boolean> {
  if (extra.provider) await linkProviderMessage(extra.provider.channelId, extra.provider.messageId, messageId);
  const set: Record<string, unknown> = { status, statusAt: new Date() };
  if (extra.error) {
    set.errorCode = extra.error.code;
    set.error = extra.error.reason;
  }
  const res = await MessageModel.updateOne({ _id: messageId, status: { $in: EARLIER[status] } }, { $set: set });
  return res.modifiedCount === 1;
}
