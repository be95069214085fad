/**
 * Connecting a Telegram bot to Sapa (dashboard side) and the small calls the gateway makes around
 * the webhook. Connecting checks the token with `getMe`, then points the bot's webhook at our
 * gateway with a secret Telegram echoes in every delivery.
 */
import { TelegramError } from 'telegraf';
import { telegramSecretsSchema, type Config } from '@sapa/shared';
import { telegramFor } from './client';

/** The update types the hub handles (see update.ts); Telegram keeps the others to itself. */
export const TELEGRAM_ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

export type TelegramConnectFailure = 'invalid_token' | 'webhook_rejected' | 'unreachable';

/** Why a bot could not be connected, with a message to show the person connecting it. */
export class TelegramConnectError extends Error {
  override name = 'TelegramConnectError';
  constructor(
    readonly reason: TelegramConnectFailure,
    message: string,
  ) {
    super(message);
  }
}

type ApiConfig = Pick<Config, 'TELEGRAM_API_ROOT'>;

export async function connectTelegramBot(
  config: ApiConfig,
  options: { botToken: string; webhookUrl: string; webhookSecret: string },
): Promise<{ botId: number; username: string }> {
  const botToken = options.botToken.trim();
  if (!telegramSecretsSchema.shape.botToken.safeParse(botToken).success) {
    throw new TelegramConnectError('invalid_token', 'This is not a Telegram bot token. It looks like 123456789:AAH…; copy it from @BotFather.');
  }
  const telegram = telegramFor(config, botToken);

  let me;
  try {
    me = await telegram.getMe();
  } catch (err) {
    // 401 for a revoked or mistyped token; 404 when the token is malformed beyond our shape check.
    if (err instanceof TelegramError && (err.code === 401 || err.code === 404)) {
      throw new TelegramConnectError('invalid_token', 'Telegram did not accept this bot token. Copy it again from @BotFather (or /revoke and use the new one).');
    }
    throw new TelegramConnectError('unreachable', `Telegram could not be reached to check the token: ${describe(err)}`);
  }
  if (!me.username) throw new TelegramConnectError('invalid_token', 'This token does not belong to a bot.');

  try {
    await telegram.setWebhook(options.webhookUrl, {
      secret_token: options.webhookSecret,
      allowed_updates: [...TELEGRAM_ALLOWED_UPDATES],
      // Messages customers sent before the bot was connected are still answered.
      drop_pending_updates: false,
    });
  } catch (err) {
    if (err instanceof TelegramError && err.code < 500) {
      throw new TelegramConnectError('webhook_rejected', `Telegram refused the webhook address ${options.webhookUrl}: ${err.description}`);
    }
    throw new TelegramConnectError('unreachable', `Telegram could not be reached to set the webhook: ${describe(err)}`);
  }
  return { botId: me.id, username: me.username };
}

/** Stop Telegram from delivering to us. A token that no longer works has nothing left to undo. */
export async function disconnectTelegramBot(config: ApiConfig, botToken: string): Promise<void> {
  try {
    await telegramFor(config, botToken).deleteWebhook({ drop_pending_updates: false });
  } catch (err) {
    if (err instanceof TelegramError && err.code === 401) return;
    throw new TelegramConnectError('unreachable', `Telegram could not be reached to remove the webhook: ${describe(err)}`);
  }
}

/**
 * Stop the button's loading spinner in the customer's app. Best effort: a late or repeated answer
 * fails harmlessly ("query is too old"), so this never throws; it says whether it worked.
 */
export async function answerCallback(config: ApiConfig, botToken: string, callbackQueryId: string): Promise<boolean> {
  try {
    return await telegramFor(config, botToken).answerCbQuery(callbackQueryId);
  } catch {
    return false;
  }
}

function describe(err: unknown): string {
  if (err instanceof TelegramError) return `${err.code} ${err.description}`;
  return err instanceof Error ? err.message : String(err);
}
