/**
 * Builds the Temporal worker. Shared by the worker process (`worker.ts`) and the tests, which run
 * the same worker in-process on their own task queue.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { KeyVault, createLogger, type Config } from '@sapa/shared';
import { createChannelRegistry } from '@sapa/channels';
import { createActivities } from './activities';
import { WORKFLOWS_PATH } from './paths';

export interface CreateWorkerOptions {
  config: Config;
  address: string;
  namespace: string;
  taskQueue: string;
  /**
   * A prebuilt bundle (`npm run build -w @sapa/workflows`, see paths.ts); without one the worker
   * bundles the workflow code at start, which takes a few seconds but can never be stale.
   */
  bundlePath?: string;
  overrides?: Partial<WorkerOptions>;
}

export async function createWorker(opts: CreateWorkerOptions) {
  const connection = await NativeConnection.connect({ address: opts.address });
  const bundlePath = opts.bundlePath;
  const worker = await Worker.create({
    connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities({
      config: opts.config,
      registry: createChannelRegistry({
        config: opts.config,
        vault: new KeyVault(opts.config.SAPA_MASTER_KEYS),
        logger: createLogger('channels', opts.config.LOG_LEVEL),
      }),
    }),
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    // Let activities in flight finish on shutdown instead of being cancelled at once.
    shutdownGraceTime: '10s',
    ...opts.overrides,
  });
  return { worker, connection };
}
