/**
 * The workspace's channels as the dashboard shows them: the list with each channel's health, one
 * channel's page (settings, masked credentials, the webhook URL to paste into Meta or Telegram),
 * and taking a channel offline (disconnect, delete). Connecting channels is in
 * channel-connect.server.ts; the web widget's settings in widget-settings.server.ts.
 *
 * Credentials are sealed with the key vault and only ever leave this module masked, except the
 * WhatsApp verify token, which the owner has to paste into Meta's dashboard.
 */
import {
  ChannelModel,
  ChatbotModel,
  KeyVault,
  badRequest,
  currentEventSeq,
  isValidObjectId,
  maskSecret,
  notFound,
  openSecrets,
  publishEvent,
  telegramSecretsSchema,
  whatsappCloudSecretsSchema,
  type Channel,
  type ChannelStatus,
  type ChannelType,
  type Chatbot,
  type Locale,
} from '@sapa/shared';
import { disconnectTelegramBot } from '@sapa/channels/telegram/connect';
import { disconnectWhatsappWeb } from '@sapa/channels/whatsapp-baileys/pairing';
import type { z } from 'zod';
import { config, ensureDatabase, logger } from './env.server';
import { qrDataUri } from './qr.server';
import type { SessionUser } from './session.server';
import { timeFormatter } from './time.server';

/** Opens and seals channel credentials (`SAPA_MASTER_KEYS`). */
export const vault = new KeyVault(config.SAPA_MASTER_KEYS);

/** Where Meta sends this channel's webhooks (GET verification and POST events). */
export const whatsappWebhookUrl = (channelId: string) => `${config.gatewayPublicUrl}/v1/webhooks/whatsapp/${channelId}`;
/** Where Telegram sends this channel's updates. */
export const telegramWebhookUrl = (channelId: string) => `${config.gatewayPublicUrl}/v1/webhooks/telegram/${channelId}`;

/** The one line a site owner pastes before `</body>` (docs/widget-api.md). */
export function widgetSnippet(publicId: string): string {
  return `<script src="${config.gatewayPublicUrl}/widget.js" data-chatbot="${publicId}" async></script>`;
}

/** The order channels are listed and offered in: WhatsApp first, it is what the businesses use. */
const TYPE_ORDER: ChannelType[] = ['whatsapp_cloud', 'whatsapp_baileys', 'telegram', 'web'];

interface ViewContext {
  workspaceId: string;
  locale: Locale;
  timeZone: string | null | undefined;
}

export interface ChannelHealth {
  status: ChannelStatus;
  /** Why it is in `error` / `needs_reconnect` (the provider's words or ours). */
  reason: string;
}

export interface ChannelSummary {
  id: string;
  type: ChannelType;
  name: string;
  health: ChannelHealth;
  /** What identifies it to a person: the phone number, the bot's @username, the chatbot's public id. */
  detail: string;
}

function healthOf(channel: Pick<Channel, 'status' | 'statusReason'>): ChannelHealth {
  return { status: channel.status ?? 'active', reason: channel.statusReason ?? '' };
}

