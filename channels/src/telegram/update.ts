/**
 * Telegram webhook updates → what the inbound pipeline understands. One update carries at most one
 * event: a customer message (new or edited), an inline-keyboard press, or the customer blocking or
 * unblocking the bot. Only private chats are handled; groups and channels are out of scope and are
 * acknowledged and ignored. Content we cannot represent (dice, polls, service messages…) becomes an
 * `unsupported` message so the inbox shows that something arrived.
 *
 * The schemas name only the fields we read and accept the rest as it comes: Telegram adds fields
 * often, and old or hand-written payloads miss some (`is_bot`, `chat_instance`).
 */
import { z } from 'zod';
import type { Locale } from '@sapa/shared';
import type { InboundDetails, InboundKind, InboundMedia, NormalizedInbound } from '../types';

export type TelegramUpdateResult =
  | { kind: 'message'; updateId: number; inbound: NormalizedInbound }
  | { kind: 'callback'; updateId: number; inbound: NormalizedInbound; callbackQueryId: string }
  | { kind: 'membership'; updateId: number; chatId: string; blocked: boolean; name?: string }
  | { kind: 'ignored'; updateId: number; reason: string };

/** The body is not a Telegram update at all (no numeric `update_id`). */
export class InvalidTelegramUpdateError extends Error {
  override name = 'InvalidTelegramUpdateError';
}

const id = z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]);
const text = z.string().optional();

const userSchema = z.object({
  id,
  is_bot: z.unknown().optional(),
  first_name: text,
  last_name: text,
  username: text,
  language_code: text,
});

// Real updates always carry `chat.type`; hand-written samples (Telegram's own webhook guide) omit
// it, so it is inferred from the id: users have positive ids, groups and channels negative ones.
const chatSchema = z.object({
  id,
  type: z.string().optional(),
  title: text,
  username: text,
  first_name: text,
  last_name: text,
}).transform((chat) => ({ ...chat, type: chat.type ?? (chat.id > 0 ? 'private' : 'group') }));

const fileSchema = z.object({
  file_id: z.string().min(1),
  file_name: text,
  mime_type: text,
  file_size: z.number().optional(),
});

const photoSizeSchema = z.object({
  file_id: z.string().min(1),
  width: z.number().optional(),
  height: z.number().optional(),
  file_size: z.number().optional(),
});

const locationSchema = z.object({ latitude: z.number(), longitude: z.number() });

const inlineKeyboardSchema = z.object({
  inline_keyboard: z.array(z.array(z.object({ text: z.string(), callback_data: text }))).optional(),
});

/** The fields of a Message we read; `reply_to_message` is one level deep (Telegram never nests it further). */
const messageFields = {
  message_id: z.number().int(),
  date: z.number(),
  edit_date: z.number().optional(),
  chat: chatSchema,
  from: userSchema.optional(),
  text,
  caption: text,
  photo: z.array(photoSizeSchema).optional(),
  document: fileSchema.optional(),
  audio: fileSchema.extend({ title: text, performer: text }).optional(),
  voice: fileSchema.optional(),
  video: fileSchema.optional(),
  video_note: fileSchema.optional(),
  animation: fileSchema.optional(),
  sticker: fileSchema.extend({ emoji: text, is_animated: z.unknown().optional(), is_video: z.unknown().optional() }).optional(),
  location: locationSchema.optional(),
  venue: z.object({ location: locationSchema, title: text, address: text }).optional(),
  contact: z.object({ phone_number: z.string(), first_name: text, last_name: text, user_id: z.number().optional() }).optional(),
  forward_origin: z.object({ type: z.string() }).optional(),
  forward_from: z.unknown().optional(),
  forward_from_chat: z.unknown().optional(),
  forward_sender_name: z.unknown().optional(),
  forward_date: z.unknown().optional(),
  reply_markup: inlineKeyboardSchema.optional(),
};
const messageSchema = z.object({
  ...messageFields,
  reply_to_message: z.object({ message_id: z.number().int() }).optional(),
});
type TelegramMessage = z.infer<typeof messageSchema>;

