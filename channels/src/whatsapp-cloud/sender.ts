/**
 * Sending through the WhatsApp Cloud API, and fetching the media customers send. The 24-hour
 * customer-service window is checked here before Meta is called: outside it only a template may
 * go out, and Meta would otherwise accept the send and fail it later (131047, spec §7).
 * Rate limits are waited out inside the call while the total wait stays within
 * `CHANNEL_RATE_LIMIT_MAX_WAIT_MS`; after that the caller's retry policy takes over.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  MediaStore,
  MediaTooLargeError,
  openSecrets,
  readSettings,
  whatsappCloudSecretsSchema,
  whatsappWindowOpen,
  whatsappCloudSettingsSchema,
  type Channel,
} from '@sapa/shared';
import type { ChannelRuntime } from '../index';
import { ChannelSendError, type ChannelSender, type MediaFetcher, type OutboundMessage } from '../types';
import { classifyGraphError } from './errors';
import { GraphApiError, graphClientFor, type GraphClient } from './graph-client';
import { buildMessageBodies } from './outbound';

interface Connection {
  client: GraphClient;
  phoneNumberId: string;
}

/** The channel's Graph client; unusable settings or credentials mean the channel must be re-connected. */
function connect(runtime: ChannelRuntime, channel: Channel): Connection {
  try {
    const settings = readSettings(channel, whatsappCloudSettingsSchema);
    const secrets = openSecrets(runtime.vault, channel, whatsappCloudSecretsSchema);
    return { client: graphClientFor(runtime.config, secrets.accessToken), phoneNumberId: settings.phoneNumberId };
  } catch (err) {
    throw new ChannelSendError('auth', `WhatsApp Cloud channel settings or credentials are unusable: ${(err as Error).message}`, {
      code: 'channel_config',
    });
  }
}

export function createWhatsappCloudSender(runtime: ChannelRuntime): ChannelSender {
  const { config, logger } = runtime;
  const store = new MediaStore(config.mediaDir);

  /** Call Graph, waiting out rate limits while the total wait stays within the budget. */
  async function patiently<T>(call: () => Promise<T>): Promise<T> {
    let waited = 0;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call();
      } catch (err) {
        const error = classifyGraphError(err);
        if (error.kind !== 'rate_limited') throw error;
        // Meta's own `Retry-After` is taken as is; our default backoff doubles on each attempt.
        const told = err instanceof GraphApiError && err.retryAfterMs !== undefined;
        const base = error.details.retryAfterMs ?? 1_000;
        const delay = told ? base : base * 2 ** attempt;
        if (waited + delay > config.CHANNEL_RATE_LIMIT_MAX_WAIT_MS) {
          throw new ChannelSendError('rate_limited', error.message, { ...error.details, retryAfterMs: delay });
        }
        await sleep(delay);
        waited += delay;
      }
    }
  }

  async function uploadMedia(connection: Connection, media: NonNullable<OutboundMessage['media']>): Promise<string> {
    let bytes: Buffer;
    try {
      bytes = await store.read(media.storageKey);
    } catch (err) {
      throw new ChannelSendError('permanent', `the attachment cannot be read: ${(err as Error).message}`, { code: 'media_missing' });
    }
    const uploaded = await patiently(() => connection.client.uploadMedia(connection.phoneNumberId, bytes, media.mimeType, media.fileName));
    return uploaded.id;
  }

  return {
    async send(channel, message, context) {
      if (!message.template && !whatsappWindowOpen(context.lastCustomerMessageAt, config.WHATSAPP_WINDOW_MS)) {
        throw new ChannelSendError('window_closed', 'The customer has not written in the last 24 hours: only a template message can be sent', {
          code: 'window_closed',
        });
      }
      const connection = connect(runtime, channel);
      const needsMedia = message.media && !message.template && !message.reaction;
      const mediaId = needsMedia ? await uploadMedia(connection, message.media!) : undefined;
      const bodies = buildMessageBodies(message, mediaId);
      // A split text is several messages; the last wamid stands for the whole (its reports come last).
      let providerMessageId = '';
      for (const body of bodies) {
        providerMessageId = (await patiently(() => connection.client.sendMessage(connection.phoneNumberId, body))).messageId;
      }
      return { status: 'sent', providerMessageId };
    },

    async acknowledge(channel, target) {
      try {
        const { client, phoneNumberId } = connect(runtime, channel);
        await client.markRead(phoneNumberId, target.channelMessageId, true);
      } catch (err) {
        // Read receipts are a courtesy: never let one fail the conversation.
        const error = classifyGraphError(err);
        logger.warn({ channelId: String(channel._id), kind: error.kind, reason: error.message }, 'whatsapp mark-as-read failed');
      }
    },
  };
}

export function createWhatsappCloudMediaFetcher(runtime: ChannelRuntime): MediaFetcher {
  return {
    async fetch(channel, media, maxBytes) {
      const { client } = connect(runtime, channel);
      // The URL lives 5 minutes: resolve it right before downloading, every time.
      const info = await client.getMedia(media.providerMediaId);
      if (info.fileSize !== undefined && info.fileSize > maxBytes) throw new MediaTooLargeError(info.fileSize, maxBytes);
      const download = await client.downloadMedia(info.url, maxBytes);
      return {
        bytes: download.bytes,
        mimeType: info.mimeType || download.mimeType,
        ...(media.fileName ? { fileName: media.fileName } : {}),
      };
    },
  };
}
