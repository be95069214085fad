/**
 * An `OutboundMessage` → the Bot API calls that deliver it, as plain data (the sender performs
 * them). Pure: no network, no media bytes. Rules from the Bot API:
 * - text is 1–4096 characters, so longer answers become several messages, cut at paragraph, line or
 *   word boundaries and never inside a surrogate pair (an emoji);
 * - captions are 0–1024 characters: a longer text goes in its own message after the file;
 * - buttons and list rows become an inline keyboard; `callback_data` is 1–64 bytes of UTF-8;
 * - no `parse_mode`: the text is relayed as typed (a stray `.` or `<` would fail MarkdownV2/HTML).
 */
import { createHash } from 'node:crypto';
import type { OutboundMessage } from '../types';

export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const CALLBACK_DATA_LIMIT = 64;
/** Telegram caps an inline keyboard at 100 buttons. */
const KEYBOARD_BUTTON_LIMIT = 100;
const BUTTON_TEXT_LIMIT = 64;
const CITATION_LIMIT = 5;

export interface InlineKeyboardMarkup {
  inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
}

export interface ReplyParameters {
  message_id: number;
  /** Still send the answer if the customer deleted the message it quotes. */
  allow_sending_without_reply: true;
}

export interface StepExtra {
  reply_markup?: InlineKeyboardMarkup;
  reply_parameters?: ReplyParameters;
}

export type TelegramStep =
  | { kind: 'text'; text: string; extra: StepExtra }
  | { kind: 'photo' | 'document'; storageKey: string; mimeType: string; fileName: string; caption?: string; extra: StepExtra }
  | { kind: 'reaction'; messageId: number; emoji: string };

/** The calls that deliver `message`, in order. Empty when there is nothing Telegram can show. */
export function planTelegramSend(message: OutboundMessage): TelegramStep[] {
  if (message.reaction) {
    const target = parseTelegramMessageId(message.reaction.targetChannelMessageId);
    if (!target || target.chatId !== message.contactExternalId) return [];
    return [{ kind: 'reaction', messageId: target.messageId, emoji: reactionEmoji(message.reaction.emoji) }];
  }

  const text = withCitations(message.text.trim(), message.citations);
  const keyboard = buildKeyboard(message);
  const steps: Array<Exclude<TelegramStep, { kind: 'reaction' }>> = [];
  if (message.media) {
    const { storageKey, mimeType, fileName, kind } = message.media;
    const fitsCaption = text.length > 0 && text.length <= CAPTION_LIMIT;
    steps.push({
      kind: kind === 'image' ? 'photo' : 'document',
      storageKey,
      mimeType,
      fileName: fileName ?? defaultFileName(kind, mimeType),
      ...(fitsCaption ? { caption: text } : {}),
      extra: {},
    });
    if (!fitsCaption) for (const part of splitText(text)) steps.push({ kind: 'text', text: part, extra: {} });
  } else {
    for (const part of splitText(text)) steps.push({ kind: 'text', text: part, extra: {} });
  }
  if (steps.length === 0) return [];

  // Quote the customer's message on the first part; the keyboard goes under the last one.
  const quoted = replyParametersFor(message);
  if (quoted) steps[0]!.extra.reply_parameters = quoted;
  if (keyboard) steps[steps.length - 1]!.extra.reply_markup = keyboard;
  return steps;
}

/**
 * Split text into parts of at most `limit` UTF-16 units (what JavaScript counts, and never less than
 * what Telegram counts). Prefers a paragraph break, then a line break, then a space in the second
 * half of the window; otherwise cuts hard, but never between the two halves of a surrogate pair.
 */
export function splitText(text: string, limit = TEXT_LIMIT): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const cut = cutPoint(rest, limit);
    const part = rest.slice(0, cut).trimEnd();
    if (part.trim()) parts.push(part);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.trim()) parts.push(rest);
  return parts;
}

function cutPoint(text: string, limit: number): number {
  const window = text.slice(0, limit + 1);
  const floor = Math.floor(limit / 2);
  for (const separator of ['\n\n', '\n', ' ']) {
    // The separator may sit right at the limit: it is trimmed away, so the part still fits.
    const at = window.lastIndexOf(separator, limit);
    if (at >= floor) return at;
  }
  const code = text.charCodeAt(limit - 1);
  const endsInHighSurrogate = code >= 0xd800 && code <= 0xdbff;
  return endsInHighSurrogate ? limit - 1 : limit;
}

