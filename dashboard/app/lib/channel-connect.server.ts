/**
 * Connecting channels and replacing their credentials. Every credential is checked with the
 * provider before it is stored (WhatsApp Cloud: the phone number is read with the token; Telegram:
 * the webhook is registered with the token), then sealed with the key vault.
 *
 * New-channel forms carry the channel's id, made when the form was rendered (like a reply's id):
 * a form posted twice creates one channel, and the second post lands on it instead of on an error.
 */
import mongoose from 'mongoose';
import { z } from 'zod';
import {
  ChannelModel,
  ChatbotModel,
  isDuplicateKeyError,
  isValidObjectId,
  notFound,
  randomId,
  sealSecrets,
  t,
  telegramSecretsSchema,
  telegramSettingsSchema,
  whatsappBaileysSettingsSchema,
  whatsappCloudSecretsSchema,
  whatsappCloudSettingsSchema,
  type Channel,
  type ChannelType,
  type Chatbot,
  type Locale,
  type MessageKey,
} from '@sapa/shared';
import { GraphApiError, graphClientFor } from '@sapa/channels/whatsapp-cloud/graph-client';
import { TelegramConnectError, connectTelegramBot, disconnectTelegramBot } from '@sapa/channels/telegram/connect';
import { requestPairing } from '@sapa/channels/whatsapp-baileys/pairing';
import { announceChannel, channelSecrets, findChannel, telegramWebhookUrl, vault } from './channels.server';
import { config, ensureDatabase, logger } from './env.server';
import type { FieldErrors } from './forms.server';
import type { SessionUser } from './session.server';

export type ConnectOutcome = { ok: true; channelId: string } | { ok: false; status: number; fieldErrors: FieldErrors };

const refused = (status: number, fieldErrors: FieldErrors): ConnectOutcome => ({ ok: false, status, fieldErrors });

// --- form schemas (messages are catalog keys, see forms.server.ts) ---

const newChannelId = z.string().regex(/^[0-9a-f]{24}$/);
const channelName = z.string().trim().max(120, 'error.fieldTooLong').default('');
/** Optional: the workspace's first chatbot when absent. */
const chatbotChoice = z.string().optional();
const graphId = (message: MessageKey) => z.string().trim().regex(/^\d{5,30}$/, message);
const accessToken = z.string().trim().regex(/^\S{10,1024}$/, 'error.accessTokenInvalid');
const appSecret = z.string().trim().regex(/^\S{8,256}$/, 'error.appSecretInvalid');
/** Meta accepts any string; we keep to visible ASCII so it survives copy and paste. Empty: we make one. */
const verifyToken = z.string().trim().regex(/^([\x21-\x7e]{8,256})?$/, 'error.verifyTokenFormat');
/** What @BotFather hands out: `<bot id>:<secret>`. The bot id in front is the channel's routing key. */
const telegramToken = z.string().trim().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,200}$/, 'error.telegramTokenInvalid');
/**
 * The number to pair by code instead of QR, in international form. Indonesians write local
 * numbers as 08…; WhatsApp wants 628…, so a leading 0 becomes Indonesia's country code.
 */
const pairingPhoneNumber = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s().+-]/g, ''))
  .transform((v) => (v.startsWith('0') ? `62${v.slice(1)}` : v))
  .pipe(z.string().regex(/^(\d{8,15})?$/, 'error.phoneNumberInvalid'));

export const whatsappCloudConnectSchema = z.object({
  channelId: newChannelId,
  chatbotId: chatbotChoice,
  name: channelName,
  phoneNumberId: graphId('error.phoneNumberIdInvalid'),
  wabaId: graphId('error.wabaIdInvalid'),
  accessToken,
  appSecret,
  verifyToken,
});

/** Replacing credentials: a blank field keeps what is stored. */
export const whatsappCloudCredentialsSchema = z.object({
  accessToken: z.union([z.literal(''), accessToken]),
  appSecret: z.union([z.literal(''), appSecret]),
  verifyToken,
});

