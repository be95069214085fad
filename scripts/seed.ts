// Seeds the demo workspace (once) and prints what the launcher shows: run by `npm start`.
import { connectDatabase, disconnectDatabase, ensureIndexes, loadConfig } from '@sapa/shared';
import { seedDemoWorkspace } from '@sapa/shared/demo';

const password = process.env.SAPA_DEMO_PASSWORD;
if (!password) throw new Error('SAPA_DEMO_PASSWORD must be set');
const config = loadConfig();
await connectDatabase(config.MONGODB_URI, { serverSelectionTimeoutMS: 15_000 });
await ensureIndexes();
const demo = await seedDemoWorkspace(password);
await disconnectDatabase();
process.stdout.write(`${JSON.stringify(demo)}\n`);
