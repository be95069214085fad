/**
 * `npm run bench [-- --only ingest|whatsapp|reply|retrieval|ingest-pdf] [-- --messages N]`: starts its
 * own servers (or uses MONGODB_URI / TEMPORAL_ADDRESS) for the benchmarks that need them, runs the
 * benchmarks and prints one JSON document. The top-level "ratio" is ingest's ours/limit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { provideServers } from '../scripts/servers.mjs';
import { WORKFLOWS_PATH } from '../workflows/src/paths';
import { benchIngest } from './ingest';
import { benchIngestPdf } from './ingest-pdf';
import { benchReply } from './reply';
import { benchRetrieval } from './retrieval';
import { benchWhatsappIngest } from './whatsapp-ingest';

const { values } = parseArgs({
  options: { only: { type: 'string' }, messages: { type: 'string' } },
  allowPositionals: true,
});
const only = values.only;
const messages = Number(values.messages ?? 2000);
const BENCHMARKS = ['ingest', 'whatsapp', 'reply', 'retrieval', 'ingest-pdf'];
/** In-process benchmarks: no database, no Temporal. */
const IN_PROCESS = ['retrieval', 'ingest-pdf'];
if (only && !BENCHMARKS.includes(only)) throw new Error(`unknown benchmark "${only}" (${BENCHMARKS.join(' | ')})`);
const runs = (name: string) => !only || only === name;

const machine: Record<string, unknown> = { cpus: os.cpus().length, node: process.version };
const result: Record<string, unknown> = { machine };
if (!only || !IN_PROCESS.includes(only)) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sapa-bench-'));
  const servers = await provideServers({ dataDir: dir });
  process.env.SAPA_TEST_MONGODB_URI = servers.mongoUri;
  process.env.SAPA_TEST_TEMPORAL_ADDRESS = servers.temporalAddress;
  machine.database = servers.how.database;
  machine.temporal = servers.how.temporal;
  try {
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
    process.env.SAPA_TEST_WORKFLOW_BUNDLE = path.join(dir, 'workflow-bundle.js');
    writeFileSync(process.env.SAPA_TEST_WORKFLOW_BUNDLE, code);
    if (runs('ingest')) {
      const ingest = await benchIngest({ messages });
      result.ratio = ingest.ratio;
      result.ingest = ingest;
    }
    if (runs('whatsapp')) result.whatsappIngest = await benchWhatsappIngest({ messages });
    if (runs('reply')) result.reply = await benchReply({ messages: Math.min(messages, 200) });
  } finally {
    await servers.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
// After the server benchmarks: these measure this process alone, with nothing else running.
if (runs('retrieval')) result.retrieval = await benchRetrieval();
if (runs('ingest-pdf')) result.ingestPdf = await benchIngestPdf();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
