// `npm test`: installs what is missing (npm packages, the two server binaries, the dashboard build),
// then runs every test with vitest against real servers. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
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

// Vitest's own summary, plus one plain closing line ("tests: N passed, N failed, N skipped") that
// CI systems read without knowing vitest.
const reportDir = mkdtempSync(path.join(os.tmpdir(), 'sapa-vitest-'));
const report = path.join(reportDir, 'report.json');
const res = spawnSync(
  process.execPath,
  [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: ROOT, stdio: 'inherit' },
);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  process.stdout.write(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped\n`);
}
rmSync(reportDir, { recursive: true, force: true });
process.exit(res.status ?? 1);
