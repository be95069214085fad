/**
 * The production docker-compose.yml can't be started here (no Docker engine), so it is validated the
 * way Compose itself reads it: `docker compose config` parses, interpolates and normalizes the file,
 * and the assertions below check what the stack must look like (spec §4 of infrastructure.md).
 * `docker compose` comes from scripts/ensure-compose.sh, which .ci/run calls.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  working_dir?: string;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: { type: string; source?: string; target: string; read_only?: boolean }[];
  healthcheck?: { test?: string[] };
  restart?: string;
}
interface ComposeModel {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const DUMMY_SECRETS = { SESSION_SECRET: 'test-session-secret-0123456789', SAPA_MASTER_KEYS: '1:dGVzdC1rZXk=' };

/**
 * Runs `docker compose` against our file with a controlled environment: no inherited COMPOSE_* or
 * secret variables, and an empty env file so an operator's .env in the checkout can't change the result.
 */
function compose(args: string[], extraEnv: Record<string, string> = {}) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('COMPOSE_') || k in DUMMY_SECRETS) continue;
    env[k] = v;
  }
  return spawnSync('docker', ['compose', '--env-file', os.devNull, '-f', COMPOSE_FILE, ...args], {
    cwd: ROOT,
    env: { ...env, ...extraEnv } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

function requireCompose() {
  const res = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 30_000 });
  if (res.error || res.status !== 0) {
    const why = res.error ? res.error.message : (res.stderr || res.stdout).trim();
    throw new Error(
      `'docker compose' is not available (${why}).\n` +
        'The compose test needs the Compose CLI plugin (no Docker engine). Install it with:\n' +
        '  bash scripts/ensure-compose.sh',
    );
  }
}

const SAPA_APPS = ['gateway', 'worker', 'dashboard'] as const;