/** A short "Sumber:" line under the answer, listing the documents or pages it came from. */
export function withCitations(text: string, citations: OutboundMessage['citations']): string {
  if (!citations || citations.length === 0) return text;
  const seen = new Set<string>();
  const labels: string[] = [];
  for (const { title, url } of citations) {
    const label = url ? `${title} (${url})` : title;
    if (!label.trim() || seen.has(label)) continue;
    seen.add(label);
    labels.push(label);
  }
  if (labels.length === 0) return text;
  const line = `Sumber: ${labels.slice(0, CITATION_LIMIT).join('; ')}`;
  return text ? `${text}\n\n${line}` : line;
}

/** Buttons become one row each (titles stay readable on a phone); list rows the same, section by section. */
export function buildKeyboard(message: Pick<OutboundMessage, 'buttons' | 'list'>): InlineKeyboardMarkup | undefined {
  const buttons: Array<{ text: string; callback_data: string }> = [];
  for (const button of message.buttons ?? []) buttons.push({ text: buttonText(button.title), callback_data: callbackDataFor(button.id) });
  for (const section of message.list?.sections ?? []) {
    for (const row of section.rows) {
      const label = row.description ? `${row.title} — ${row.description}` : row.title;
      buttons.push({ text: buttonText(label), callback_data: callbackDataFor(row.id) });
    }
  }
  if (buttons.length === 0) return undefined;
  return { inline_keyboard: buttons.slice(0, KEYBOARD_BUTTON_LIMIT).map((b) => [b]) };
}

function buttonText(title: string): string {
  const clean = title.replace(/\s+/g, ' ').trim() || '…';
  return clean.length <= BUTTON_TEXT_LIMIT ? clean : `${truncateUtf16(clean, BUTTON_TEXT_LIMIT - 1)}…`;
}

/**
 * A button id as `callback_data` (1–64 bytes of UTF-8). Longer ids keep a readable prefix plus a
 * hash of the whole id, so two long ids never collide; the press then arrives with this shortened
 * id, which callers can recompute with this function to match it.
 */
export function callbackDataFor(id: string): string {
  const value = id || '-';
  if (Buffer.byteLength(value, 'utf8') <= CALLBACK_DATA_LIMIT) return value;
  const hash = createHash('sha256').update(value).digest('base64url').slice(0, 16);
  const prefixBytes = CALLBACK_DATA_LIMIT - hash.length - 1;
  return `${truncateUtf8(value, prefixBytes)}#${hash}`;
}

/** The longest prefix of `text` that is at most `maxBytes` of UTF-8, without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += char;
  }
  return out;
}

function truncateUtf16(text: string, maxUnits: number): string {
  let out = '';
  for (const char of text) {
    if (out.length + char.length > maxUnits) break;
    out += char;
  }
  return out;
}

/** Our ids for Telegram messages are `<chat id>:<message id>` (edits add `:e<date>`). */
export function parseTelegramMessageId(value: string): { chatId: string; messageId: number } | undefined {
  const match = /^(-?\d+):(\d+)(?::e\d+)?$/.exec(value);
  if (!match) return undefined;
  return { chatId: match[1]!, messageId: Number(match[2]) };
}

function replyParametersFor(message: OutboundMessage): ReplyParameters | undefined {
  if (!message.replyTo) return undefined;
  const target = parseTelegramMessageId(message.replyTo);
  // A quote only works within the same chat.
  if (!target || target.chatId !== message.contactExternalId) return undefined;
  return { message_id: target.messageId, allow_sending_without_reply: true };
}

/** Telegram lists its reaction emoji without the variation selector (❤ rather than ❤️). */
function reactionEmoji(emoji: string): string {
  return emoji.replace(/\uFE0F/g, '');
}

function defaultFileName(kind: string, mimeType: string): string {
  const extension = mimeType.split('/')[1]?.split(/[;+]/)[0] || 'bin';
  return `${kind}.${extension}`;
}
