/**
 * The gateway: Fastify with helmet, CORS and rate limits, the widget API and script, health
 * endpoints, and one error handler. It never calls an LLM; it makes inbound messages durable and
 * hands them to Temporal.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { GatewayDeps } from './deps';
import errorHandling from './plugins/errors';
import healthRoutes from './routes/health';
import widgetAssetRoutes from './routes/widget-assets';
import widgetRoutes from './routes/widget';
import telegramWebhook from './webhooks/telegram';
import paymentWebhooks from './webhooks/payments';
import whatsappCloudWebhook from './webhooks/whatsapp-cloud';
import { createWhatsappWebHost } from './whatsapp-web';

export async function buildGateway(deps: GatewayDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.config.GATEWAY_BODY_LIMIT,
    trustProxy: deps.config.isProduction,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorHandling);
  await app.register(helmet, {
    // The widget script and API are used from other sites' pages.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  await app.register(cors, {
    // Any origin may call; the widget routes check each chatbot's own allowed origins and answer 403.
    origin: true,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'x-visitor-id', 'x-visitor-token', 'last-event-id', 'accept-language'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: 'rate_limited', message: `retry in ${ctx.after}` }),
  });

  await app.register(healthRoutes, deps);
  await app.register(widgetAssetRoutes, deps);
  await app.register(widgetRoutes, { ...deps, prefix: '/v1/widget/:publicId' });
  await app.register(whatsappCloudWebhook, { ...deps, prefix: '/v1/webhooks/whatsapp' });
  await app.register(telegramWebhook, { ...deps, prefix: '/v1/webhooks/telegram' });
  await app.register(paymentWebhooks, { ...deps, prefix: '/v1/payments' });

  if (deps.config.BAILEYS_ENABLED) {
    const whatsappWeb = createWhatsappWebHost(deps);
    app.addHook('onReady', () => whatsappWeb.start());
    app.addHook('onClose', () => whatsappWeb.stop());
  }
  return app;
}

export type Gateway = Awaited<ReturnType<typeof buildGateway>>;
