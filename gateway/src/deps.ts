import type { Client } from '@temporalio/client';
import type { Config, EventFeed, Logger } from '@sapa/shared';
import type { SocketFactory } from '@sapa/channels/whatsapp-baileys/socket-port';

/** What the gateway needs from the outside; tests build it with their own servers. */
export interface GatewayDeps {
  config: Config;
  temporal: Client;
  feed: EventFeed;
  logger: Logger;
  /** The bundled widget script (built once per process). */
  widgetScript: () => Promise<string>;
  /** WhatsApp Web sockets (tests pass testkit's fake); default: real Baileys sockets. */
  baileysSocketFactory?: SocketFactory;
}
