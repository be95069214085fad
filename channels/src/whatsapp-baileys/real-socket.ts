/**
 * The real WhatsApp Web socket: Baileys' `makeWASocket`, seen through `SocketPort`. The only
 * file that knows Baileys' socket, its event names and its error shapes; a Baileys upgrade is
 * fixed here.
 */
import makeWASocket, { downloadMediaMessage, fetchLatestBaileysVersion, type WASocket } from '@whiskeysockets/baileys';
import type { Transform } from 'node:stream';
import { MediaTooLargeError, readLimited } from '@sapa/shared';
import type { SocketFactory, SocketPort, WAVersion } from './socket-port';

export interface RealSocketOptions {
  /** WhatsApp's WebSocket endpoint (Baileys' default when absent); tests point it at a closed local port. */
  waWebSocketUrl?: string;
  /** Asked for the current WhatsApp Web version after a 405 (default: Baileys' published one). */
  fetchVersion?: () => Promise<WAVersion>;
}

/** Baileys closes with a `Boom` error: the status code is in `output.statusCode`. */
function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { output?: { statusCode?: unknown } } | undefined)?.output?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

const toNumber = (value: unknown) =>
  typeof value === 'number' ? value : value && typeof (value as { toNumber?: unknown }).toNumber === 'function' ? (value as { toNumber(): number }).toNumber() : undefined;

function wrap(sock: WASocket): SocketPort {
  return {
    get user() {
      return sock.user ? { id: sock.user.id, ...(sock.user.lid ? { lid: sock.user.lid } : {}) } : undefined;
    },

    listen(listeners) {
      sock.ev.on('connection.update', (update) => {
        const error = update.lastDisconnect?.error;
        listeners.connection({
          ...(update.connection ? { connection: update.connection } : {}),
          ...(update.qr ? { qr: update.qr } : {}),
          ...(update.isNewLogin ? { isNewLogin: true } : {}),
          ...(update.lastDisconnect
            ? { lastDisconnect: { ...(statusCodeOf(error) !== undefined ? { statusCode: statusCodeOf(error) } : {}), ...(error ? { reason: error.message } : {}) } }
            : {}),
        });
      });
      sock.ev.on('creds.update', (update) => listeners.creds(update));
      sock.ev.on('messages.upsert', ({ messages, type }) => {
        if (type === 'notify' || type === 'append') listeners.messages({ messages, type });
      });
      sock.ev.on('messages.update', (updates) => {
        const statuses = updates.filter((u) => typeof u.update.status === 'number').map((u) => ({ key: u.key, status: u.update.status as number }));
        if (statuses.length > 0) listeners.statuses(statuses);
      });
      sock.ev.on('lid-mapping.update', (mapping) => listeners.lidMapping(mapping));
      // Every frame WhatsApp sends (keep-alive answers included) proves the connection alive.
      sock.ws.on('frame', () => listeners.activity());
    },

    async sendMessage(jid, content, options) {
      const sent = await sock.sendMessage(jid, content, { messageId: options.messageId, ...(options.quoted ? { quoted: options.quoted } : {}) });
      if (!sent?.key.id) throw new Error('WhatsApp Web returned no message for the send');
      return { id: sent.key.id, message: sent };
    },

    readMessages: (keys) => sock.readMessages(keys),
    sendPresenceUpdate: (state, jid) => sock.sendPresenceUpdate(state, jid),
    requestPairingCode: (phoneNumber) => sock.requestPairingCode(phoneNumber),

    async downloadMedia(message, maxBytes) {
      const content = message.message;
      const media =
        content?.imageMessage ?? content?.videoMessage ?? content?.audioMessage ?? content?.documentMessage ?? content?.stickerMessage ?? undefined;
      const declared = toNumber(media?.fileLength);
      if (declared !== undefined && declared > maxBytes) throw new MediaTooLargeError(declared, maxBytes);
      const stream = (await downloadMediaMessage(message, 'stream', {}, { reuploadRequest: sock.updateMediaMessage, logger: sock.logger })) as Transform;
      try {
        return await readLimited(stream, maxBytes);
      } finally {
        stream.destroy();
      }
    },

    logout: () => sock.logout(),
    end: (error) => void sock.end(error),
  };
}

export function realSocketFactory(options: RealSocketOptions = {}): SocketFactory {
  const factory: SocketFactory = async ({ auth, version, getMessage, logger }) => {
    const sock = makeWASocket({
      auth,
      getMessage,
      // Baileys logs chattily at info; warnings are what an operator needs.
      logger: logger.child({ module: 'baileys' }, { level: 'warn' }),
      printQRInTerminal: false,
      // Online on connect would silence notifications on the owner's phone.
      markOnlineOnConnect: false,
      syncFullHistory: false,
      ...(version ? { version } : {}),
      ...(options.waWebSocketUrl ? { waWebSocketUrl: options.waWebSocketUrl } : {}),
    });
    return wrap(sock);
  };
  factory.latestVersion = options.fetchVersion ?? (async () => (await fetchLatestBaileysVersion()).version);
  return factory;
}
