// `npm test`: installs what is missing (npm packages, the two server binaries, the dashboard build),
// then runs every test with vitest against real servers. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, ensureFerretDbBinary, ensureTemporalBinary } from './servers.mjs';

const run = (cmd, args) => {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
};

if (!existsSync(path.join(ROOT, 'node_modules', '.package-lock.json'))) run('npm', ['ci', '--no-audit', '--no-fund']);
if (!process.env.MONGODB_URI) ensureFerretDbBinary();
if (!process.env.TEMPORAL_ADDRESS) ensureTemporalBinary();
const { buildDashboardIfNeeded } = await import('./dashboard-build.mjs');
buildDashboardIfNeeded();
run(process.execPath, [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)]);
