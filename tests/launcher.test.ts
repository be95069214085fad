/**
 * `npm start` (scripts/start.mjs): starts everything with data in one folder, seeds the demo on the
 * first run, prints the URLs and credentials, stops every child on Ctrl-C (SIGINT), and a second
 * start reuses the data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, freePort, isPortOpen } from '../scripts/servers.mjs';

interface Run {
  child: ChildProcess;
  output: () => string;
}

function launch(env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

async function waitForText(run: Run, text: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (run.child.exitCode !== null) throw new Error(`the launcher exited early:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stop(run: Run): Promise<number | null> {
  return new Promise((resolve) => {
    if (run.child.exitCode !== null) return resolve(run.child.exitCode);
    run.child.once('exit', (code) => resolve(code));
    run.child.kill('SIGINT');
  });
}

describe('npm start', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sapa-start-'));
  const runs: Run[] = [];
  afterAll(async () => {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs, stops cleanly on Ctrl-C, and reuses its data on the next start', { timeout: 300_000 }, async () => {
    const [gateway, dashboard, db, temporal, ui] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SAPA_DATA_DIR: dataDir,
      GATEWAY_PORT: String(gateway),
      DASHBOARD_PORT: String(dashboard),
      SAPA_DB_PORT: String(db),
      SAPA_TEMPORAL_PORT: String(temporal),
      SAPA_TEMPORAL_UI_PORT: String(ui),
      LOG_LEVEL: 'warn',
    };

    const first = launch(env);
    runs.push(first);
    await waitForText(first, 'Press Ctrl-C to stop.');
    const out = first.output();
    expect(out).toContain('(demo workspace created)');
    const password = /Log in as:\s+\S+\s+\/\s+(\S+)/.exec(out)?.[1];
    const demoUrl = /Demo page:\s+(\S+)/.exec(out)?.[1];
    expect(password).toBeTruthy();
    expect(demoUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${gateway}/demo/`));
    const demo = await fetch(demoUrl!);
    expect(demo.status).toBe(200);
    expect(await demo.text()).toContain('widget.js');
    expect((await fetch(`http://127.0.0.1:${dashboard}/login`)).status).toBe(200);

    expect(await stop(first)).toBe(0);
    for (const port of [gateway, dashboard, db, temporal]) expect(await isPortOpen(port), `port ${port} still open`).toBe(false);

    const second = launch(env);
    runs.push(second);
    await waitForText(second, 'Press Ctrl-C to stop.');
    expect(second.output()).toContain('(reused)');
    expect(second.output()).toContain(password!);
    expect(second.output()).toContain(demoUrl!);
    expect(await stop(second)).toBe(0);
  });
});
