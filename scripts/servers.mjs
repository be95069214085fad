// Provides the two servers Sapa needs: a MongoDB-compatible database and a Temporal dev server.
// Used by `npm start` (scripts/start.mjs), the test set-up (testkit) and CI (scripts/setup-servers.mjs).
//
// Order of preference, for each server:
//   1. MONGODB_URI / TEMPORAL_ADDRESS set: use that server, build nothing;
//   2. Go available: build once into the cache (FerretDB v1 + SQLite through our wrapper in
//      tools/ferretdb; the Temporal CLI with `go install`), then reuse the cached binary;
//   3. `mongod` / `temporal` on PATH;
//   4. the official downloads (mongodb-memory-server's binary, the Temporal SDK's dev-server download).
// Plain JavaScript with no dependencies: it runs before `npm ci` has installed anything.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, openSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const FERRETDB_VERSION = 'v1.24.2';

const log = (msg) => process.stderr.write(`[sapa] ${msg}\n`);

export function cacheDir() {
  const base = process.env.SAPA_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'sapa');
  mkdirSync(path.join(base, 'bin'), { recursive: true });
  return base;
}

function which(cmd) {
  const res = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
}

function goBinary() {
  return which('go') || (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
}

function run(cmd, args, opts) {
  const res = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${res.status}`);
}

/** Builds (once) and returns the FerretDB wrapper binary, or null without Go. */
export function ensureFerretDbBinary() {
  const go = goBinary();
  if (!go) return null;
  const src = path.join(ROOT, 'tools', 'ferretdb');
  const digest = createHash('sha256')
    .update(readFileSync(path.join(src, 'go.mod')))
    .update(readFileSync(path.join(src, 'go.sum')))
    .update(readFileSync(path.join(src, 'main.go')))
    .digest('hex')
    .slice(0, 12);
  const bin = path.join(cacheDir(), 'bin', `sapa-ferretdb-${FERRETDB_VERSION}-${digest}`);
  if (!existsSync(bin)) {
    log(`building FerretDB ${FERRETDB_VERSION} (SQLite backend) with Go; this happens once…`);
    run(go, ['build', '-trimpath', '-o', bin, '.'], { cwd: src, env: { ...process.env, CGO_ENABLED: '0' } });
  }
  return bin;
}

/** Installs (once) and returns the Temporal CLI binary, or null without Go. */
export function ensureTemporalBinary() {
  const go = goBinary();
  if (!go) return null;
  const gobin = path.join(cacheDir(), 'bin', `temporal-${TEMPORAL_CLI_VERSION}`);
  const bin = path.join(gobin, 'temporal');
  if (!existsSync(bin)) {
    log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install; the first build takes several minutes…`);
    run(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
      cwd: os.tmpdir(),
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
    });
  }
  return bin;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function isPortOpen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

async function waitFor(check, { timeoutMs, what, child }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000}s`);
}

function spawnServer(bin, args, logFile) {
  const out = openSync(logFile, 'a');
  // detached: Ctrl-C in the terminal reaches the launcher, which stops its children in order.
  return spawn(bin, args, { stdio: ['ignore', out, out], detached: true });
}

/** Stop a child process: SIGTERM, then SIGKILL after `graceMs`. */
export function stopChild(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startDatabase({ dataDir, port }) {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, how: 'MONGODB_URI from the environment' };
  mkdirSync(dataDir, { recursive: true });
  const ferret = ensureFerretDbBinary();
  let child;
  let how;
  if (ferret) {
    child = spawnServer(ferret, ['--data-dir', path.join(dataDir, 'ferretdb'), '--listen-addr', `127.0.0.1:${port}`], path.join(dataDir, 'ferretdb.log'));
    how = `FerretDB ${FERRETDB_VERSION} (SQLite) built with Go`;
  } else if (which('mongod')) {
    const dbPath = path.join(dataDir, 'mongod');
    mkdirSync(dbPath, { recursive: true });
    child = spawnServer(which('mongod'), ['--dbpath', dbPath, '--bind_ip', '127.0.0.1', '--port', String(port)], path.join(dataDir, 'mongod.log'));
    how = 'mongod found on PATH';
  } else {
    // Last resort: mongodb-memory-server downloads an official mongod build.
    const { MongoMemoryServer } = await import('mongodb-memory-server-core');
    const dbPath = path.join(dataDir, 'mongod');
    mkdirSync(dbPath, { recursive: true });
    const server = await MongoMemoryServer.create({ instance: { port, ip: '127.0.0.1', dbPath, storageEngine: 'wiredTiger' } });
    return { uri: `${server.getUri()}sapa`, how: 'mongod downloaded by mongodb-memory-server', stop: () => server.stop({ doCleanup: false }) };
  }
  await waitFor(() => isPortOpen(port), { timeoutMs: 30_000, what: 'the database server', child });
  return { uri: `mongodb://127.0.0.1:${port}/sapa`, how, child, stop: () => stopChild(child) };
}

