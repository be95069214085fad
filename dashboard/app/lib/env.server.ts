/**
 * The dashboard's process-wide resources: configuration (read once, failing fast at start-up), the
 * database connection and the Temporal client. Both connections are opened on first use, so the
 * server starts even while MongoDB or Temporal is still coming up; a failed attempt is forgotten so
 * the next request tries again.
 */
import type { Client } from '@temporalio/client';
import { connectDatabase, connectTemporal, createLogger, disconnectDatabase, ensureIndexes, loadConfig } from '@sapa/shared';
import { onShutdown } from './shutdown.server';

export const config = loadConfig();
export const logger = createLogger('dashboard', config.LOG_LEVEL);

let database: Promise<void> | null = null;

/** Resolves once MongoDB is connected and the indexes exist. */
export function ensureDatabase(): Promise<void> {
  database ??= (async () => {
    await connectDatabase(config.MONGODB_URI);
    await ensureIndexes();
  })().catch((err: unknown) => {
    database = null;
    throw err;
  });
  return database;
}

let temporal: Promise<Client> | null = null;

export function temporalClient(): Promise<Client> {
  temporal ??= connectTemporal(config).catch((err: unknown) => {
    temporal = null;
    throw err;
  });
  return temporal;
}

onShutdown(async () => {
  const client = await temporal?.catch(() => null);
  await Promise.allSettled([client?.connection.close(), disconnectDatabase()]);
});
