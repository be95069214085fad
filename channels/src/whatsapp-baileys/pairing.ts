/**
 * The dashboard's side of WhatsApp Web pairing: it only writes the request on the channel, and the
 * gateway's session host (which holds the sockets) acts on it within a poll. Only mongoose here:
 * the dashboard must not load Baileys.
 */
import mongoose from 'mongoose';
import { z } from 'zod';
import { ChannelModel, badRequest, notFound } from '@sapa/shared';
import { deleteStoredAuth } from './models';

type Id = mongoose.Types.ObjectId | string;

/**
 * A number for pairing by code, as WhatsApp wants it: international digits without `+`. People
 * in Indonesia write their number locally (`0812…`): a leading 0 becomes the country code 62.
 */
export const pairingPhoneSchema = z
  .string()
  .transform((raw) => raw.replace(/[\s().-]/g, ''))
  .transform((s) => (s.startsWith('+') ? s.slice(1) : s.startsWith('0') ? `62${s.slice(1)}` : s))
  .pipe(z.string().regex(/^[1-9]\d{7,14}$/, 'a phone number with its country code'));

const oid = (id: Id) => new mongoose.Types.ObjectId(String(id));

/**
 * Start pairing (again): forget the old pairing, show a QR (or a pairing code for `phoneNumber`).
 * The new `requestedAt` tells the host to restart the number's session from scratch.
 */
export async function requestPairing(channelId: Id, workspaceId: Id, options: { phoneNumber?: string } = {}): Promise<void> {
  let phoneNumber: string | undefined;
  if (options.phoneNumber) {
    const parsed = pairingPhoneSchema.safeParse(options.phoneNumber);
    if (!parsed.success) throw badRequest('error.phoneNumberInvalid', parsed.error.issues[0]?.message);
    phoneNumber = parsed.data;
  }
  const filter = { _id: oid(channelId), workspaceId: oid(workspaceId), type: 'whatsapp_baileys' as const };
  if (!(await ChannelModel.exists(filter))) throw notFound('error.channelNotFound');
  await deleteStoredAuth(channelId);
  const now = new Date();
  await ChannelModel.updateOne(filter, {
    $set: {
      status: 'pairing',
      statusReason: '',
      statusAt: now,
      'pairing.requestedAt': now,
      'pairing.updatedAt': now,
      ...(phoneNumber ? { 'pairing.phoneNumber': phoneNumber } : {}),
    },
    $unset: { 'pairing.qr': 1, 'pairing.code': 1, ...(phoneNumber ? {} : { 'pairing.phoneNumber': 1 }) },
  });
}

/**
 * Take the number offline: the host logs the session out (unlinking the device from the phone)
 * and forgets the pairing. The stored keys go at once; the running session still holds its own.
 */
export async function disconnectWhatsappWeb(channelId: Id, workspaceId: Id): Promise<void> {
  const filter = { _id: oid(channelId), workspaceId: oid(workspaceId), type: 'whatsapp_baileys' as const };
  const res = await ChannelModel.updateOne(filter, {
    $set: { status: 'disabled', statusReason: '', statusAt: new Date() },
    $unset: { 'pairing.qr': 1, 'pairing.code': 1 },
  });
  if (res.matchedCount === 0) throw notFound('error.channelNotFound');
  await deleteStoredAuth(channelId);
}