async function temporalHealthy(bin, address) {
  const res = spawnSync(bin, ['operator', 'cluster', 'health', '--address', address, '--disable-config-file', '--disable-config-env'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return res.status === 0 && /SERVING/.test(res.stdout);
}

export async function startTemporal({ dataDir, port, uiPort, extraDynamicConfig = [] }) {
  if (process.env.TEMPORAL_ADDRESS) return { address: process.env.TEMPORAL_ADDRESS, how: 'TEMPORAL_ADDRESS from the environment' };
  mkdirSync(dataDir, { recursive: true });
  const bin = ensureTemporalBinary() ?? which('temporal');
  const dbFile = path.join(dataDir, 'temporal.db');
  if (!bin) {
    // Last resort: the Temporal SDK downloads the official CLI build and runs it.
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({ server: { ip: '127.0.0.1', port, dbFilename: dbFile, ui: Boolean(uiPort), uiPort } });
    return { address: `127.0.0.1:${port}`, how: 'Temporal CLI downloaded by the Temporal SDK', stop: () => env.teardown() };
  }
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--db-filename', dbFile,
    '--log-level', 'error',
    '--disable-config-file', '--disable-config-env',
    ...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']),
    ...extraDynamicConfig.flatMap((v) => ['--dynamic-config-value', v]),
  ];
  const child = spawnServer(bin, args, path.join(dataDir, 'temporal.log'));
  const address = `127.0.0.1:${port}`;
  await waitFor(async () => (await isPortOpen(port)) && temporalHealthy(bin, address), { timeoutMs: 60_000, what: 'the Temporal dev server', child });
  const how = bin.includes(path.join('sapa', 'bin')) ? `Temporal CLI ${TEMPORAL_CLI_VERSION} built with go install` : `temporal found on PATH (${bin})`;
  return { address, how, child, stop: () => stopChild(child) };
}

/**
 * Start (or find) both servers. Returns their addresses, how each was provided, and `stop()`.
 * `dataDir` keeps their data, so a second start with the same folder finds everything again.
 */
export async function provideServers({ dataDir, mongoPort, temporalPort, temporalUiPort, temporalDynamicConfig } = {}) {
  dataDir = path.resolve(dataDir ?? path.join(ROOT, '.sapa'));
  const [db, temporal] = await Promise.all([
    startDatabase({ dataDir, port: mongoPort ?? (await freePort()) }),
    startTemporal({ dataDir, port: temporalPort ?? (await freePort()), uiPort: temporalUiPort, extraDynamicConfig: temporalDynamicConfig }),
  ]);
  return {
    mongoUri: db.uri,
    temporalAddress: temporal.address,
    how: { database: db.how, temporal: temporal.how },
    async stop() {
      await Promise.all([db.stop?.(), temporal.stop?.()]);
    },
  };
}
