/**
 * Channels for tests, created the way the dashboard creates them (settings + sealed credentials),
 * so gateway and worker read them exactly as in production.
 */
import mongoose from 'mongoose';
import { ChannelModel, KeyVault, sealSecrets, type Config } from '@sapa/shared';

export interface ChannelOwner {
  workspaceId: string;
  chatbotId: string;
}

export const TEST_WHATSAPP = {
  accessToken: 'EAAG-test-access-token-0001',
  appSecret: 'test-app-secret-0001',
  verifyToken: 'test-verify-token-0001',
  wabaId: '102290129340398',
};

export async function createWhatsappCloudChannel(
  config: Config,
  owner: ChannelOwner,
  opts: { phoneNumberId: string; displayPhoneNumber?: string; accessToken?: string; appSecret?: string; verifyToken?: string; wabaId?: string },
) {
  const vault = new KeyVault(config.SAPA_MASTER_KEYS);
  const channel = await ChannelModel.create({
    workspaceId: new mongoose.Types.ObjectId(owner.workspaceId),
    chatbotId: new mongoose.Types.ObjectId(owner.chatbotId),
    type: 'whatsapp_cloud',
    name: `WhatsApp ${opts.displayPhoneNumber ?? opts.phoneNumberId}`,
    status: 'active',
    settings: {
      routingKey: opts.phoneNumberId,
      phoneNumberId: opts.phoneNumberId,
      wabaId: opts.wabaId ?? TEST_WHATSAPP.wabaId,
      displayPhoneNumber: opts.displayPhoneNumber ?? '15550783881',
    },
    secrets: sealSecrets(vault, {
      accessToken: opts.accessToken ?? TEST_WHATSAPP.accessToken,
      appSecret: opts.appSecret ?? TEST_WHATSAPP.appSecret,
      verifyToken: opts.verifyToken ?? TEST_WHATSAPP.verifyToken,
    }),
  });
  return channel.toObject();
}

export async function createTelegramChannel(
  config: Config,
  owner: ChannelOwner,
  opts: { botToken: string; botId: number; username: string; webhookSecret: string },
) {
  const vault = new KeyVault(config.SAPA_MASTER_KEYS);
  const channel = await ChannelModel.create({
    workspaceId: new mongoose.Types.ObjectId(owner.workspaceId),
    chatbotId: new mongoose.Types.ObjectId(owner.chatbotId),
    type: 'telegram',
    name: `Telegram @${opts.username}`,
    status: 'active',
    settings: { routingKey: String(opts.botId), botId: opts.botId, username: opts.username },
    secrets: sealSecrets(vault, { botToken: opts.botToken, webhookSecret: opts.webhookSecret }),
  });
  return channel.toObject();
}

export async function createWhatsappWebChannel(owner: ChannelOwner, settings: Record<string, unknown> = {}) {
  const channel = await ChannelModel.create({
    workspaceId: new mongoose.Types.ObjectId(owner.workspaceId),
    chatbotId: new mongoose.Types.ObjectId(owner.chatbotId),
    type: 'whatsapp_baileys',
    name: 'WhatsApp Web',
    status: 'pairing',
    settings: { routingKey: '', phoneNumber: '', groupsEnabled: false, minGapMs: 0, jitterMs: 0, ...settings },
    pairing: { requestedAt: new Date() },
  });
  return channel.toObject();
}