export const telegramConnectSchema = z.object({ channelId: newChannelId, chatbotId: chatbotChoice, name: channelName, botToken: telegramToken });
export const telegramCredentialsSchema = z.object({ botToken: telegramToken });

export const whatsappWebConnectSchema = z.object({
  channelId: newChannelId,
  chatbotId: chatbotChoice,
  name: channelName,
  phoneNumber: pairingPhoneNumber,
});
export const whatsappWebRepairSchema = z.object({ phoneNumber: pairingPhoneNumber });

// --- shared steps ---

/** A fresh id for the next new-channel form. */
export function newChannelFormId(): string {
  return new mongoose.Types.ObjectId().toString();
}

export interface ChatbotChoice {
  id: string;
  name: string;
}

/** The chatbots a new channel can answer with (a select appears when there is more than one). */
export async function listChatbotChoices(workspaceId: string): Promise<ChatbotChoice[]> {
  await ensureDatabase();
  const chatbots = await ChatbotModel.find({ workspaceId }).sort({ createdAt: 1 }).lean<Chatbot[]>();
  return chatbots.map((c) => ({ id: String(c._id), name: c.name }));
}

async function resolveChatbot(workspaceId: string, chatbotId: string | undefined): Promise<Chatbot> {
  const chatbot = chatbotId
    ? isValidObjectId(chatbotId)
      ? await ChatbotModel.findOne({ _id: chatbotId, workspaceId }).lean<Chatbot>()
      : null
    : await ChatbotModel.findOne({ workspaceId }).sort({ createdAt: 1 }).lean<Chatbot>();
  if (!chatbot) throw notFound('error.chatbotNotFound');
  return chatbot;
}

/** Whether this form's channel exists already: the same form posted twice. */
async function createdBefore(workspaceId: string, channelId: string): Promise<boolean> {
  await ensureDatabase();
  return Boolean(await ChannelModel.exists({ _id: channelId, workspaceId }));
}

/** Another channel (of any workspace) is routed on this provider id: one number, one channel. */
async function routingKeyTaken(type: ChannelType, routingKey: string, exceptChannelId: string): Promise<boolean> {
  return Boolean(await ChannelModel.exists({ type, 'settings.routingKey': routingKey, _id: { $ne: exceptChannelId } }));
}

/**
 * Two connects of one number can pass the check above at the same moment (there is no unique index:
 * WhatsApp Web channels share an empty routing key until paired). The oldest channel keeps the number.
 */
async function lostRoutingRace(type: ChannelType, routingKey: string, channelId: string): Promise<boolean> {
  const oldest = await ChannelModel.findOne({ type, 'settings.routingKey': routingKey }).sort({ _id: 1 }).select('_id').lean<Pick<Channel, '_id'>>();
  return oldest !== null && String(oldest._id) !== channelId;
}

