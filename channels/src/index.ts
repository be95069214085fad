/**
 * The channel registry: for each channel type, how to send (worker) and how to fetch inbound media.
 * Adapters get the runtime they need (config, key vault, logger) once; callers look them up by type.
 */
import type { ChannelType, Config, KeyVault, Logger } from '@sapa/shared';
import type { ChannelSender, MediaFetcher } from './types';
import { webSender } from './web/sender';
import { createWhatsappCloudMediaFetcher, createWhatsappCloudSender } from './whatsapp-cloud/sender';
import { createTelegramMediaFetcher, createTelegramSender } from './telegram/sender';
import { createBaileysSender } from './whatsapp-baileys/sender';

export * from './types';

export interface ChannelRuntime {
  config: Config;
  vault: KeyVault;
  logger: Logger;
}

export interface ChannelRegistry {
  senderFor(type: ChannelType): ChannelSender;
  /** Undefined when the channel's media arrives already stored (web, WhatsApp Web). */
  mediaFetcherFor(type: ChannelType): MediaFetcher | undefined;
}

export function createChannelRegistry(runtime: ChannelRuntime): ChannelRegistry {
  const senders: Record<ChannelType, ChannelSender> = {
    web: webSender,
    whatsapp_cloud: createWhatsappCloudSender(runtime),
    telegram: createTelegramSender(runtime),
    whatsapp_baileys: createBaileysSender(runtime),
  };
  const fetchers: Partial<Record<ChannelType, MediaFetcher>> = {
    whatsapp_cloud: createWhatsappCloudMediaFetcher(runtime),
    telegram: createTelegramMediaFetcher(runtime),
  };
  return {
    senderFor: (type) => senders[type],
    mediaFetcherFor: (type) => fetchers[type],
  };
}
