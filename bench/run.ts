/**
 * `npm run bench [-- --only ingest|whatsapp|reply] [-- --messages N]`: starts its own servers (or uses
 * MONGODB_URI / TEMPORAL_ADDRESS), runs the benchmarks and prints one JSON document.
 * The top-level "ratio" is ingest's ours/limit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { provideServers } from '../scripts/servers.mjs';
import { WORKFLOWS_PATH } from '../workflows/src/paths';
import { benchIngest } from './ingest';
import { benchReply } from './reply';
import { benchWhatsappIngest } from './whatsapp-ingest';

const { values } = parseArgs({
  options: { only: { type: 'string' }, messages: { type: 'string' } },
  allowPositionals: true,
});
const only = values.only;
const messages = Number(values.messages ?? 2000);
if (only && !['ingest', 'whatsapp', 'reply'].includes(only)) throw new Error(`unknown benchmark "${only}" (ingest | whatsapp | reply)`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'sapa-bench-'));
const servers = await provideServers({ dataDir: dir });
process.env.SAPA_TEST_MONGODB_URI = servers.mongoUri;
process.env.SAPA_TEST_TEMPORAL_ADDRESS = servers.temporalAddress;
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
process.env.SAPA_TEST_WORKFLOW_BUNDLE = path.join(dir, 'workflow-bundle.js');
writeFileSync(process.env.SAPA_TEST_WORKFLOW_BUNDLE, code);

const result: Record<string, unknown> = {
  machine: { cpus: os.cpus().length, node: process.version, database: servers.how.database, temporal: servers.how.temporal },
};
try {
  if (!only || only === 'ingest') {
    const ingest = await benchIngest({ messages });
    result.ratio = ingest.ratio;
    result.ingest = ingest;
  }
  if (!only || only === 'whatsapp') result.whatsappIngest = await benchWhatsappIngest({ messages });
  if (!only || only === 'reply') result.reply = await benchReply({ messages: Math.min(messages, 200) });
} finally {
  await servers.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
