/** Where the test servers are (set by global-setup, or by the caller's MONGODB_URI / TEMPORAL_ADDRESS). */
import { randomBytes } from 'node:crypto';

export function testServers() {
  const mongoUri = process.env.SAPA_TEST_MONGODB_URI;
  const temporalAddress = process.env.SAPA_TEST_TEMPORAL_ADDRESS;
  if (!mongoUri || !temporalAddress) throw new Error('test servers are not set up: run tests through vitest (testkit/src/global-setup.ts)');
  return { mongoUri, temporalAddress, workflowBundle: process.env.SAPA_TEST_WORKFLOW_BUNDLE };
}

/** The same server with another database name, so each test file has its own data. */
export function databaseUri(baseUri: string, dbName: string): string {
  const url = new URL(baseUri);
  url.pathname = `/${dbName}`;
  return url.toString();
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}