/** Creates the channel under the form's id; false when a twin post created it first. */
async function insertChannel(doc: Record<string, unknown>): Promise<boolean> {
  try {
    await ChannelModel.create(doc);
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

type PhoneLookup = { ok: true; displayPhoneNumber: string; verifiedName: string } | { ok: false; outcome: ConnectOutcome };

/** Reads the phone number with the token: proves the token works and the number belongs to it. */
async function lookUpPhoneNumber(token: string, phoneNumberId: string, locale: Locale): Promise<PhoneLookup> {
  try {
    const phone = await graphClientFor(config, token).getPhoneNumber(phoneNumberId);
    return { ok: true, displayPhoneNumber: phone.displayPhoneNumber, verifiedName: phone.verifiedName ?? '' };
  } catch (err) {
    if (!(err instanceof GraphApiError)) {
      logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'Graph API unreachable while connecting WhatsApp');
      return { ok: false, outcome: refused(502, { form: t(locale, 'error.whatsappUnreachable') }) };
    }
    // Keyed on Meta's error code (spec §5), not on its wording.
    if (err.status === 401 || err.code === 190 || err.code === 0) {
      return { ok: false, outcome: refused(400, { accessToken: t(locale, 'error.whatsappTokenRejected') }) };
    }
    if (err.code === 10 || (err.code >= 200 && err.code < 300) || err.status === 403) {
      return { ok: false, outcome: refused(400, { accessToken: t(locale, 'error.whatsappTokenNoAccess') }) };
    }
    if (err.code === 100 || err.status === 404) {
      return { ok: false, outcome: refused(400, { phoneNumberId: t(locale, 'error.whatsappPhoneNumberUnknown') }) };
    }
    return { ok: false, outcome: refused(400, { form: t(locale, 'error.whatsappCheckFailed', { reason: err.message }) }) };
  }
}

/** Why Telegram refused, for the token field; the token itself is blanked out if an error quoted it. */
function telegramRefusal(err: unknown, botToken: string, locale: Locale): ConnectOutcome {
  if (err instanceof TelegramConnectError && err.reason === 'invalid_token') {
    return refused(400, { botToken: t(locale, 'error.telegramTokenRejected') });
  }
  if (!(err instanceof TelegramConnectError) || err.reason === 'unreachable') {
    logger.warn({ error: err instanceof Error ? err.message.replaceAll(botToken, '••••') : 'unknown' }, 'Telegram unreachable while connecting');
    return refused(502, { form: t(locale, 'error.telegramUnreachable') });
  }
  const secretPart = botToken.split(':')[1] ?? botToken;
  const reason = err.message.replaceAll(botToken, '••••').replaceAll(secretPart, '••••');
  return refused(400, { botToken: t(locale, 'error.telegramRejected', { reason }) });
}

// --- WhatsApp Cloud ---

export async function connectWhatsappCloud(
  admin: SessionUser,
  input: z.output<typeof whatsappCloudConnectSchema>,
  locale: Locale,
): Promise<ConnectOutcome> {
  const workspaceId = String(admin.workspace._id);
  if (await createdBefore(workspaceId, input.channelId)) return { ok: true, channelId: input.channelId };
  if (await routingKeyTaken('whatsapp_cloud', input.phoneNumberId, input.channelId)) {
    return refused(409, { phoneNumberId: t(locale, 'error.phoneNumberIdTaken') });
  }
  const chatbot = await resolveChatbot(workspaceId, input.chatbotId);
  const phone = await lookUpPhoneNumber(input.accessToken, input.phoneNumberId, locale);
  if (!phone.ok) return phone.outcome;

  const settings = whatsappCloudSettingsSchema.parse({
    routingKey: input.phoneNumberId,
    phoneNumberId: input.phoneNumberId,
    wabaId: input.wabaId,
    displayPhoneNumber: phone.displayPhoneNumber.slice(0, 40),
  });
  const secrets = whatsappCloudSecretsSchema.parse({
    accessToken: input.accessToken,
    appSecret: input.appSecret,
    verifyToken: input.verifyToken || randomId(24),
  });
  const inserted = await insertChannel({
    _id: input.channelId,
    workspaceId,
    chatbotId: chatbot._id,
    type: 'whatsapp_cloud',
    name: input.name || phone.verifiedName || phone.displayPhoneNumber || `WhatsApp ${input.phoneNumberId}`,
    status: 'active',
    statusAt: new Date(),
    settings,
    secrets: sealSecrets(vault, secrets),
  });
  if (!inserted) return (await createdBefore(workspaceId, input.channelId)) ? { ok: true, channelId: input.channelId } : refused(409, { form: t(locale, 'error.validation') });
  if (await lostRoutingRace('whatsapp_cloud', input.phoneNumberId, input.channelId)) {
    await ChannelModel.deleteOne({ _id: input.channelId, workspaceId });
    return refused(409, { phoneNumberId: t(locale, 'error.phoneNumberIdTaken') });
  }
  await announceChannel(workspaceId, input.channelId, { status: 'active', reason: '' });
  return { ok: true, channelId: input.channelId };
}

export async function updateWhatsappCloudCredentials(
  admin: SessionUser,
  channelId: string | undefined,
  input: z.output<typeof whatsappCloudCredentialsSchema>,
  locale: Locale,
): Promise<ConnectOutcome> {
  const workspaceId = String(admin.workspace._id);
  const channel = await findChannel(workspaceId, channelId);
  if (channel.type !== 'whatsapp_cloud') throw notFound('error.channelNotFound');
  const current = channelSecrets(channel, whatsappCloudSecretsSchema);
  const next = {
    accessToken: input.accessToken || current?.accessToken || '',
    appSecret: input.appSecret || current?.appSecret || '',
    verifyToken: input.verifyToken || current?.verifyToken || randomId(24),
  };
  // A disconnected channel has nothing stored to keep.
  const missing: FieldErrors = {};
  if (!next.accessToken) missing.accessToken = t(locale, 'error.accessTokenInvalid');
  if (!next.appSecret) missing.appSecret = t(locale, 'error.appSecretInvalid');
  if (Object.keys(missing).length > 0) return refused(400, missing);

  const settings = whatsappCloudSettingsSchema.safeParse(channel.settings);
  if (!settings.success) throw notFound('error.channelNotFound');
  const phone = await lookUpPhoneNumber(next.accessToken, settings.data.phoneNumberId, locale);
  if (!phone.ok) return phone.outcome;
  await ChannelModel.updateOne(
    { _id: channel._id, workspaceId },
    {
      $set: {
        secrets: sealSecrets(vault, whatsappCloudSecretsSchema.parse(next)),
        'settings.displayPhoneNumber': phone.displayPhoneNumber.slice(0, 40),
        status: 'active',
        statusReason: '',
        statusAt: new Date(),
      },
    },
  );
  await announceChannel(workspaceId, String(channel._id), { status: 'active', reason: '' });
  return { ok: true, channelId: String(channel._id) };
}

// --- Telegram ---

export async function connectTelegram(
  admin: SessionUser,
  input: z.output<typeof telegramConnectSchema>,
  locale: Locale,
): Promise<ConnectOutcome> {
  const workspaceId = String(admin.workspace._id);
  if (await createdBefore(workspaceId, input.channelId)) return { ok: true, channelId: input.channelId };
  const tokenBotId = input.botToken.slice(0, input.botToken.indexOf(':'));
  if (await routingKeyTaken('telegram', tokenBotId, input.channelId)) {
    return refused(409, { botToken: t(locale, 'error.telegramBotTaken') });
  }
  const chatbot = await resolveChatbot(workspaceId, input.chatbotId);
  const secrets = telegramSecretsSchema.parse({ botToken: input.botToken, webhookSecret: randomId(24) });
  // Stored first, as `connecting`: the webhook points at this channel the moment Telegram accepts it,
  // and the id makes a twin post stop here instead of registering a second secret.
  const inserted = await insertChannel({
    _id: input.channelId,
    workspaceId,
    chatbotId: chatbot._id,
    type: 'telegram',
    name: input.name || 'Telegram',
    status: 'connecting',
    statusAt: new Date(),
    settings: { routingKey: tokenBotId, botId: Number(tokenBotId), username: '' },
    secrets: sealSecrets(vault, secrets),
  });
  if (!inserted) return (await createdBefore(workspaceId, input.channelId)) ? { ok: true, channelId: input.channelId } : refused(409, { form: t(locale, 'error.validation') });

  let bot: { botId: number; username: string };
  try {
    bot = await connectTelegramBot(config, { botToken: secrets.botToken, webhookUrl: telegramWebhookUrl(input.channelId), webhookSecret: secrets.webhookSecret });
  } catch (err) {
    await ChannelModel.deleteOne({ _id: input.channelId, workspaceId });
    return telegramRefusal(err, input.botToken, locale);
  }
  const settings = telegramSettingsSchema.parse({ routingKey: String(bot.botId), botId: bot.botId, username: bot.username });
  await ChannelModel.updateOne(
    { _id: input.channelId, workspaceId },
    { $set: { settings, status: 'active', statusReason: '', statusAt: new Date(), ...(input.name ? {} : { name: `@${bot.username}` }) } },
  );
  await announceChannel(workspaceId, input.channelId, { status: 'active', reason: '' });
  return { ok: true, channelId: input.channelId };
}

/** A new token (revoked and re-issued, or another bot): the webhook is registered again with it. */
export async function updateTelegramCredentials(
  admin: SessionUser,
  channelId: string | undefined,
  input: z.output<typeof telegramCredentialsSchema>,
  locale: Locale,
): Promise<ConnectOutcome> {
  const workspaceId = String(admin.workspace._id);
  const channel = await findChannel(workspaceId, channelId);
  if (channel.type !== 'telegram') throw notFound('error.channelNotFound');
  const id = String(channel._id);
  const tokenBotId = input.botToken.slice(0, input.botToken.indexOf(':'));
  if (await routingKeyTaken('telegram', tokenBotId, id)) return refused(409, { botToken: t(locale, 'error.telegramBotTaken') });
  const current = channelSecrets(channel, telegramSecretsSchema);
  // Keeping the secret avoids a moment where Telegram signs with a secret the gateway does not know yet.
  const secrets = telegramSecretsSchema.parse({ botToken: input.botToken, webhookSecret: current?.webhookSecret ?? randomId(24) });
  let bot: { botId: number; username: string };
  try {
    bot = await connectTelegramBot(config, { botToken: secrets.botToken, webhookUrl: telegramWebhookUrl(id), webhookSecret: secrets.webhookSecret });
  } catch (err) {
    return telegramRefusal(err, input.botToken, locale);
  }
  const settings = telegramSettingsSchema.parse({ routingKey: String(bot.botId), botId: bot.botId, username: bot.username });
  await ChannelModel.updateOne(
    { _id: channel._id, workspaceId },
    { $set: { settings, secrets: sealSecrets(vault, secrets), status: 'active', statusReason: '', statusAt: new Date() } },
  );
  // Another bot took this channel over: the old one must stop sending its updates here.
  if (current && current.botToken.split(':')[0] !== String(bot.botId)) {
    await disconnectTelegramBot(config, current.botToken).catch(() => undefined);
  }
  await announceChannel(workspaceId, id, { status: 'active', reason: '' });
  return { ok: true, channelId: id };
}

// --- WhatsApp Web ---

/** Creates the channel and asks the gateway's session host for a QR (or a pairing code). */
export async function connectWhatsappWeb(
  admin: SessionUser,
  input: z.output<typeof whatsappWebConnectSchema>,
): Promise<ConnectOutcome> {
  const workspaceId = String(admin.workspace._id);
  if (await createdBefore(workspaceId, input.channelId)) return { ok: true, channelId: input.channelId };
  const chatbot = await resolveChatbot(workspaceId, input.chatbotId);
  const inserted = await insertChannel({
    _id: input.channelId,
    workspaceId,
    chatbotId: chatbot._id,
    type: 'whatsapp_baileys',
    name: input.name || 'WhatsApp Web',
    status: 'pairing',
    statusAt: new Date(),
    settings: whatsappBaileysSettingsSchema.parse({}),
    pairing: input.phoneNumber ? { phoneNumber: input.phoneNumber, updatedAt: new Date() } : { updatedAt: new Date() },
  });
  if (!inserted) return { ok: true, channelId: input.channelId };
  await requestPairing(input.channelId, workspaceId, input.phoneNumber ? { phoneNumber: input.phoneNumber } : {});
  await announceChannel(workspaceId, input.channelId, { status: 'pairing', reason: '' });
  return { ok: true, channelId: input.channelId };
}

/** Starts pairing again: after a logout, or to pair another phone. */
export async function repairWhatsappWeb(admin: SessionUser, channelId: string | undefined, input: z.output<typeof whatsappWebRepairSchema>) {
  const workspaceId = String(admin.workspace._id);
  const channel = await findChannel(workspaceId, channelId);
  if (channel.type !== 'whatsapp_baileys') throw notFound('error.channelNotFound');
  await requestPairing(String(channel._id), workspaceId, input.phoneNumber ? { phoneNumber: input.phoneNumber } : {});
  await announceChannel(workspaceId, String(channel._id), { status: 'pairing', reason: '' });
}
