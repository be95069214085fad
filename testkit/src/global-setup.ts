/**
 * Vitest global set-up: one FerretDB (or MONGODB_URI's MongoDB) and one Temporal dev server (or
 * TEMPORAL_ADDRESS's) for the whole run, and the workflow code bundled once. Test files share the
 * servers and isolate themselves with their own database name and task queue.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { provideServers } from '../../scripts/servers.mjs';
import { WORKFLOWS_PATH } from '../../workflows/src/paths';

export default async function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sapa-test-'));
  const servers = await provideServers({
    dataDir: dir,
    // A low continue-as-new suggestion lets tests exercise it without thousands of events.
    temporalDynamicConfig: ['limit.historyCount.suggestContinueAsNew=400'],
  });
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);

  process.env.SAPA_TEST_MONGODB_URI = servers.mongoUri;
  process.env.SAPA_TEST_TEMPORAL_ADDRESS = servers.temporalAddress;
  process.env.SAPA_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.SAPA_TEST_DATA_DIR = dir;
  console.log(`[testkit] database: ${servers.how.database}; temporal: ${servers.how.temporal}`);

  return async () => {
    await servers.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error(message: string, meta?: unknown) {
    console.error(message, meta);
  },
};
