import type { FastifyPluginAsync } from 'fastify';
import { pingDatabase, pingTemporal } from '@sapa/shared';
import type { GatewayDeps } from '../deps';

/** Liveness (the process answers) and readiness (MongoDB and Temporal answer too). */
const healthRoutes: FastifyPluginAsync<GatewayDeps> = async (app, deps) => {
  app.get('/healthz', { config: { rateLimit: false } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { rateLimit: false } }, async (_req, reply) => {
    const [database, temporal] = await Promise.all([pingDatabase(), pingTemporal(deps.temporal)]);
    const ready = database && temporal;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', database, temporal });
  });
};

export default healthRoutes;