describe('docker-compose.yml (production stack)', () => {
  let model: ComposeModel;
  const service = (name: string): ComposeService => {
    const s = model.services[name];
    if (!s) throw new Error(`service '${name}' is missing from docker-compose.yml`);
    return s;
  };

  beforeAll(() => {
    requireCompose();
    const res = compose(['config', '--format', 'json'], DUMMY_SECRETS);
    if (res.status !== 0) throw new Error(`docker compose config failed:\n${res.stderr}`);
    model = JSON.parse(res.stdout) as ComposeModel;
  });

  it('defines every service of the stack', () => {
    expect(Object.keys(model.services).sort()).toEqual(
      ['dashboard', 'gateway', 'mongo', 'postgres', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'].sort(),
    );
  });

  it('pins every image to an explicit tag and never uses temporalio/auto-setup', () => {
    for (const [name, s] of Object.entries(model.services)) {
      expect(s.image, `${name} has no image`).toBeTruthy();
      const image = s.image ?? '';
      expect(image, `${name} uses the deprecated auto-setup image`).not.toMatch(/(^|\/)temporalio\/auto-setup(:|$)/);
      const lastSegment = image.slice(image.lastIndexOf('/') + 1);
      const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
      expect(tag, `${name}: image '${image}' has no explicit tag`).not.toBe('');
      expect(tag, `${name}: image '${image}' uses latest`).not.toBe('latest');
    }
  });

  it('runs Temporal 1.29.x (the dev server the tests use embeds 1.29.1) with matching admin-tools', () => {
    expect(service('temporal').image).toMatch(/^temporalio\/server:1\.29\.\d+$/);
    const serverVersion = service('temporal').image!.split(':')[1]!;
    for (const job of ['temporal-schema', 'temporal-namespace']) {
      expect(service(job).image).toMatch(new RegExp(`^temporalio/admin-tools:${serverVersion.replace(/\./g, '\\.')}\\b`));
    }
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:2\.\d+\.\d+$/);
    expect(service('postgres').image).toMatch(/^postgres:16\b/);
    expect(service('mongo').image).toMatch(/^mongo:7\b/);
  });

  it('starts the Temporal server only after the schema job completed, on PostgreSQL', () => {
    const temporal = service('temporal');
    expect(temporal.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    expect(service('temporal-schema').depends_on?.['postgres']?.condition).toBe('service_healthy');
    expect(temporal.environment?.['DB']).toBe('postgres12');
    expect(temporal.environment?.['POSTGRES_SEEDS']).toBe('postgres');
    expect(service('postgres').healthcheck?.test?.join(' ')).toContain('pg_isready');

    const schemaScript = (service('temporal-schema').command ?? []).join('\n');
    for (const db of ['temporal', 'temporal_visibility']) {
      for (const step of ['create', 'setup-schema -v 0.0', 'update-schema']) {
        expect(schemaScript).toContain(`--db ${db} ${step}`);
      }
    }
    expect(service('temporal-schema').environment?.['SQL_PLUGIN']).toBe('postgres12');
  });

  it('mounts our dynamic config and points the server at production.yaml', () => {
    const temporal = service('temporal');
    const mount = temporal.volumes?.find((v) => v.target === '/etc/temporal/config/dynamicconfig');
    expect(mount, 'dynamic config volume is not mounted').toBeDefined();
    expect(mount!.source).toBe(path.join(ROOT, 'temporal', 'dynamicconfig'));
    expect(temporal.environment?.['DYNAMIC_CONFIG_FILE_PATH']).toBe('config/dynamicconfig/production.yaml');
    expect(existsSync(path.join(ROOT, 'temporal', 'dynamicconfig', 'production.yaml'))).toBe(true);
    expect(temporal.healthcheck?.test).toBeDefined();
  });

  it('creates the namespace with our script once Temporal is healthy, before Sapa starts', () => {
    const ns = service('temporal-namespace');
    expect(ns.depends_on?.['temporal']?.condition).toBe('service_healthy');
    const scripts = ns.volumes?.find((v) => v.target === '/scripts');
    expect(scripts?.source).toBe(path.join(ROOT, 'temporal', 'scripts'));
    expect(ns.command?.join(' ')).toContain('/scripts/create-namespace.sh');
    expect(existsSync(path.join(ROOT, 'temporal', 'scripts', 'create-namespace.sh'))).toBe(true);
    for (const app of SAPA_APPS) {
      expect(service(app).depends_on?.['temporal-namespace']?.condition, app).toBe('service_completed_successfully');
      expect(service(app).depends_on?.['mongo']?.condition, app).toBe('service_healthy');
    }
  });

  it('runs MongoDB as a replica set that the apps connect to', () => {
    const mongo = service('mongo');
    const cmd = mongo.command ?? [];
    const replSet = cmd[cmd.indexOf('--replSet') + 1];
    expect(cmd).toContain('--replSet');
    expect(replSet).toBeTruthy();
    expect(mongo.healthcheck?.test?.join(' ')).toContain('rs.initiate');
    for (const app of SAPA_APPS) {
      expect(service(app).environment?.['MONGODB_URI'], app).toBe(`mongodb://mongo:27017/sapa?replicaSet=${replSet}`);
    }
    expect(mongo.volumes?.some((v) => v.type === 'volume' && v.target === '/data/db')).toBe(true);
  });

  it('builds gateway, worker and dashboard from the repo and runs them in production mode', () => {
    for (const app of SAPA_APPS) {
      const s = service(app);
      expect(s.build?.context, app).toBe(ROOT);
      expect(s.environment?.['NODE_ENV'], app).toBe('production');
      expect(s.environment?.['TEMPORAL_ADDRESS'], app).toBe('temporal:7233');
      expect(s.environment?.['SESSION_SECRET'], app).toBe(DUMMY_SECRETS.SESSION_SECRET);
      expect(s.environment?.['SAPA_MASTER_KEYS'], app).toBe(DUMMY_SECRETS.SAPA_MASTER_KEYS);
      expect(s.restart, app).toBe('unless-stopped');
      // One attachments volume: the gateway and worker write it, the dashboard serves it.
      expect(s.environment?.['MEDIA_DIR'], app).toBe('/data/media');
      expect(s.volumes?.some((v) => v.type === 'volume' && v.source === 'media' && v.target === '/data/media'), app).toBe(true);
    }
    expect(existsSync(path.join(ROOT, service('gateway').build!.dockerfile ?? 'Dockerfile'))).toBe(true);
    expect(service('gateway').command).toEqual(['node', '--import', 'tsx', 'gateway/src/main.ts']);
    expect(service('worker').command).toEqual(['node', '--import', 'tsx', 'workflows/src/worker.ts']);
    expect(service('worker').environment?.['SAPA_WORKFLOW_BUNDLE']).toBe('/app/workflows/dist/workflow-bundle.js');
    // remix-serve serves build/client relative to its working directory.
    expect(service('dashboard').working_dir).toBe('/app/dashboard');
    expect(service('dashboard').command?.join(' ')).toContain('remix-serve build/server/index.js');
    expect(service('gateway').environment?.['GATEWAY_HOST']).toBe('0.0.0.0');
    expect(service('gateway').healthcheck?.test?.join(' ')).toContain('/healthz');
  });

  it('fails fast, naming the variable, when a required secret is missing', () => {
    const withoutSession = compose(['config', '--quiet'], { SAPA_MASTER_KEYS: DUMMY_SECRETS.SAPA_MASTER_KEYS });
    expect(withoutSession.status).not.toBe(0);
    expect(withoutSession.stderr).toMatch(/SESSION_SECRET.*(missing|required)/i);
    expect(withoutSession.stderr).toContain('set SESSION_SECRET in .env');

    const withoutKeys = compose(['config', '--quiet'], { SESSION_SECRET: DUMMY_SECRETS.SESSION_SECRET });
    expect(withoutKeys.status).not.toBe(0);
    expect(withoutKeys.stderr).toContain('set SAPA_MASTER_KEYS in .env');
  });
});
