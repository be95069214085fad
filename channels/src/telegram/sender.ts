/**
 * Sending through the Telegram Bot API (worker side): performs the calls `planTelegramSend` lists,
 * waits out flood control within a bounded budget, and turns Telegram's errors into
 * `ChannelSendError`s by meaning. Also downloads the files customers send.
 */
import { TelegramError } from 'telegraf';
import {
  MediaStore,
  MediaTooLargeError,
  openSecrets,
  readLimited,
  telegramSecretsSchema,
  type Channel,
  type KeyVault,
} from '@sapa/shared';
import type { ChannelRuntime } from '../index';
import { ChannelSendError, type ChannelSender, type MediaFetcher, type OutboundMessage } from '../types';
import { telegramFor } from './client';
import { planTelegramSend, type StepExtra, type TelegramStep } from './outbound';

/** Bot API upload limits: photos up to 10 MB (bigger ones go as a file), other files up to 50 MB. */
const PHOTO_UPLOAD_LIMIT = 10 * 1024 * 1024;
const FILE_UPLOAD_LIMIT = 50 * 1024 * 1024;
/** Bots can download files up to 20 MB; `getFile` refuses bigger ones. */
const DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const PHOTO_MIME_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);
/** Used when a 429 comes without `retry_after` (it normally has one). */
const DEFAULT_RETRY_AFTER_MS = 1000;
const DOWNLOAD_TIMEOUT_MS = 60_000;
/** How many half-sent multi-part messages we remember (see `progress` below). */
const PROGRESS_MEMORY = 1000;

type Telegram = ReturnType<typeof telegramFor>;

function botTokenOf(vault: KeyVault, channel: Channel): string {
  try {
    return openSecrets(vault, channel, telegramSecretsSchema).botToken;
  } catch (err) {
    throw new ChannelSendError('auth', `the Telegram bot token of channel ${String(channel._id)} cannot be read: ${(err as Error).message}`, {
      code: 'credentials',
    });
  }
}

/** Telegram takes numeric chat ids as numbers and `@channel` names as strings. */
function chatIdOf(externalId: string): number | string {
  return /^-?\d+$/.test(externalId) ? Number(externalId) : externalId;
}

/** A Telegram or network failure, by meaning. Anything else (a bug of ours) is returned unchanged. */
export function classifyTelegramError(err: unknown): Error {
  if (err instanceof ChannelSendError) return err;
  if (err instanceof TelegramError) {
    const { code, description } = err;
    const reason = `Telegram ${code}: ${description}`;
    if (code === 429) {
      const retryAfter = err.parameters?.retry_after;
      return new ChannelSendError('rate_limited', reason, {
        code: 'rate_limited',
        retryAfterMs: retryAfter !== undefined ? retryAfter * 1000 : DEFAULT_RETRY_AFTER_MS,
      });
    }
    if (code === 401) return new ChannelSendError('auth', reason, { code: 'unauthorized' });
    // Blocked by the user, never started the bot, deactivated account, kicked: sending again won't help.
    if (code === 403) return new ChannelSendError('permanent', reason, { code: 'blocked' });
    if (code >= 500) return new ChannelSendError('transient', reason, { code: 'server_error' });
    if (code === 400 && /chat not found/i.test(description)) return new ChannelSendError('permanent', reason, { code: 'chat_not_found' });
    return new ChannelSendError('permanent', reason, { code: code === 400 ? 'bad_request' : String(code) });
  }
  // node-fetch (inside telegraf) reports refused connections, resets, timeouts and non-JSON bodies as FetchError.
  if (err instanceof Error && (err.name === 'FetchError' || err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return new ChannelSendError('transient', `Telegram unreachable: ${err.message}`, { code: 'network' });
  }
  return err instanceof Error ? err : new Error(String(err));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run one call; on flood control wait the `retry_after` Telegram asks for and repeat the same call,
 * as long as the total wait stays within `maxWaitMs`. Past that the rate_limited error goes up, so
 * the caller retries later instead of holding a worker slot.
 */
export async function withFloodControl<T>(call: () => Promise<T>, maxWaitMs: number): Promise<T> {
  let waited = 0;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const error = classifyTelegramError(err);
      if (!(error instanceof ChannelSendError) || error.kind !== 'rate_limited') throw error;
      const wait = error.details.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
      if (waited + wait > maxWaitMs) throw error;
      await sleep(wait);
      waited += wait;
    }
  }
}

