/**
 * Re-encrypts every secret at rest (workspace API keys, channel credentials) with the current
 * master key: `npm run keys:reencrypt`. Prints JSON counts; exits 1 when something could not be
 * re-encrypted (then the old key must stay).
 *
 * Rotating the master key:
 *   1. Put the new key FIRST in SAPA_MASTER_KEYS and keep the old ones after it, e.g.
 *      SAPA_MASTER_KEYS="2:<new base64 32 bytes>,1:<old>" (new key: `openssl rand -base64 32`).
 *      Restart the gateway, worker and dashboard with it: new secrets are sealed with key 2,
 *      old ones still open with key 1.
 *   2. Run `npm run keys:reencrypt` with the same SAPA_MASTER_KEYS. It is idempotent: run it again
 *      until it reports `"failed": 0` for both collections.
 *   3. Drop the old key (SAPA_MASTER_KEYS="2:<new>") and restart everything.
 */
import { KeyVault, connectDatabase, disconnectDatabase, loadConfig } from '@sapa/shared';
import { reencryptAll } from '@sapa/shared/ai/api-keys';

const config = loadConfig();
const vault = new KeyVault(config.SAPA_MASTER_KEYS);
await connectDatabase(config.MONGODB_URI, { serverSelectionTimeoutMS: 15_000 });
try {
  const report = await reencryptAll(vault);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (report.apiKeys.failed + report.channels.failed > 0) process.exitCode = 1;
} finally {
  await disconnectDatabase();
}
