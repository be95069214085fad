/**
 * The whole Sapa stack for tests: gateway, worker and (optionally) dashboard against the shared
 * test servers, with a database and task queue of its own. Parts run in this process by default,
 * or as real child processes when a test needs to kill or restart them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import {
  EventFeed,
  connectDatabase,
  connectTemporal,
  createLogger,
  createWorkspace,
  disconnectDatabase,
  ensureIndexes,
  loadConfig,
  startKnowledgeRun,
  waitForKnowledgeRun,
  type Config,
} from '@sapa/shared';
import mongoose from 'mongoose';
import { buildGateway, type Gateway } from '../../gateway/src/app';
import { createWorker } from '../../workflows/src/worker-setup';
import { freePort, ROOT, stopChild } from '../../scripts/servers.mjs';
import { databaseUri, testServers, uniqueName } from './env';
import { DEMO_KNOWLEDGE_ID } from '@sapa/shared/demo';
import type { SocketFactory } from '@sapa/channels/whatsapp-baileys/socket-port';

// Temporal's runtime logs at INFO by default; tests want warnings only. Installed once per process.
try {
  Runtime.install({ logger: new DefaultLogger(process.env.SAPA_TEST_VERBOSE ? 'INFO' : 'WARN') });
} catch {
  // already installed by an earlier import in this process
}

export type PartMode = 'in-process' | 'process' | 'none';

export interface StackOptions {
  /** Extra environment (e.g. BATCH_WINDOW_MS) for every part. */
  env?: Record<string, string>;
  gateway?: PartMode;
  worker?: PartMode;
  dashboard?: boolean;
  /** WhatsApp Web sockets for the in-process gateway (testkit's fake); without one, WhatsApp Web sessions are off. */
  baileysSocketFactory?: SocketFactory;
}

export interface DemoSeed {
  workspaceId: string;
  publicId: string;
  chatbotId: string;
  channelId: string;
  ownerEmail: string;
  ownerPassword: string;
  /** The demo knowledge text's source, ingested when the worker starts. */
  knowledgeSourceIds: string[];
}

