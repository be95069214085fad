/**
 * The one place a telegraf `Telegram` client is made. Everything that talks to the Bot API (the
 * sender, the media fetcher, connecting a bot) goes through `telegramFor`, so the API root (tests
 * point it at testkit's fake) and the options below apply everywhere.
 */
import { Telegram } from 'telegraf';
import type { Config } from '@sapa/shared';

const clients = new Map<string, Telegram>();

/**
 * telegraf builds request URLs with `new URL('./bot<token>/<method>', apiRoot)`: a root with a path
 * prefix (`http://proxy/telegram`) loses its last segment unless it ends with a slash.
 */
export function normalizeApiRoot(apiRoot: string): string {
  return apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`;
}

/** A Bot API client for one bot. Clients are kept per API root and token (they hold no state we change). */
export function telegramFor(config: Pick<Config, 'TELEGRAM_API_ROOT'>, botToken: string): Telegram {
  const apiRoot = normalizeApiRoot(config.TELEGRAM_API_ROOT);
  const key = `${apiRoot}\n${botToken}`;
  let client = clients.get(key);
  if (!client) {
    // webhookReply off: we never answer inside the webhook response, so every call really happens
    // and reports its result (telegraf would otherwise fake success for some methods).
    client = new Telegram(botToken, { apiRoot, webhookReply: false });
    clients.set(key, client);
  }
  return client;
}
