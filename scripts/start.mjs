// `npm start`: Sapa on one machine with embedded defaults — no accounts, no keys.
//   1. installs npm packages if they are missing;
//   2. starts (building once if needed) the database and Temporal dev server, data under .sapa/;
//   3. builds the dashboard if it is missing or older than its sources;
//   4. seeds the demo workspace on first run;
//   5. runs the gateway, the worker and the dashboard as separate processes;
//   6. prints the URLs and the demo owner's credentials. Ctrl-C stops everything cleanly.
// Plain JavaScript: it runs before dependencies are installed.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDashboardIfNeeded } from './dashboard-build.mjs';
import { ROOT, provideServers, stopChild } from './servers.mjs';

const DATA_DIR = path.resolve(ROOT, process.env.SAPA_DATA_DIR || '.sapa');
const GATEWAY_PORT = Number(process.env.GATEWAY_PORT || 3100);
const DASHBOARD_PORT = Number(process.env.DASHBOARD_PORT || 3000);
const MONGO_PORT = Number(process.env.SAPA_DB_PORT || 27117);
const TEMPORAL_PORT = Number(process.env.SAPA_TEMPORAL_PORT || 7233);
const TEMPORAL_UI_PORT = Number(process.env.SAPA_TEMPORAL_UI_PORT || 8233);

const say = (msg) => process.stdout.write(`[sapa] ${msg}\n`);

function installIfNeeded() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(path.join(ROOT, 'package-lock.json')).mtimeMs) return;
  say('installing npm packages (npm ci)…');
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('npm ci failed');
}

/** Secrets for this installation, made on first run and kept in the data folder. */
function localSecrets() {
  const file = path.join(DATA_DIR, 'local-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = {
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    SAPA_MASTER_KEYS: `1:${randomBytes(32).toString('base64')}`,
    demoPassword: `sapa-${randomBytes(6).toString('base64url')}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function prefixed(name, stream, out) {
  let buffer = '';
  stream.on('data', (chunk) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) out.write(`[${name}] ${line}\n`);
  });
}

async function waitForHttp(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000}s`);
}

async function main() {
  installIfNeeded();
  mkdirSync(DATA_DIR, { recursive: true });
  const secrets = localSecrets();

  say('starting the database and the Temporal dev server…');
  const servers = await provideServers({
    dataDir: DATA_DIR,
    mongoPort: MONGO_PORT,
    temporalPort: TEMPORAL_PORT,
    temporalUiPort: process.env.TEMPORAL_ADDRESS ? undefined : TEMPORAL_UI_PORT,
  });
  say(`database: ${servers.how.database}`);
  say(`temporal: ${servers.how.temporal}`);

  const env = {
    ...process.env,
    SESSION_SECRET: process.env.SESSION_SECRET || secrets.SESSION_SECRET,
    SAPA_MASTER_KEYS: process.env.SAPA_MASTER_KEYS || secrets.SAPA_MASTER_KEYS,
    MONGODB_URI: servers.mongoUri,
    TEMPORAL_ADDRESS: servers.temporalAddress,
    GATEWAY_PORT: String(GATEWAY_PORT),
    DASHBOARD_PORT: String(DASHBOARD_PORT),
    PORT: String(DASHBOARD_PORT),
    HOST: process.env.HOST || '127.0.0.1',
  };

  const children = [];
  let stopping = false;
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await Promise.all(children.map((c) => stopChild(c.process, 15_000)));
    await servers.stop();
    say('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    buildDashboardIfNeeded(say);
    const seed = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts'], {
      cwd: ROOT,
      env: { ...env, SAPA_DEMO_PASSWORD: secrets.demoPassword },
      encoding: 'utf8',
    });
    if (seed.status !== 0) throw new Error(`seeding the demo workspace failed:\n${seed.stderr}`);
    const demo = JSON.parse(seed.stdout.trim().split('\n').pop());

    const start = (name, args, cwd = ROOT) => {
      const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      prefixed(name, child.stdout, process.stdout);
      prefixed(name, child.stderr, process.stderr);
      child.on('exit', (code, signal) => {
        if (stopping) return;
        say(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything.`);
        void shutdown(1);
      });
      children.push({ name, process: child });
      return child;
    };
    const gateway = start('gateway', ['--import', 'tsx', 'gateway/src/main.ts']);
    start('worker', ['--import', 'tsx', 'workflows/src/worker.ts']);
    // remix-serve finds the browser assets (build/client) relative to its working directory.
    const dashboard = start(
      'dashboard',
      [path.join(ROOT, 'node_modules', '@remix-run', 'serve', 'dist', 'cli.js'), 'build/server/index.js'],
      path.join(ROOT, 'dashboard'),
    );

    const gatewayUrl = (env.GATEWAY_PUBLIC_URL || `http://127.0.0.1:${GATEWAY_PORT}`).replace(/\/$/, '');
    const dashboardUrl = (env.DASHBOARD_URL || `http://127.0.0.1:${DASHBOARD_PORT}`).replace(/\/$/, '');
    await Promise.all([waitForHttp(`${gatewayUrl}/healthz`, gateway), waitForHttp(`${dashboardUrl}/login`, dashboard)]);

    const lines = [
      '',
      'Sapa is running.',
      `  Dashboard:   ${dashboardUrl}`,
      `  Log in as:   ${demo.ownerEmail}  /  ${secrets.demoPassword}`,
      `  Demo page:   ${gatewayUrl}/demo/${demo.chatbotPublicId}   (a shop page with the chat widget)`,
      `  Widget:      <script src="${gatewayUrl}/widget.js" data-chatbot="${demo.chatbotPublicId}" async></script>`,
      ...(process.env.TEMPORAL_ADDRESS ? [] : [`  Temporal UI: http://127.0.0.1:${TEMPORAL_UI_PORT}`]),
      `  Data:        ${path.relative(process.cwd(), DATA_DIR) || DATA_DIR}${demo.created ? ' (demo workspace created)' : ' (reused)'}`,
      'Press Ctrl-C to stop.',
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } catch (err) {
    process.stderr.write(`[sapa] ${err.message}\n`);
    await shutdown(1);
  }
}

await main();
