/**
 * WhatsApp Web sessions live in the gateway process: like webhooks, they are where customer
 * messages enter Sapa. The host leases each number in MongoDB, so however many gateways run,
 * exactly one holds a number's socket; inbound messages go through the same pipeline as every
 * other channel.
 */
import { MediaStore } from '@sapa/shared';
import { BaileysHost } from '@sapa/channels/whatsapp-baileys/host';
import type { GatewayDeps } from './deps';
import { ingestInbound } from './inbound/pipeline';
import { targetForChannel } from './inbound/targets';

export function createWhatsappWebHost(deps: GatewayDeps): BaileysHost {
  return new BaileysHost({
    config: deps.config,
    logger: deps.logger.child({ part: 'whatsapp-web' }),
    mediaStore: new MediaStore(deps.config.mediaDir),
    ...(deps.baileysSocketFactory ? { socketFactory: deps.baileysSocketFactory } : {}),
    ingest: async (channel, inbound) => {
      await ingestInbound(deps, await targetForChannel(channel), inbound);
    },
  });
}
