/**
 * WhatsApp Cloud API webhooks (spec: shared/specs/whatsapp-cloud-api.md §1).
 *
 * GET answers Meta's verification handshake with the channel's verify token. POST checks
 * `X-Hub-Signature-256` over the raw request bytes with the channel's app secret (a re-serialised
 * body would not match), then makes every message durable and applies every delivery report before
 * answering 200: a failure answers 5xx so Meta retries, and a retry is harmless (messages are
 * unique per channel, reports only move a message forward).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DomainError,
  KeyVault,
  applyDeliveryReport,
  badRequest,
  openSecrets,
  readSettings,
  whatsappCloudSecretsSchema,
  whatsappCloudSettingsSchema,
} from '@sapa/shared';
import { verifyChallenge, verifyMetaSignature } from '@sapa/channels/whatsapp-cloud/signature';
import { parseWebhook } from '@sapa/channels/whatsapp-cloud/webhook';

type WebhookEvent = ReturnType<typeof parseWebhook>['events'][number];
import type { GatewayDeps } from '../deps';
import { ingestInbound } from '../inbound/pipeline';
import { channelTarget, siblingTarget, type InboundTarget } from '../inbound/targets';

/** Meta batches up to ~3 MB of events in one delivery. */
const WEBHOOK_BODY_LIMIT = 4 * 1024 * 1024;

const params = z.object({ channelId: z.string().max(64) });

const whatsappCloudWebhook: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const vault = new KeyVault(deps.config.SAPA_MASTER_KEYS);

  // The signature covers the exact bytes: keep the body as a Buffer in this plugin's routes.
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));

  app.get('/:channelId', { schema: { params, querystring: z.record(z.string(), z.unknown()) } }, async (req, reply) => {
    const { channel } = await channelTarget(req.params.channelId, 'whatsapp_cloud');
    const { verifyToken } = openSecrets(vault, channel, whatsappCloudSecretsSchema);
    const challenge = verifyChallenge(req.query, verifyToken);
    if (challenge === null) throw new DomainError(403, 'forbidden', 'error.verifyTokenInvalid');
    return reply.type('text/plain; charset=utf-8').send(challenge);
  });

  app.post('/:channelId', { schema: { params }, bodyLimit: WEBHOOK_BODY_LIMIT }, async (req, reply) => {
    const target = await channelTarget(req.params.channelId, 'whatsapp_cloud');
    const raw = req.body;
    if (!Buffer.isBuffer(raw)) throw badRequest('error.validation', 'expected a JSON body');
    const { appSecret } = openSecrets(vault, target.channel, whatsappCloudSecretsSchema);
    if (!verifyMetaSignature(raw, req.headers['x-hub-signature-256'] as string | undefined, appSecret)) {
      throw new DomainError(401, 'unauthorized', 'error.signatureInvalid');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      throw badRequest('error.malformedJson');
    }

    const own = readSettings(target.channel, whatsappCloudSettingsSchema).phoneNumberId;
    const routed = new Map<string, Promise<InboundTarget | null>>([[own, Promise.resolve(target)]]);
    // Another number's events are taken only if that number belongs to the same Meta app (same
    // app secret): the signature proves who sent the delivery, not which numbers it may speak for.
    const sameApp = async (phoneNumberId: string) => {
      const sibling = await siblingTarget(target.channel, phoneNumberId);
      if (!sibling) return null;
      return openSecrets(vault, sibling.channel, whatsappCloudSecretsSchema).appSecret === appSecret ? sibling : null;
    };
    const route = (phoneNumberId: string) => {
      if (!routed.has(phoneNumberId)) routed.set(phoneNumberId, sameApp(phoneNumberId));
      return routed.get(phoneNumberId)!;
    };

    // One delivery can carry many customers' messages. Each customer's events keep their order
    // (a conversation's messages must be signalled in sequence); different customers run side by side.
    const lanes = new Map<string, WebhookEvent[]>();
    for (const event of parseWebhook(payload).events) {
      const who = event.inbound?.externalContactId ?? `status:${event.status?.providerMessageId ?? ''}`;
      const lane = `${event.phoneNumberId}:${who}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), event]);
    }
    let stored = 0;
    let reports = 0;
    let unrouted = 0;
    await Promise.all(
      [...lanes.values()].map(async (events) => {
        for (const event of events) {
          const to = await route(event.phoneNumberId);
          if (!to) {
            unrouted += 1;
            continue;
          }
          if (event.inbound) {
            await ingestInbound(deps, to, event.inbound);
            stored += 1;
          } else if (event.status) {
            await applyDeliveryReport({
              channelId: to.channel._id,
              workspaceId: to.channel.workspaceId,
              providerMessageId: event.status.providerMessageId,
              status: event.status.status,
              at: event.status.at,
              ...(event.status.error ? { error: event.status.error } : {}),
            });
            reports += 1;
          }
        }
      }),
    );
    // Events for a number Sapa does not know are acknowledged (Meta would retry them for days) and logged.
    if (unrouted > 0) req.log.warn({ channelId: req.params.channelId, unrouted }, 'whatsapp webhook events for an unknown phone number id');
    return reply.status(200).send({ received: true, stored, reports });
  });
};

export default whatsappCloudWebhook;
