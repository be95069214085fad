/**
 * WhatsApp Web messages (Baileys' `WAMessage`, i.e. WhatsApp's `WebMessageInfo` proto) into
 * `NormalizedInbound`. Wrappers (disappearing, view-once, document-with-caption, edits) are opened
 * first; a message type Sapa does not understand arrives as `unsupported` with its type name
 * rather than being dropped. Protocol traffic that is not a message a person wrote (key shares,
 * history-sync notices, deletions) is `skip`ped, as are messages that could not be decrypted.
 */
import { proto } from '@whiskeysockets/baileys';
import type { InboundDetails, InboundKind, InboundMedia, NormalizedInbound } from '../types';
import type { MessageProto, WAMessage } from './socket-port';

export type NormalizeResult =
  | { kind: 'message'; inbound: NormalizedInbound }
  | { kind: 'skip'; reason: 'undecryptable' | 'no_content' | 'protocol' };

/** WhatsApp's counter for "forwarded many times" (the double-arrow label) starts at 5. */
const FREQUENTLY_FORWARDED = 5;

type Numeric = number | { toNumber(): number } | string | null | undefined;
const toNumber = (value: Numeric): number | undefined => {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return value.toNumber();
};
const base64 = (bytes: Uint8Array | string | null | undefined) =>
  bytes ? (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('base64')) : undefined;

/** Open the wrappers WhatsApp puts around a message (each holds a `{ message }`), at most a few deep. */
function unwrap(content: MessageProto): MessageProto {
  let current = content;
  for (let depth = 0; depth < 5; depth++) {
    const inner =
      current.ephemeralMessage ??
      current.viewOnceMessage ??
      current.viewOnceMessageV2 ??
      current.viewOnceMessageV2Extension ??
      current.documentWithCaptionMessage ??
      current.editedMessage;
    if (!inner?.message) return current;
    current = inner.message;
  }
  return current;
}

/** The content field that carries the message (`imageMessage`, `conversation`…); bookkeeping fields do not count. */
function contentType(content: MessageProto): keyof MessageProto | undefined {
  const ignored = new Set(['messageContextInfo', 'senderKeyDistributionMessage', 'fastRatchetKeySenderKeyDistributionMessage']);
  return (Object.keys(content) as Array<keyof MessageProto>).find(
    (key) => !ignored.has(key) && content[key] !== null && content[key] !== undefined && (key === 'conversation' || key.endsWith('Message')),
  );
}

/** Could not be decrypted: Baileys keeps the envelope as a `CIPHERTEXT` stub without content. */
export function isUndecryptable(msg: WAMessage): boolean {
  return msg.messageStubType === proto.WebMessageInfo.StubType.CIPHERTEXT;
}

interface Parts {
  kind: InboundKind;
  text: string;
  media?: InboundMedia;
  details?: InboundDetails;
  contextInfo?: proto.IContextInfo | null;
}

function mediaOf(
  id: string,
  m: { mimetype?: string | null; fileSha256?: Uint8Array | null; fileLength?: Numeric },
  extra: Partial<InboundMedia> = {},
): InboundMedia {
  const size = toNumber(m.fileLength);
  return {
    providerMediaId: id,
    ...(m.mimetype ? { mimeType: m.mimetype } : {}),
    ...(m.fileSha256 ? { sha256: base64(m.fileSha256)! } : {}),
    ...(size !== undefined ? { size } : {}),
    ...extra,
  };
}

/** Names and phone numbers from a vCard (`FN:` and `TEL…:` lines). */
function contactCard(displayName: string | null | undefined, vcard: string | null | undefined) {
  const lines = (vcard ?? '').split(/\r?\n/);
  const name = displayName || lines.find((l) => l.startsWith('FN:'))?.slice(3).trim() || '';
  const phones = lines
    .filter((l) => /^(item\d+\.)?TEL/i.test(l))
    .map((l) => l.slice(l.lastIndexOf(':') + 1).trim())
    .filter(Boolean);
  return { name, phones };
}

function locationText(l: { name?: string; address?: string; latitude: number; longitude: number }) {
  const place = [l.name, l.address].filter(Boolean).join(', ');
  return `📍 ${place || `${l.latitude}, ${l.longitude}`}`;
}

