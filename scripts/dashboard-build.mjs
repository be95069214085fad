// Builds the dashboard when its build is missing or older than its sources (used by start and test).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './servers.mjs';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export function buildDashboardIfNeeded(log = (msg) => process.stderr.write(`[sapa] ${msg}\n`)) {
  const entry = path.join(ROOT, 'dashboard', 'build', 'server', 'index.js');
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'dashboard', 'app')),
    newestMtime(path.join(ROOT, 'shared', 'src')),
    statSync(path.join(ROOT, 'dashboard', 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return;
  log('building the dashboard…');
  const res = spawnSync('npm', ['run', 'build', '-w', '@sapa/dashboard'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (res.status !== 0) throw new Error('the dashboard build failed');
}
