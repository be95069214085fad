/**
 * Leases: exactly one process at a time may hold a WhatsApp number's socket (two sockets on one
 * pairing make WhatsApp close both with "replaced"). A lease is one document with a holder and
 * an expiry, taken and renewed with single-document conditional updates, which both MongoDB and
 * FerretDB do atomically. A holder that crashes stops renewing; once the lease expires another
 * process takes it. Expiry compares the clocks of the processes, so hosts need roughly synced
 * clocks (NTP); the TTL is far larger than any sane skew.
 */
import { isDuplicateKeyError } from '@sapa/shared';
import { ChannelLeaseModel } from './models';

/**
 * Take the lease if it is free, expired, or already ours. Returns false when another holder has a
 * live one: the conditional upsert then finds no document to update and its insert collides with
 * the existing `_id`.
 */
export async function acquireLease(name: string, holderId: string, ttlMs: number): Promise<boolean> {
  const now = new Date();
  try {
    await ChannelLeaseModel.updateOne(
      { _id: name, $or: [{ expiresAt: { $lte: now } }, { holderId }] },
      { $set: { holderId, expiresAt: new Date(now.getTime() + ttlMs) } },
      { upsert: true },
    );
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/** Extend our lease. False: it is not ours any more (it expired and someone else took it). */
export async function renewLease(name: string, holderId: string, ttlMs: number): Promise<boolean> {
  const res = await ChannelLeaseModel.updateOne({ _id: name, holderId }, { $set: { expiresAt: new Date(Date.now() + ttlMs) } });
  return res.matchedCount === 1;
}

/** Give the lease up at once (a clean stop), so another process need not wait for the expiry. */
export async function releaseLease(name: string, holderId: string): Promise<void> {
  await ChannelLeaseModel.deleteOne({ _id: name, holderId });
}

export const channelLeaseName = (channelId: string) => `whatsapp_baileys:${channelId}`;