export function createTelegramSender({ config, vault, logger }: ChannelRuntime): ChannelSender {
  const media = new MediaStore(config.mediaDir);
  /**
   * Telegram has no idempotency key. When part 3 of a long answer fails after parts 1–2 went out,
   * the retry of the same message must not send 1–2 again: remember how far each message got
   * (in this process; enough for the worker's retries, which run here).
   */
  const progress = new Map<string, { done: number; firstId?: string }>();

  async function readMedia(storageKey: string): Promise<Buffer> {
    try {
      return await media.read(storageKey);
    } catch (err) {
      throw new ChannelSendError('permanent', `the file to send is missing from the media store: ${(err as Error).message}`, { code: 'media_missing' });
    }
  }

  async function perform(telegram: Telegram, chatId: number | string, step: TelegramStep): Promise<number | undefined> {
    switch (step.kind) {
      case 'text':
        return (await telegram.sendMessage(chatId, step.text, step.extra)).message_id;
      case 'reaction': {
        const reaction = step.emoji ? [{ type: 'emoji' as const, emoji: step.emoji as never }] : [];
        await telegram.setMessageReaction(chatId, step.messageId, reaction);
        return undefined;
      }
      case 'photo':
      case 'document':
        return sendFile(telegram, chatId, step, await readMedia(step.storageKey));
    }
  }

  async function sendFile(
    telegram: Telegram,
    chatId: number | string,
    step: { kind: 'photo' | 'document'; fileName: string; mimeType: string; caption?: string; extra: StepExtra },
    bytes: Buffer,
  ): Promise<number> {
    if (bytes.length > FILE_UPLOAD_LIMIT) {
      throw new ChannelSendError('permanent', `the file is ${bytes.length} bytes; Telegram bots can upload up to 50 MB`, { code: 'media_too_large' });
    }
    const extra = { ...step.extra, ...(step.caption ? { caption: step.caption } : {}) };
    const file = { source: bytes, filename: step.fileName };
    // A photo Telegram would refuse (too big, GIF, HEIC…) still arrives as a file.
    if (step.kind === 'photo' && bytes.length <= PHOTO_UPLOAD_LIMIT && PHOTO_MIME_TYPES.has(step.mimeType)) {
      return (await telegram.sendPhoto(chatId, file, extra)).message_id;
    }
    return (await telegram.sendDocument(chatId, file, extra)).message_id;
  }

  function remember(messageId: string, state: { done: number; firstId?: string }) {
    progress.delete(messageId);
    progress.set(messageId, state);
    if (progress.size > PROGRESS_MEMORY) progress.delete(progress.keys().next().value!);
  }

  return {
    async send(channel: Channel, message: OutboundMessage) {
      const steps = planTelegramSend(message);
      if (steps.length === 0) {
        const reason = message.template ? 'templates are a WhatsApp feature; Telegram needs a text' : 'nothing Telegram can show';
        throw new ChannelSendError('permanent', `cannot send to Telegram: ${reason}`, { code: 'nothing_to_send' });
      }
      const telegram = telegramFor(config, botTokenOf(vault, channel));
      const chatId = chatIdOf(message.contactExternalId);
      const state = progress.get(message.messageId) ?? { done: 0 };
      for (let i = state.done; i < steps.length; i++) {
        const step = steps[i]!;
        try {
          const sentId = await withFloodControl(() => perform(telegram, chatId, step), config.CHANNEL_RATE_LIMIT_MAX_WAIT_MS);
          if (sentId !== undefined) state.firstId ??= `${message.contactExternalId}:${sentId}`;
          state.done = i + 1;
        } catch (err) {
          if (state.done > 0) remember(message.messageId, state);
          throw classifyTelegramError(err);
        }
      }
      progress.delete(message.messageId);
      return { status: 'sent', ...(state.firstId ? { providerMessageId: state.firstId } : {}) };
    },

    async acknowledge(channel, target) {
      try {
        const telegram = telegramFor(config, botTokenOf(vault, channel));
        await telegram.sendChatAction(chatIdOf(target.contactExternalId), 'typing');
      } catch (err) {
        logger.debug({ err, channelId: String(channel._id) }, 'telegram typing indicator failed');
      }
    },
  };
}

/** Where `getFile` says a file is, and the file's bytes, with a size limit. */
export function createTelegramMediaFetcher({ config, vault }: ChannelRuntime): MediaFetcher {
  return {
    async fetch(channel, media, maxBytes) {
      if (media.size !== undefined && media.size > maxBytes) throw new MediaTooLargeError(media.size, maxBytes);
      const telegram = telegramFor(config, botTokenOf(vault, channel));
      const file = await getFile(telegram, media.providerMediaId, media.size);
      if (file.file_size !== undefined && file.file_size > maxBytes) throw new MediaTooLargeError(file.file_size, maxBytes);
      if (!file.file_path) throw new ChannelSendError('transient', 'Telegram returned no file_path for the file', { code: 'no_file_path' });
      const url = await telegram.getFileLink(file);
      // A local Bot API server answers with absolute paths on its own disk; we only speak HTTP.
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new ChannelSendError('permanent', 'the Bot API server returned a local file path; use the HTTP Bot API', { code: 'local_file_path' });
      }
      const bytes = await download(url, maxBytes);
      return {
        bytes,
        mimeType: media.mimeType ?? mimeFromPath(file.file_path),
        ...(media.fileName ? { fileName: media.fileName } : {}),
      };
    },
  };
}

async function getFile(telegram: Telegram, fileId: string, knownSize: number | undefined) {
  try {
    return await telegram.getFile(fileId);
  } catch (err) {
    if (err instanceof TelegramError && err.code === 400 && /too big/i.test(err.description)) {
      throw new MediaTooLargeError(knownSize ?? DOWNLOAD_LIMIT + 1, DOWNLOAD_LIMIT);
    }
    throw classifyTelegramError(err);
  }
}

async function download(url: URL, maxBytes: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (err) {
    throw new ChannelSendError('transient', `Telegram file download failed: ${(err as Error).message}`, { code: 'network' });
  }
  if (!response.ok) {
    await response.body?.cancel();
    const kind = response.status >= 500 ? 'transient' : 'permanent';
    throw new ChannelSendError(kind, `Telegram file download failed: HTTP ${response.status}`, { code: `download_${response.status}` });
  }
  const declared = Number(response.headers.get('content-length'));
  try {
    return await readLimited(response.body as AsyncIterable<Uint8Array> | null, maxBytes, Number.isFinite(declared) && declared > 0 ? declared : undefined);
  } catch (err) {
    await response.body?.cancel().catch(() => undefined);
    throw err;
  }
}

/** Telegram's file server sends no useful content type; the path's extension tells. */
const EXTENSION_MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  oga: 'audio/ogg',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  webm: 'video/webm',
  pdf: 'application/pdf',
  tgs: 'application/x-tgsticker',
};

export function mimeFromPath(filePath: string): string {
  const extension = filePath.split('.').pop()?.toLowerCase() ?? '';
  return EXTENSION_MIME[extension] ?? 'application/octet-stream';
}
