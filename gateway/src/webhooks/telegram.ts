/**
 * Telegram webhooks (spec: shared/specs/telegram-bot-api.md §2). Telegram signs nothing; the
 * secret token we gave `setWebhook` comes back in `X-Telegram-Bot-Api-Secret-Token` and is
 * compared in constant time. Messages are made durable before the 200 (a failure answers 5xx and
 * Telegram redelivers; redeliveries are deduplicated by the message's unique key).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ConversationModel,
  DomainError,
  KeyVault,
  badRequest,
  openSecrets,
  publishEvent,
  secretsEqual,
  telegramSecretsSchema,
  upsertContact,
} from '@sapa/shared';
import { answerCallback } from '@sapa/channels/telegram/connect';
import { InvalidTelegramUpdateError, parseTelegramUpdate, type TelegramUpdateResult } from '@sapa/channels/telegram/update';
import type { GatewayDeps } from '../deps';
import { ingestInbound } from '../inbound/pipeline';
import { channelTarget } from '../inbound/targets';

const params = z.object({ channelId: z.string().max(64) });

const telegramWebhook: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const vault = new KeyVault(deps.config.SAPA_MASTER_KEYS);

  app.post('/:channelId', { schema: { params, body: z.unknown() } }, async (req, reply) => {
    const target = await channelTarget(req.params.channelId, 'telegram');
    const { botToken, webhookSecret } = openSecrets(vault, target.channel, telegramSecretsSchema);
    if (!secretsEqual(req.headers['x-telegram-bot-api-secret-token'], webhookSecret)) {
      throw new DomainError(403, 'forbidden', 'error.webhookSecretInvalid');
    }

    let update: TelegramUpdateResult;
    try {
      update = parseTelegramUpdate(req.body);
    } catch (err) {
      if (err instanceof InvalidTelegramUpdateError) throw badRequest('error.validation', err.message);
      throw err;
    }
    switch (update.kind) {
      case 'message':
        await ingestInbound(deps, target, update.inbound);
        break;
      case 'callback':
        await ingestInbound(deps, target, update.inbound);
        // Stops the spinner on the customer's button; best effort (it never throws).
        void answerCallback(deps.config, botToken, update.callbackQueryId);
        break;
      case 'membership': {
        // The customer blocked or unblocked the bot: shown on the contact in the inbox.
        const { channel } = target;
        const contact = await upsertContact(
          { workspaceId: channel.workspaceId, channelId: channel._id, externalId: update.chatId },
          { name: update.name ?? '' },
          { blocked: update.blocked, blockedAt: new Date() },
        );
        if (contact.currentConversationId) {
          const conversation = await ConversationModel.findById(contact.currentConversationId, { _id: 1 }).lean();
          if (conversation) {
            await publishEvent({
              workspaceId: String(channel.workspaceId),
              type: 'conversationUpdated',
              conversationId: String(conversation._id),
              data: { conversationId: String(conversation._id), contactId: String(contact._id), contactBlocked: update.blocked },
              dedupeKey: `tg-membership:${String(channel._id)}:${update.updateId}`,
            });
          }
        }
        break;
      }
      case 'ignored':
        req.log.debug({ updateId: update.updateId, reason: update.reason }, 'telegram update ignored');
        break;
    }
    return reply.status(200).send({ ok: true });
  });
};

export default telegramWebhook;