function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess) {
  const deadline = Date.now() + timeoutMs;
  return (async () => {
    while (Date.now() < deadline) {
      if (child && child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
      try {
        const res = await fetch(url);
        if (res.status < 500) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${url} did not answer within ${timeoutMs} ms`);
  })();
}

function spawnPart(name: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  const forward = (chunk: Buffer) => {
    if (process.env.SAPA_TEST_VERBOSE) process.stderr.write(prefix + chunk.toString());
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', (chunk: Buffer) => {
    // Errors from children are always shown: they explain failing tests.
    const text = chunk.toString();
    if (process.env.SAPA_TEST_VERBOSE || /error|Error|ERR/.test(text)) process.stderr.write(prefix + text);
  });
  return child;
}

export class TestStack {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  temporal!: Client;
  gateway?: Gateway;
  feed?: EventFeed;
  worker?: { worker: Worker; running: Promise<void>; close: () => Promise<void> };
  workerProcess?: ChildProcess;
  gatewayProcess?: ChildProcess;
  dashboardProcess?: ChildProcess;
  seed!: DemoSeed;

  private constructor(config: Config, env: NodeJS.ProcessEnv, private readonly opts: StackOptions) {
    this.config = config;
    this.env = env;
  }

  get gatewayUrl() {
    return this.config.gatewayPublicUrl;
  }

  get dashboardUrl() {
    return this.config.dashboardUrl;
  }

  static async start(opts: StackOptions = {}): Promise<TestStack> {
    const servers = testServers();
    const [gatewayPort, dashboardPort] = await Promise.all([freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.SAPA_TEST_VERBOSE ? 'info' : 'warn',
      MONGODB_URI: databaseUri(servers.mongoUri, uniqueName('sapa_test')),
      TEMPORAL_ADDRESS: servers.temporalAddress,
      TEMPORAL_TASK_QUEUE: uniqueName('tq'),
      GATEWAY_PORT: String(gatewayPort),
      DASHBOARD_PORT: String(dashboardPort),
      PORT: String(dashboardPort),
      BATCH_WINDOW_MS: '300',
      BATCH_MAX_WAIT_MS: '2000',
      // Nothing in a test may reach the internet: provider APIs point at a closed loopback port
      // unless the test passes its fake's URL.
      WHATSAPP_GRAPH_URL: 'http://127.0.0.1:9',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      GEMINI_BASE_URL: 'http://127.0.0.1:9',
      REPLICATE_BASE_URL: 'http://127.0.0.1:9/v1',
      // Tests crawl a site served on loopback.
      CRAWL_ALLOW_PRIVATE_HOSTS: 'true',
      // Sessions need a socket factory; tests that use WhatsApp Web pass testkit's fake.
      BAILEYS_ENABLED: opts.baileysSocketFactory ? 'true' : 'false',
      MEDIA_DIR: path.join(os.tmpdir(), uniqueName('sapa-media')),
      ...(servers.workflowBundle ? { SAPA_WORKFLOW_BUNDLE: servers.workflowBundle } : {}),
      ...opts.env,
    };
    const stack = new TestStack(loadConfig(env), env, opts);
    await stack.boot();
    return stack;
  }

  private async boot() {
    await connectDatabase(this.config.MONGODB_URI);
    await ensureIndexes();
    this.temporal = await connectTemporal(this.config);
    this.seed = await seedTestWorkspace();
    for (const sourceId of this.seed.knowledgeSourceIds) {
      await startKnowledgeRun(this.temporal, this.config.TEMPORAL_TASK_QUEUE, { sourceId, workspaceId: this.seed.workspaceId, reason: 'create' });
    }
    if ((this.opts.worker ?? 'in-process') !== 'none') await this.startWorker();
    if ((this.opts.gateway ?? 'in-process') !== 'none') await this.startGateway();
    if (this.opts.dashboard) await this.startDashboard();
  }

  async startWorker() {
    if ((this.opts.worker ?? 'in-process') === 'process') {
      this.workerProcess = spawnPart('worker', ['--import', 'tsx', 'workflows/src/worker.ts'], this.env);
      await this.knowledgeReady();
      return;
    }
    const { worker, connection } = await createWorker({
      config: this.config,
      address: this.config.TEMPORAL_ADDRESS,
      namespace: this.config.TEMPORAL_NAMESPACE,
      taskQueue: this.config.TEMPORAL_TASK_QUEUE,
      bundlePath: this.env.SAPA_WORKFLOW_BUNDLE,
      overrides: { shutdownGraceTime: '1s' },
    });
    const running = worker.run();
    await this.knowledgeReady();
    this.worker = {
      worker,
      running,
      close: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running.catch(() => undefined);
        await connection.close();
      },
    };
  }

  /** Wait until the seed's knowledge is ingested (the bot answers from it only then). */
  async knowledgeReady() {
    await Promise.all(this.seed.knowledgeSourceIds.map((id) => waitForKnowledgeRun(this.temporal, id)));
  }

  /** SIGKILL the worker process (opts.worker must be 'process'). */
  killWorker() {
    if (!this.workerProcess) throw new Error('the worker does not run as a process');
    this.workerProcess.kill('SIGKILL');
    return new Promise<void>((resolve) => this.workerProcess!.once('exit', () => resolve()));
  }

  async startGateway() {
    if ((this.opts.gateway ?? 'in-process') === 'process') {
      this.gatewayProcess = spawnPart('gateway', ['--import', 'tsx', 'gateway/src/main.ts'], this.env);
      await waitForHttp(`${this.gatewayUrl}/healthz`, 30_000, this.gatewayProcess);
      return;
    }
    const { buildWidgetScript } = await import('@sapa/channels/web/widget/build');
    let script: Promise<string> | null = null;
    this.feed = new EventFeed({ pollIntervalMs: 50 });
    this.gateway = await buildGateway({
      config: this.config,
      temporal: this.temporal,
      feed: this.feed,
      logger: createLogger('gateway', this.config.LOG_LEVEL),
      widgetScript: () => (script ??= buildWidgetScript()),
      ...(this.opts.baileysSocketFactory ? { baileysSocketFactory: this.opts.baileysSocketFactory } : {}),
    });
    await this.gateway.listen({ host: '127.0.0.1', port: this.config.GATEWAY_PORT });
  }

  async startDashboard() {
    const entry = path.join(ROOT, 'dashboard/build/server/index.js');
    if (!existsSync(entry)) throw new Error('the dashboard is not built: run `npm run build -w @sapa/dashboard` (npm test does it)');
    // remix-serve finds the browser assets (build/client) relative to its working directory.
    this.dashboardProcess = spawnPart(
      'dashboard',
      [path.join(ROOT, 'node_modules/@remix-run/serve/dist/cli.js'), entry],
      { ...this.env, HOST: '127.0.0.1' },
      path.join(ROOT, 'dashboard'),
    );
    await waitForHttp(`${this.dashboardUrl}/login`, 30_000, this.dashboardProcess);
  }

  async stop() {
    await Promise.all([stopChild(this.workerProcess), stopChild(this.gatewayProcess), stopChild(this.dashboardProcess)]);
    await this.gateway?.close();
    this.feed?.close();
    await this.worker?.close();
    await this.temporal?.connection.close();
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await disconnectDatabase();
  }
}

async function seedTestWorkspace(): Promise<DemoSeed> {
  const ownerEmail = `${uniqueName('owner')}@example.test`;
  const ownerPassword = 'rahasia-demo-123';
  const { workspace, chatbot, channel, knowledgeSourceIds } = await createWorkspace({
    workspaceName: 'Toko Kopi Sapa',
    owner: { email: ownerEmail, name: 'Sari Owner', password: ownerPassword },
    chatbot: { knowledge: { name: 'Info Toko Kopi Sapa', text: DEMO_KNOWLEDGE_ID } },
  });
  return {
    workspaceId: String(workspace._id),
    publicId: chatbot.publicId,
    chatbotId: String(chatbot._id),
    channelId: String(channel._id),
    ownerEmail,
    ownerPassword,
    knowledgeSourceIds,
  };
}