/** A settings field as a string, whatever the stored document holds. */
function setting(channel: Pick<Channel, 'settings'>, key: string): string {
  const value: unknown = (channel.settings as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function detailOf(channel: Channel, publicIds: Map<string, string>): string {
  switch (channel.type) {
    case 'whatsapp_cloud':
      return setting(channel, 'displayPhoneNumber') || setting(channel, 'phoneNumberId');
    case 'whatsapp_baileys':
      return setting(channel, 'phoneNumber') ? `+${setting(channel, 'phoneNumber')}` : '';
    case 'telegram':
      return setting(channel, 'username') ? `@${setting(channel, 'username')}` : '';
    case 'web':
      return publicIds.get(String(channel.chatbotId)) ?? '';
  }
}

export interface ChannelListView {
  channels: ChannelSummary[];
  /** The realtime stream continues from here (health changes, pairing). */
  lastEventId: number;
}

export async function listChannels(workspaceId: string): Promise<ChannelListView> {
  await ensureDatabase();
  const lastEventId = await currentEventSeq(workspaceId);
  const [channels, chatbots] = await Promise.all([
    ChannelModel.find({ workspaceId }).sort({ createdAt: 1 }).lean<Channel[]>(),
    ChatbotModel.find({ workspaceId }).lean<Chatbot[]>(),
  ]);
  const publicIds = new Map(chatbots.map((c) => [String(c._id), c.publicId]));
  const summaries = channels
    .map((c) => ({ id: String(c._id), type: c.type, name: c.name, health: healthOf(c), detail: detailOf(c, publicIds) }))
    // Stable within a type (createdAt order from the query), grouped by type.
    .sort((a, b) => TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type));
  return { channels: summaries, lastEventId };
}

/** The channel with this id in this workspace; a 404 for a malformed id or another workspace's. */
export async function findChannel(workspaceId: string, channelId: string | undefined): Promise<Channel> {
  if (!isValidObjectId(channelId)) throw notFound('error.channelNotFound');
  await ensureDatabase();
  const channel = await ChannelModel.findOne({ _id: channelId, workspaceId }).lean<Channel>();
  if (!channel) throw notFound('error.channelNotFound');
  return channel;
}

/**
 * The channel's credentials, or null when it has none (disconnected) or they cannot be opened (a
 * master key was removed). Only the error's name is logged: a message could quote a secret.
 */
export function channelSecrets<T>(channel: Channel, schema: z.ZodType<T>): T | null {
  if (!channel.secrets) return null;
  try {
    return openSecrets(vault, channel, schema);
  } catch (err) {
    logger.warn({ channelId: String(channel._id), error: err instanceof Error ? err.name : 'unknown' }, 'channel credentials cannot be opened');
    return null;
  }
}

export interface ChannelHeader {
  id: string;
  type: ChannelType;
  name: string;
  health: ChannelHealth;
  /** When the health last changed, in the workspace's time zone. */
  healthSince: string;
  chatbotName: string;
}

export type ChannelDetails =
  | {
      type: 'whatsapp_cloud';
      phoneNumberId: string;
      wabaId: string;
      displayPhoneNumber: string;
      webhookUrl: string;
      /** In full: the owner pastes it into Meta's dashboard next to the webhook URL. */
      verifyToken: string | null;
      accessTokenMasked: string | null;
      appSecretMasked: string | null;
    }
  | { type: 'telegram'; botId: string; username: string; webhookUrl: string; botTokenMasked: string | null }
  | {
      type: 'whatsapp_baileys';
      phoneNumber: string;
      /** The QR to scan, as an SVG data URI rendered on the server (so it shows without JavaScript). */
      qrImage: string | null;
      pairingCode: string;
      pairingPhoneNumber: string;
    }
  | { type: 'web'; publicId: string; snippet: string; allowedOrigins: string[]; previewUrl: string };

export interface ChannelPageView {
  channel: ChannelHeader;
  details: ChannelDetails;
  lastEventId: number;
}

async function detailsOf(channel: Channel, chatbot: Chatbot | null): Promise<ChannelDetails> {
  const id = String(channel._id);
  switch (channel.type) {
    case 'whatsapp_cloud': {
      const secrets = channelSecrets(channel, whatsappCloudSecretsSchema);
      return {
        type: 'whatsapp_cloud',
        phoneNumberId: setting(channel, 'phoneNumberId'),
        wabaId: setting(channel, 'wabaId'),
        displayPhoneNumber: setting(channel, 'displayPhoneNumber'),
        webhookUrl: whatsappWebhookUrl(id),
        verifyToken: secrets?.verifyToken ?? null,
        accessTokenMasked: secrets ? maskSecret(secrets.accessToken) : null,
        appSecretMasked: secrets ? maskSecret(secrets.appSecret) : null,
      };
    }
    case 'telegram': {
      const secrets = channelSecrets(channel, telegramSecretsSchema);
      return {
        type: 'telegram',
        botId: setting(channel, 'botId'),
        username: setting(channel, 'username'),
        webhookUrl: telegramWebhookUrl(id),
        botTokenMasked: secrets ? maskSecret(secrets.botToken) : null,
      };
    }
    case 'whatsapp_baileys': {
      // A QR is only worth showing while the session waits for a scan.
      const qr = channel.status === 'pairing' ? channel.pairing?.qr : undefined;
      return {
        type: 'whatsapp_baileys',
        phoneNumber: setting(channel, 'phoneNumber'),
        qrImage: qr ? await qrDataUri(qr) : null,
        pairingCode: channel.status === 'pairing' ? channel.pairing?.code ?? '' : '',
        pairingPhoneNumber: channel.pairing?.phoneNumber ?? '',
      };
    }
    case 'web': {
      const publicId = chatbot?.publicId ?? '';
      return {
        type: 'web',
        publicId,
        snippet: widgetSnippet(publicId),
        allowedOrigins: chatbot?.allowedOrigins ?? [],
        previewUrl: `${config.gatewayPublicUrl}/demo/${encodeURIComponent(publicId)}`,
      };
    }
  }
}

export async function loadChannelPage(ctx: ViewContext, channelId: string | undefined): Promise<ChannelPageView> {
  const lastEventId = await currentEventSeq(ctx.workspaceId);
  const channel = await findChannel(ctx.workspaceId, channelId);
  const chatbot = await ChatbotModel.findOne({ _id: channel.chatbotId, workspaceId: ctx.workspaceId }).lean<Chatbot>();
  const since = channel.statusAt ?? (channel as { updatedAt?: Date }).updatedAt ?? null;
  return {
    channel: {
      id: String(channel._id),
      type: channel.type,
      name: channel.name,
      health: healthOf(channel),
      healthSince: since ? timeFormatter(ctx.locale, ctx.timeZone).full(since) : '',
      chatbotName: chatbot?.name ?? '',
    },
    details: await detailsOf(channel, chatbot),
    lastEventId,
  };
}

/** Tells every open dashboard of the workspace that a channel changed (health, settings, removal). */
export async function announceChannel(workspaceId: string, channelId: string, health: ChannelHealth, extra: Record<string, unknown> = {}) {
  await publishEvent({
    workspaceId,
    type: 'channelUpdated',
    data: { channelId, status: health.status, ...(health.reason ? { reason: health.reason } : {}), ...extra },
  });
}

/**
 * Stops the channel at its provider where there is something to stop: Telegram's webhook is
 * removed, a WhatsApp Web session logs out. WhatsApp Cloud has nothing to call: the number stays
 * registered with Meta, and the gateway ignores a disabled channel's webhooks.
 */
async function stopAtProvider(channel: Channel, workspaceId: string): Promise<void> {
  const channelId = String(channel._id);
  if (channel.type === 'telegram') {
    const secrets = channelSecrets(channel, telegramSecretsSchema);
    // A revoked token cannot remove its webhook either; the channel is disabled all the same.
    if (secrets) {
      await disconnectTelegramBot(config, secrets.botToken).catch((err: unknown) =>
        logger.warn({ channelId, error: err instanceof Error ? err.message.replaceAll(secrets.botToken, '••••') : 'unknown' }, 'telegram deleteWebhook failed'),
      );
    }
  } else if (channel.type === 'whatsapp_baileys') {
    await disconnectWhatsappWeb(channelId, workspaceId);
  }
}

/** Takes the channel offline and forgets its credentials; its conversations stay in the inbox. */
export async function disconnectChannel(admin: SessionUser, channelId: string | undefined): Promise<void> {
  const workspaceId = String(admin.workspace._id);
  const channel = await findChannel(workspaceId, channelId);
  // Every chatbot keeps its web channel: the widget snippet on the business's site relies on it.
  if (channel.type === 'web') throw badRequest('error.webChannelFixed');
  await stopAtProvider(channel, workspaceId);
  await ChannelModel.updateOne(
    { _id: channel._id, workspaceId },
    { $set: { status: 'disabled', statusReason: '', statusAt: new Date() }, $unset: { secrets: 1, 'pairing.qr': 1, 'pairing.code': 1 } },
  );
  await announceChannel(workspaceId, String(channel._id), { status: 'disabled', reason: '' });
}

/** Removes the channel (after stopping it). Conversations it carried stay readable in the inbox. */
export async function deleteChannel(admin: SessionUser, channelId: string | undefined): Promise<void> {
  const workspaceId = String(admin.workspace._id);
  const channel = await findChannel(workspaceId, channelId);
  if (channel.type === 'web') throw badRequest('error.webChannelFixed');
  if (channel.status !== 'disabled') await stopAtProvider(channel, workspaceId);
  await ChannelModel.deleteOne({ _id: channel._id, workspaceId });
  await announceChannel(workspaceId, String(channel._id), { status: 'disabled', reason: '' }, { deleted: true });
}
