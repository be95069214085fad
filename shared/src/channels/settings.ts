/**
 * Per channel type: the non-secret settings (kept in `channel.settings`) and the credentials (kept
 * sealed with the key vault in `channel.secrets`). One place so the gateway, the worker and the
 * dashboard read and write them the same way. `settings.routingKey` is the provider's id of the
 * channel that inbound traffic is routed on (WhatsApp phone number id, Telegram bot id).
 */
import { z } from 'zod';
import type { KeyVault } from '../crypto';
import type { Channel } from '../models';

export const whatsappCloudSettingsSchema = z.object({
  routingKey: z.string().min(1),
  phoneNumberId: z.string().regex(/^\d{5,30}$/, 'phone number id is digits'),
  wabaId: z.string().regex(/^\d{5,30}$/, 'WhatsApp Business Account id is digits'),
  displayPhoneNumber: z.string().max(40).default(''),
});
export const whatsappCloudSecretsSchema = z.object({
  accessToken: z.string().min(10).max(1024),
  appSecret: z.string().min(8).max(256),
  verifyToken: z.string().min(8).max(256),
});

export const telegramSettingsSchema = z.object({
  routingKey: z.string().min(1),
  botId: z.number().int(),
  username: z.string(),
});
export const telegramSecretsSchema = z.object({
  botToken: z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'a Telegram bot token looks like 123456:ABC…'),
  /** Sent by Telegram in `X-Telegram-Bot-Api-Secret-Token`; only `A-Z a-z 0-9 _ -`. */
  webhookSecret: z.string().regex(/^[A-Za-z0-9_-]{16,256}$/),
});

export const whatsappBaileysSettingsSchema = z.object({
  /** The paired number (digits), known once paired. */
  routingKey: z.string().default(''),
  phoneNumber: z.string().default(''),
  /** Answer in group chats too (off by default: a business number in a family group must stay quiet). */
  groupsEnabled: z.boolean().default(false),
  /** Pacing: at least this long between two sends of this number, plus up to `jitterMs` at random. */
  minGapMs: z.number().int().min(0).max(60_000).default(1500),
  jitterMs: z.number().int().min(0).max(60_000).default(1000),
});

export type WhatsappCloudSettings = z.infer<typeof whatsappCloudSettingsSchema>;
export type WhatsappCloudSecrets = z.infer<typeof whatsappCloudSecretsSchema>;
export type TelegramSettings = z.infer<typeof telegramSettingsSchema>;
export type TelegramSecrets = z.infer<typeof telegramSecretsSchema>;
export type WhatsappBaileysSettings = z.infer<typeof whatsappBaileysSettingsSchema>;

export function sealSecrets(vault: KeyVault, secrets: Record<string, unknown>): string {
  return vault.encrypt(JSON.stringify(secrets));
}

/** The channel's credentials, decrypted and checked against the type's schema. */
export function openSecrets<T>(vault: KeyVault, channel: Pick<Channel, 'secrets' | '_id'>, schema: z.ZodType<T>): T {
  if (!channel.secrets) throw new Error(`channel ${String(channel._id)} has no credentials`);
  return schema.parse(JSON.parse(vault.decrypt(channel.secrets)));
}

export function readSettings<T>(channel: Pick<Channel, 'settings'>, schema: z.ZodType<T>): T {
  return schema.parse(channel.settings ?? {});
}

/** The last four characters of a secret, for "never shown again in full" displays. */
export function maskSecret(secret: string): string {
  return secret.length <= 4 ? '••••' : `••••${secret.slice(-4)}`;
}