const callbackQuerySchema = z.object({
  id: z.union([z.string(), z.number().transform(String)]),
  from: userSchema,
  // A too-old bot message arrives as an InaccessibleMessage `{chat, message_id, date: 0}`.
  message: z.object({ message_id: z.number().int(), chat: chatSchema, reply_markup: inlineKeyboardSchema.optional() }).optional(),
  chat_instance: text,
  data: text,
  game_short_name: text,
});

const chatMemberUpdatedSchema = z.object({
  chat: chatSchema,
  from: userSchema.optional(),
  date: z.number().optional(),
  new_chat_member: z.object({ status: z.string() }),
});

const updateSchema = z.object({ update_id: z.number().int() });

/** Content we know about but cannot represent; service messages are listed separately below. */
const UNSUPPORTED_CONTENT = ['dice', 'poll', 'story', 'game', 'invoice', 'paid_media', 'giveaway', 'giveaway_winners', 'checklist'];
/** Fields that make a message a service message (something happened; nobody wrote anything). */
const SERVICE_FIELDS = [
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'message_auto_delete_timer_changed',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
  'pinned_message',
  'successful_payment',
  'refunded_payment',
  'users_shared',
  'chat_shared',
  'connected_website',
  'write_access_allowed',
  'passport_data',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_completed',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
  'web_app_data',
];

/** Update types we act on; everything else (reactions, inline queries, payments…) is acknowledged and ignored. */
const HANDLED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

/** Text shown before an edited message, so agents and the bot see it replaces an earlier one. */
export const EDIT_PREFIX = '✏️ ';

/**
 * Turn a webhook body into one result. Throws `InvalidTelegramUpdateError` only when the body is
 * not an update at all; anything else Telegram might send parses to some result, so the webhook
 * can always answer 200 (Telegram would otherwise redeliver it for a day).
 */
export function parseTelegramUpdate(body: unknown): TelegramUpdateResult {
  const envelope = updateSchema.safeParse(body);
  if (!envelope.success) throw new InvalidTelegramUpdateError('not a Telegram update: update_id is missing');
  const updateId = envelope.data.update_id;
  const raw = body as Record<string, unknown>;
  const type = HANDLED_UPDATES.find((t) => raw[t] !== undefined && raw[t] !== null);
  if (!type) {
    const other = Object.keys(raw).find((k) => k !== 'update_id') ?? 'empty';
    return { kind: 'ignored', updateId, reason: `${other} updates are not handled` };
  }

  switch (type) {
    case 'message':
    case 'edited_message': {
      const parsed = messageSchema.safeParse(raw[type]);
      if (!parsed.success) return { kind: 'ignored', updateId, reason: `malformed ${type}: ${describeIssue(parsed.error)}` };
      const message = parsed.data;
      if (message.chat.type !== 'private') return { kind: 'ignored', updateId, reason: groupsOutOfScope(message.chat.type) };
      return { kind: 'message', updateId, inbound: normalizeMessage(message, raw[type] as Record<string, unknown>, type === 'edited_message') };
    }
    case 'callback_query': {
      const parsed = callbackQuerySchema.safeParse(raw.callback_query);
      if (!parsed.success) return { kind: 'ignored', updateId, reason: `malformed callback_query: ${describeIssue(parsed.error)}` };
      const query = parsed.data;
      if (query.message && query.message.chat.type !== 'private') {
        return { kind: 'ignored', updateId, reason: groupsOutOfScope(query.message.chat.type) };
      }
      return { kind: 'callback', updateId, inbound: normalizeCallback(query), callbackQueryId: query.id };
    }
    case 'my_chat_member': {
      const parsed = chatMemberUpdatedSchema.safeParse(raw.my_chat_member);
      if (!parsed.success) return { kind: 'ignored', updateId, reason: `malformed my_chat_member: ${describeIssue(parsed.error)}` };
      const { chat, new_chat_member: member } = parsed.data;
      if (chat.type !== 'private') return { kind: 'ignored', updateId, reason: groupsOutOfScope(chat.type) };
      // In a private chat the bot's own status says whether the customer blocked it (`kicked`) or
      // restarted it (`member`).
      if (member.status !== 'kicked' && member.status !== 'member') {
        return { kind: 'ignored', updateId, reason: `bot status ${member.status} in a private chat` };
      }
      return { kind: 'membership', updateId, chatId: String(chat.id), blocked: member.status === 'kicked', name: displayName(chat) };
    }
  }
}

