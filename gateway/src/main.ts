/** The gateway process. */
import { buildWidgetScript } from '@sapa/channels/web/widget/build';
import { EventFeed, connectDatabase, connectTemporal, createLogger, ensureIndexes, loadConfig } from '@sapa/shared';
import { buildGateway } from './app';

const config = loadConfig();
const logger = createLogger('gateway', config.LOG_LEVEL);

await connectDatabase(config.MONGODB_URI);
await ensureIndexes();
const temporal = await connectTemporal(config);
const feed = new EventFeed({ onError: (err) => logger.warn({ err }, 'realtime poll failed') });

let script: Promise<string> | null = null;
const app = await buildGateway({ config, temporal, feed, logger, widgetScript: () => (script ??= buildWidgetScript()) });
await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    feed.close();
    await app.close();
    await temporal.connection.close();
    process.exit(0);
  });
}
