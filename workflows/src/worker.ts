/** The worker process: runs conversation workflows and their activities until SIGINT/SIGTERM. */
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { connectDatabase, createLogger, disconnectDatabase, ensureIndexes, loadConfig, pruneEvents } from '@sapa/shared';
import { createWorker } from './worker-setup';

const EVENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

const config = loadConfig();
const log = createLogger('worker', config.LOG_LEVEL);
Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN') });

await connectDatabase(config.MONGODB_URI);
await ensureIndexes();
const { worker, connection } = await createWorker({
  config,
  address: config.TEMPORAL_ADDRESS,
  namespace: config.TEMPORAL_NAMESPACE,
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  bundlePath: process.env.SAPA_WORKFLOW_BUNDLE || undefined,
});

// FerretDB v1 has no TTL indexes, so old realtime events are pruned here.
const prune = setInterval(() => {
  pruneEvents(EVENT_RETENTION_MS).catch((err: unknown) => log.warn({ err }, 'pruning events failed'));
}, 60 * 60 * 1000);
prune.unref();

log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker started');
try {
  await worker.run(); // resolves after Runtime's shutdown signals (SIGINT/SIGTERM) drain the worker
} finally {
  clearInterval(prune);
  await connection.close();
  await disconnectDatabase();
  log.info('worker stopped');
}
