// Types for servers.mjs (plain JavaScript so it runs before `npm ci`).
import type { ChildProcess } from 'node:child_process';

export const ROOT: string;
export const TEMPORAL_CLI_VERSION: string;
export const FERRETDB_VERSION: string;
export function cacheDir(): string;
export function ensureFerretDbBinary(): string | null;
export function ensureTemporalBinary(): string | null;
export function freePort(): Promise<number>;
export function isPortOpen(port: number, host?: string): Promise<boolean>;
export function stopChild(child: ChildProcess | undefined, graceMs?: number): Promise<void>;

export interface ProvidedServers {
  mongoUri: string;
  temporalAddress: string;
  how: { database: string; temporal: string };
  stop(): Promise<void>;
}

export function provideServers(opts?: {
  dataDir?: string;
  mongoPort?: number;
  temporalPort?: number;
  temporalUiPort?: number;
  temporalDynamicConfig?: string[];
}): Promise<ProvidedServers>;

export function startTemporal(opts: {
  dataDir: string;
  port: number;
  uiPort?: number;
  extraDynamicConfig?: string[];
}): Promise<{ address: string; how: string; child?: ChildProcess; stop?: () => Promise<void> }>;

/** MONGODB_URI's server when set (then there is nothing to stop), else a FerretDB / mongod of its own. */
export function startDatabase(opts: {
  dataDir: string;
  port: number;
}): Promise<{ uri: string; how: string; child?: ChildProcess; stop?: () => Promise<void> }>;
