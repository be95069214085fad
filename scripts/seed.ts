// Seeds the demo workspace (once) and prints what the launcher shows: run by `npm start`.
import { connectDatabase, connectTemporal, disconnectDatabase, ensureIndexes, loadConfig, startKnowledgeRun } from '@sapa/shared';
import { seedDemoWorkspace } from '@sapa/shared/demo';

const password = process.env.SAPA_DEMO_PASSWORD;
if (!password) throw new Error('SAPA_DEMO_PASSWORD must be set');
const config = loadConfig();
await connectDatabase(config.MONGODB_URI, { serverSelectionTimeoutMS: 15_000 });
await ensureIndexes();
const demo = await seedDemoWorkspace(password);
if (demo.knowledgeSourceIds.length > 0) {
  // The demo knowledge is ingested by the worker as soon as it starts (the run waits in the queue).
  const temporal = await connectTemporal(config);
  for (const sourceId of demo.knowledgeSourceIds) {
    await startKnowledgeRun(temporal, config.TEMPORAL_TASK_QUEUE, { sourceId, workspaceId: demo.workspaceId, reason: 'create' });
  }
  await temporal.connection.close();
}
await disconnectDatabase();
process.stdout.write(`${JSON.stringify(demo)}\n`);