function groupsOutOfScope(chatType: string): string {
  return `${chatType} chats are out of scope: only private chats with the bot are handled`;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

export function telegramMessageId(chatId: number | string, messageId: number): string {
  return `${chatId}:${messageId}`;
}

function normalizeMessage(message: TelegramMessage, raw: Record<string, unknown>, edited: boolean): NormalizedInbound {
  const chatId = String(message.chat.id);
  const content = readContent(message, raw);
  const details: InboundDetails = { ...content.details };
  if (message.forward_origin || message.forward_from || message.forward_from_chat || message.forward_sender_name || message.forward_date) {
    details.forwarded = 'forwarded';
  }
  let channelMessageId = telegramMessageId(chatId, message.message_id);
  let text = content.text;
  let sentAt = new Date(message.date * 1000);
  if (edited) {
    // Each edit is its own message (with its own id, so redeliveries still dedupe) pointing at the original.
    const editDate = message.edit_date ?? message.date;
    details.editOf = channelMessageId;
    channelMessageId = `${channelMessageId}:e${editDate}`;
    text = `${EDIT_PREFIX}${text}`;
    sentAt = new Date(editDate * 1000);
  }
  const user = message.from ?? message.chat;
  return compact({
    channelMessageId,
    externalContactId: chatId,
    contactName: displayName(user),
    kind: content.kind,
    text,
    media: content.media,
    details: Object.keys(details).length > 0 ? details : undefined,
    replyTo: message.reply_to_message ? telegramMessageId(chatId, message.reply_to_message.message_id) : undefined,
    sentAt,
    locale: localeOf(message.from?.language_code),
  });
}

interface Content {
  kind: InboundKind;
  text: string;
  media?: InboundMedia;
  details?: InboundDetails;
}

type FileLike = z.infer<typeof fileSchema>;

function mediaOf(file: FileLike, extra: Partial<InboundMedia> = {}): InboundMedia {
  return compact({
    providerMediaId: file.file_id,
    mimeType: file.mime_type,
    fileName: file.file_name,
    size: file.file_size,
    ...extra,
  });
}

/** What the message carries, checked in an order that matters (see the comments). */
function readContent(message: TelegramMessage, raw: Record<string, unknown>): Content {
  const caption = message.caption ?? '';
  if (message.text !== undefined) return { kind: 'text', text: message.text };
  if (message.photo && message.photo.length > 0) {
    // Several sizes of one photo, smallest first: keep the largest. Telegram re-encodes photos as JPEG.
    const largest = message.photo.reduce((a, b) => ((b.width ?? 0) * (b.height ?? 0) >= (a.width ?? 0) * (a.height ?? 0) ? b : a));
    return { kind: 'image', text: caption, media: compact({ providerMediaId: largest.file_id, mimeType: 'image/jpeg', size: largest.file_size }) };
  }
  // An animation (GIF) message also carries `document` for old clients: check it first.
  if (message.animation) return { kind: 'video', text: caption, media: mediaOf(message.animation, { animated: true }) };
  if (message.document) return { kind: 'document', text: caption, media: mediaOf(message.document) };
  if (message.voice) return { kind: 'voice', text: caption, media: mediaOf(message.voice, { voice: true, mimeType: message.voice.mime_type ?? 'audio/ogg' }) };
  if (message.audio) {
    const title = [message.audio.performer, message.audio.title].filter(Boolean).join(' – ');
    return { kind: 'audio', text: caption || title, media: mediaOf(message.audio) };
  }
  if (message.video) return { kind: 'video', text: caption, media: mediaOf(message.video) };
  if (message.video_note) return { kind: 'video', text: '', media: mediaOf(message.video_note, { mimeType: message.video_note.mime_type ?? 'video/mp4' }) };
  if (message.sticker) {
    const { sticker } = message;
    const animated = Boolean(sticker.is_animated) || Boolean(sticker.is_video);
    const mimeType = sticker.is_video ? 'video/webm' : sticker.is_animated ? 'application/x-tgsticker' : 'image/webp';
    return { kind: 'sticker', text: sticker.emoji ?? '', media: mediaOf(sticker, { animated, mimeType }) };
  }
  // A venue message also carries `location`: check it first to keep the name and address.
  if (message.venue) {
    const { venue } = message;
    const location = compact({ ...venue.location, name: venue.title, address: venue.address });
    return { kind: 'location', text: `📍 ${[venue.title, venue.address].filter(Boolean).join(', ')}`, details: { location } };
  }
  if (message.location) {
    const { latitude, longitude } = message.location;
    return { kind: 'location', text: `📍 ${latitude}, ${longitude}`, details: { location: { latitude, longitude } } };
  }
  if (message.contact) {
    const name = [message.contact.first_name, message.contact.last_name].filter(Boolean).join(' ') || message.contact.phone_number;
    return {
      kind: 'contacts',
      text: `👤 ${name}, ${message.contact.phone_number}`,
      details: { contacts: [{ name, phones: [message.contact.phone_number] }] },
    };
  }
  const unsupported = UNSUPPORTED_CONTENT.find((k) => raw[k] !== undefined);
  if (unsupported) return unsupportedContent(unsupported, `Telegram ${unsupported} messages are not supported`);
  const service = SERVICE_FIELDS.find((k) => raw[k] !== undefined);
  if (service) return unsupportedContent(service, `Telegram service message (${service})`);
  return unsupportedContent(undefined, 'Telegram message with no content Sapa can read');
}

function unsupportedContent(type: string | undefined, reason: string): Content {
  return { kind: 'unsupported', text: '', details: { unsupported: compact({ type, reason }) } };
}

function normalizeCallback(query: z.infer<typeof callbackQuerySchema>): NormalizedInbound {
  // In a private chat the chat id is the user id; the message may be missing for inline-mode keyboards.
  const chatId = String(query.message?.chat.id ?? query.from.id);
  const base = {
    channelMessageId: `cb:${query.id}`,
    externalContactId: chatId,
    contactName: displayName(query.from),
    replyTo: query.message ? telegramMessageId(chatId, query.message.message_id) : undefined,
    locale: localeOf(query.from.language_code),
  };
  if (query.data === undefined) {
    const type = query.game_short_name ? 'game' : 'callback_query';
    return compact({ ...base, kind: 'unsupported', text: '', details: { unsupported: { type, reason: 'button press without data' } } });
  }
  const data = query.data;
  const pressed = query.message?.reply_markup?.inline_keyboard?.flat().find((button) => button.callback_data === data);
  const title = pressed?.text ?? data;
  return compact({ ...base, kind: 'interactive', text: title, details: { interactive: { id: data, title, source: 'callback' } } });
}

function displayName(who: { first_name?: string; last_name?: string; username?: string; title?: string }): string | undefined {
  const name = [who.first_name, who.last_name].filter(Boolean).join(' ').trim();
  return name || who.username || who.title || undefined;
}

function localeOf(languageCode: string | undefined): Locale | undefined {
  const code = languageCode?.toLowerCase() ?? '';
  if (code.startsWith('en')) return 'en';
  // `in` is the pre-1989 ISO code for Indonesian, still sent by some old clients.
  if (code === 'id' || code.startsWith('id-') || code === 'in') return 'id';
  return undefined;
}

/** Drop undefined fields, so results compare cleanly and store no empty keys. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
