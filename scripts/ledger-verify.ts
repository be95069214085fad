// Checks the credits ledger (`npm run ledger:verify [workspaceId]`): every workspace's chain has
// seqs 1..n, balances that add up and never go below zero, unique idempotency keys, and a hint
// that is not past the head. Prints JSON; exits 1 when anything is wrong.
import { connectDatabase, disconnectDatabase, isValidObjectId, loadConfig, verifyLedger } from '@sapa/shared';

const workspaceId = process.argv[2];
if (workspaceId !== undefined && !isValidObjectId(workspaceId)) {
  process.stderr.write(`not a workspace id: ${workspaceId}\n`);
  process.exit(2);
}
const config = loadConfig();
await connectDatabase(config.MONGODB_URI, { serverSelectionTimeoutMS: 15_000 });
try {
  const report = await verifyLedger(workspaceId);
  const ok = report.problems.length === 0;
  process.stdout.write(`${JSON.stringify({ ok, ...report }, null, 2)}\n`);
  process.exitCode = ok ? 0 : 1;
} finally {
  await disconnectDatabase();
}
