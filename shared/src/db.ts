/**
 * Connecting to MongoDB (or the FerretDB server `npm start` runs). Indexes are built explicitly by
 * `ensureIndexes()` rather than by mongoose's autoIndex, so a failed index build is an error at
 * start-up instead of an unhandled 'error' event later.
 */
import mongoose from 'mongoose';
import * as models from './models';

mongoose.set('autoIndex', false);
mongoose.set('autoCreate', true);
mongoose.set('strictQuery', true);

export async function connectDatabase(uri: string, opts: { serverSelectionTimeoutMS?: number } = {}) {
  if (mongoose.connection.readyState === 1) return mongoose.connection;
  await mongoose.connect(uri, {
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 5000,
    // A write the database has not answered for this long is reported as failed (the caller answers 503).
    socketTimeoutMS: 30_000,
    // Notice a lost or returning server within seconds (the default checks every 10 s), so the
    // gateway goes from 503 back to accepting messages soon after the database is back.
    heartbeatFrequencyMS: 2000,
    maxPoolSize: 50,
  });
  return mongoose.connection;
}

export async function disconnectDatabase() {
  await mongoose.disconnect();
}

export async function ensureIndexes() {
  for (const value of Object.values(models)) {
    if (typeof value === 'function' && 'createIndexes' in value && 'collection' in value) {
      await (value as unknown as typeof mongoose.Model).createIndexes();
    }
  }
}

/** Whether the database answers a ping right now (for readiness checks). */
export async function pingDatabase(timeoutMs = 1000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== 1 || !db) return false;
  try {
    await Promise.race([
      db.admin().ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('ping timeout')), timeoutMs)),
    ]);
    return true;
  } catch {
    return false;
  }
}

export function isValidObjectId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{24}$/i.test(value);
}
