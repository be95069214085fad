/**
 * The small part of a WhatsApp Web socket that a session uses. Baileys' socket has hundreds of
 * methods and changes between versions; the session, the fake in testkit and everything else here
 * only see this interface, so a Baileys upgrade touches `real-socket.ts` alone.
 *
 * Only types come from Baileys here (erased at runtime): the message protos are WhatsApp's own
 * format, and re-declaring them would be a copy that drifts.
 */
import type { AuthenticationCreds, AuthenticationState, WAMessage, WAMessageKey, WAVersion, proto } from '@whiskeysockets/baileys';
import type { Logger } from '@sapa/shared';

export type { AuthenticationCreds, AuthenticationState, WAMessage, WAMessageKey, WAVersion };
export type MessageProto = proto.IMessage;

export interface ConnectionUpdate {
  connection?: 'connecting' | 'open' | 'close';
  /** A fresh pairing QR payload (while not paired); each one replaces the previous. */
  qr?: string;
  /** The pairing just succeeded (WhatsApp restarts the connection next, with 515). */
  isNewLogin?: boolean;
  /** Why the connection closed: WhatsApp's status code (see `policy.ts`) and a readable reason. */
  lastDisconnect?: { statusCode?: number; reason?: string };
}

/** A delivery state of a message: WhatsApp's `WebMessageInfo.Status` (0 error … 5 played). */
export interface MessageStatusUpdate {
  key: WAMessageKey;
  status: number;
}

/** WhatsApp learnt that a LID (`123@lid`) and a phone number JID (`62…@s.whatsapp.net`) are one person. */
export interface LidMapping {
  lid: string;
  pn: string;
}

/** What the session listens to. Every listener may be called at any time after `listen`. */
export interface SocketListeners {
  connection(update: ConnectionUpdate): void;
  /** Changed credentials: already merged into `auth.creds` by the socket, to be saved. */
  creds(update: Partial<AuthenticationCreds>): void;
  /** `notify`: arrived live; `append`: arrived while offline, or a copy of a message sent from this account. */
  messages(upsert: { messages: WAMessage[]; type: 'notify' | 'append' }): void;
  statuses(updates: MessageStatusUpdate[]): void;
  lidMapping(mapping: LidMapping): void;
  /** Anything at all came in from WhatsApp (a frame, a keep-alive answer): the watchdog's heartbeat. */
  activity(): void;
}

/** What a session sends. A subset of Baileys' message content, kept to what Sapa sends. */
export type OutgoingContent =
  | { text: string }
  | { image: Buffer; mimetype: string; caption?: string }
  | { video: Buffer; mimetype: string; caption?: string }
  | { audio: Buffer; mimetype: string; ptt?: boolean }
  | { document: Buffer; mimetype: string; fileName?: string; caption?: string }
  | { sticker: Buffer; mimetype: string }
  | { react: { text: string; key: WAMessageKey } };

export interface SendOptions {
  /**
   * The WhatsApp message id to use. Sapa derives it from its own outbound id, so a retried send
   * reuses it (the recipient's phone drops the duplicate) and echoes are recognised before the
   * send even returns.
   */
  messageId: string;
  /** The customer message this one answers (shown quoted). */
  quoted?: WAMessage;
}

export type PresenceState = 'composing' | 'paused' | 'available' | 'unavailable';

export interface SocketPort {
  /** Subscribe (once, right after the factory returned). */
  listen(listeners: SocketListeners): void;
  sendMessage(jid: string, content: OutgoingContent, options: SendOptions): Promise<{ id: string; message: WAMessage }>;
  readMessages(keys: WAMessageKey[]): Promise<void>;
  sendPresenceUpdate(state: PresenceState, jid: string): Promise<void>;
  /** Pairing by phone number: the 8-character code the owner types into WhatsApp on the phone. */
  requestPairingCode(phoneNumber: string): Promise<string>;
  /** The bytes of an inbound media message; throws `MediaTooLargeError` past `maxBytes`. */
  downloadMedia(message: WAMessage, maxBytes: number): Promise<Buffer>;
  /** Unlink this device from the phone (the owner disconnected the channel). */
  logout(): Promise<void>;
  /** Close the connection without unlinking. */
  end(error?: Error): void;
  /** The paired account once known: `62…:device@s.whatsapp.net` and its LID. */
  readonly user?: { id: string; lid?: string };
}

export interface SocketOptions {
  auth: AuthenticationState;
  /** The WhatsApp Web version to announce; the socket's built-in one when absent. */
  version?: WAVersion;
  /** Messages WhatsApp asks to be sent again (retry receipts), from Sapa's store. */
  getMessage(key: WAMessageKey): Promise<MessageProto | undefined>;
  logger: Logger;
}

export interface SocketFactory {
  (options: SocketOptions): Promise<SocketPort>;
  /**
   * The current WhatsApp Web version, asked for after WhatsApp refused ours as outdated (405).
   * Without it, the session keeps the socket's built-in version and backs off.
   */
  latestVersion?: () => Promise<WAVersion>;
}