/** The parts of one (unwrapped) content, or null for protocol traffic. */
function partsOf(id: string, content: MessageProto, type: keyof MessageProto): Parts | null {
  switch (type) {
    case 'conversation':
      return { kind: 'text', text: content.conversation ?? '' };
    case 'extendedTextMessage': {
      const m = content.extendedTextMessage!;
      return { kind: 'text', text: m.text ?? '', contextInfo: m.contextInfo };
    }
    case 'imageMessage': {
      const m = content.imageMessage!;
      return { kind: 'image', text: m.caption ?? '', media: mediaOf(id, m), contextInfo: m.contextInfo };
    }
    case 'videoMessage': {
      const m = content.videoMessage!;
      return { kind: 'video', text: m.caption ?? '', media: mediaOf(id, m, m.gifPlayback ? { animated: true } : {}), contextInfo: m.contextInfo };
    }
    case 'audioMessage': {
      const m = content.audioMessage!;
      // `ptt` ("push to talk"): a voice note recorded in the chat, not a music file.
      return m.ptt
        ? { kind: 'voice', text: '', media: mediaOf(id, m, { voice: true }), contextInfo: m.contextInfo }
        : { kind: 'audio', text: '', media: mediaOf(id, m), contextInfo: m.contextInfo };
    }
    case 'documentMessage': {
      const m = content.documentMessage!;
      const fileName = m.fileName ?? m.title ?? undefined;
      return { kind: 'document', text: m.caption ?? '', media: mediaOf(id, m, fileName ? { fileName } : {}), contextInfo: m.contextInfo };
    }
    case 'stickerMessage': {
      const m = content.stickerMessage!;
      return { kind: 'sticker', text: '', media: mediaOf(id, m, m.isAnimated ? { animated: true } : {}), contextInfo: m.contextInfo };
    }
    case 'locationMessage':
    case 'liveLocationMessage': {
      const m = (content.locationMessage ?? content.liveLocationMessage)!;
      const named = content.locationMessage ?? {};
      const location = {
        latitude: m.degreesLatitude ?? 0,
        longitude: m.degreesLongitude ?? 0,
        ...(named.name ? { name: named.name } : {}),
        ...(named.address ? { address: named.address } : {}),
        ...(named.url ? { url: named.url } : {}),
      };
      const caption = content.liveLocationMessage?.caption;
      return { kind: 'location', text: caption || locationText(location), details: { location }, contextInfo: m.contextInfo };
    }
    case 'contactMessage': {
      const m = content.contactMessage!;
      const card = contactCard(m.displayName, m.vcard);
      return { kind: 'contacts', text: `👤 ${card.name}`, details: { contacts: [card] }, contextInfo: m.contextInfo };
    }
    case 'contactsArrayMessage': {
      const m = content.contactsArrayMessage!;
      const cards = (m.contacts ?? []).map((c) => contactCard(c.displayName, c.vcard));
      return { kind: 'contacts', text: `👤 ${cards.map((c) => c.name).join(', ')}`, details: { contacts: cards }, contextInfo: m.contextInfo };
    }
    case 'buttonsResponseMessage': {
      const m = content.buttonsResponseMessage!;
      const title = m.selectedDisplayText ?? '';
      return { kind: 'interactive', text: title, details: { interactive: { id: m.selectedButtonId ?? '', title, source: 'button' } }, contextInfo: m.contextInfo };
    }
    case 'listResponseMessage': {
      const m = content.listResponseMessage!;
      const title = m.title ?? '';
      const interactive = {
        id: m.singleSelectReply?.selectedRowId ?? '',
        title,
        ...(m.description ? { description: m.description } : {}),
        source: 'list' as const,
      };
      return { kind: 'interactive', text: title, details: { interactive }, contextInfo: m.contextInfo };
    }
    case 'templateButtonReplyMessage': {
      const m = content.templateButtonReplyMessage!;
      const title = m.selectedDisplayText ?? '';
      return { kind: 'interactive', text: title, details: { interactive: { id: m.selectedId ?? '', title, source: 'template_button' } }, contextInfo: m.contextInfo };
    }
    case 'interactiveResponseMessage': {
      const m = content.interactiveResponseMessage!;
      const title = m.body?.text ?? '';
      const id = m.nativeFlowResponseMessage?.paramsJson ?? m.nativeFlowResponseMessage?.name ?? '';
      return { kind: 'interactive', text: title, details: { interactive: { id, title, source: 'flow' } }, contextInfo: m.contextInfo };
    }
    case 'reactionMessage': {
      const m = content.reactionMessage!;
      const emoji = m.text ?? '';
      return { kind: 'reaction', text: emoji, details: { reaction: { targetChannelMessageId: m.key?.id ?? '', emoji } } };
    }
    case 'protocolMessage': {
      // Edits arrive as a protocol message naming the edited one; the rest (deletions, key
      // shares, history-sync notices, disappearing-mode changes) is bookkeeping, not a message.
      const m = content.protocolMessage!;
      if (m.type !== proto.Message.ProtocolMessage.Type.MESSAGE_EDIT || !m.editedMessage) return null;
      const edited = unwrap(m.editedMessage);
      const editedType = contentType(edited);
      const parts = editedType ? partsOf(id, edited, editedType) : null;
      if (!parts) return null;
      return { ...parts, details: { ...parts.details, ...(m.key?.id ? { editOf: m.key.id } : {}) } };
    }
    default:
      return { kind: 'unsupported', text: '', details: { unsupported: { type: String(type), reason: String(type) } } };
  }
}

/** What `contextInfo` says about every kind of message: the quoted one, forwarding, the ad it came from. */
function contextDetails(info: proto.IContextInfo | null | undefined): { replyTo?: string; details: InboundDetails } {
  if (!info) return { details: {} };
  const details: InboundDetails = {};
  const score = info.forwardingScore ?? 0;
  if (info.isForwarded || score > 0) details.forwarded = score >= FREQUENTLY_FORWARDED ? 'frequently_forwarded' : 'forwarded';
  const ad = info.externalAdReply;
  if (ad && (ad.sourceId || ad.sourceUrl)) {
    details.referral = {
      ...(ad.sourceUrl ? { sourceUrl: ad.sourceUrl } : {}),
      ...(ad.sourceId ? { sourceId: ad.sourceId } : {}),
      ...(ad.sourceType ? { sourceType: ad.sourceType } : {}),
      ...(ad.title ? { headline: ad.title } : {}),
      ...(ad.body ? { body: ad.body } : {}),
    };
  }
  return { ...(info.stanzaId ? { replyTo: info.stanzaId } : {}), details };
}

/**
 * Normalize one message. `externalContactId` (who the conversation is with) and `fromBusiness`
 * (typed on the business's own phone) are decided by the session, which knows the identities.
 */
export function normalizeMessage(msg: WAMessage, who: { externalContactId: string; fromBusiness: boolean }): NormalizeResult {
  if (isUndecryptable(msg)) return { kind: 'skip', reason: 'undecryptable' };
  if (!msg.message || !msg.key.id) return { kind: 'skip', reason: 'no_content' };
  const content = unwrap(msg.message);
  const type = contentType(content);
  if (!type) return { kind: 'skip', reason: 'no_content' };
  const parts = partsOf(msg.key.id, content, type);
  if (!parts) return { kind: 'skip', reason: 'protocol' };

  const context = contextDetails(parts.contextInfo);
  const details = { ...context.details, ...parts.details };
  const sentAtSeconds = toNumber(msg.messageTimestamp as Numeric);
  const inbound: NormalizedInbound = {
    channelMessageId: msg.key.id,
    externalContactId: who.externalContactId,
    kind: parts.kind,
    text: parts.text,
    ...(parts.media ? { media: parts.media } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
    ...(context.replyTo ? { replyTo: context.replyTo } : {}),
    ...(sentAtSeconds ? { sentAt: new Date(sentAtSeconds * 1000) } : {}),
    // The push name on a message the business typed is the business's own.
    ...(!who.fromBusiness && msg.pushName ? { contactName: msg.pushName } : {}),
    ...(who.fromBusiness ? { fromBusiness: true } : {}),
  };
  return { kind: 'message', inbound };
}
