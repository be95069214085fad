/**
 * A wire-faithful fake of the Telegram Bot API for tests (shared/specs/telegram-bot-api.md §7):
 * a node:http server on loopback that routes `/bot<token>/<method>` like Telegram, checks tokens,
 * parameters and limits, answers with Telegram's envelopes and HTTP statuses, serves file
 * downloads, and delivers updates to a registered webhook the way Telegram does (secret header,
 * redelivery on failure, webhook replies applied as API calls).
 *
 * Simplifications, on purpose: one world of chats shared by all bots of a fake (a chat id is a
 * user); webhooks on loopback may use plain HTTP and any port (Telegram demands HTTPS on 443, 80,
 * 88 or 8443); files sent by URL are recorded, not fetched; getUpdates does not long-poll.
 */
import http from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';

type Json = Record<string, unknown>;

export interface FakeTelegramBot {
  token: string;
  id: number;
  username: string;
  firstName: string;
}

export interface FakeWebhook {
  url: string;
  secretToken?: string;
  allowedUpdates: string[];
  maxConnections: number;
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

export interface UploadedFile {
  fileName: string;
  mimeType: string;
  bytes: Buffer;
}

/** An API call the fake accepted (HTTP 200), with its parameters as Telegram read them. */
export interface FakeTelegramCall {
  token: string;
  /** The method's canonical spelling (`sendMessage`), whatever case the client used. */
  method: string;
  params: Json;
  files: Record<string, UploadedFile>;
  /** Made by answering a webhook delivery with `{ method, … }` (spec §2.2) rather than by HTTP. */
  viaWebhookReply: boolean;
  result: unknown;
}

/** Every request, accepted or not (for "was it retried?" assertions). */
export interface FakeTelegramRequest {
  token?: string;
  method?: string;
  status: number;
  description?: string;
}

/** A message a bot sent (sendMessage / sendPhoto / sendDocument). */
export interface FakeSentMessage {
  token: string;
  method: string;
  chatId: string;
  messageId: number;
  text?: string;
  caption?: string;
  parseMode?: string;
  replyMarkup?: Json;
  replyToMessageId?: number;
  /** The uploaded or referenced file of sendPhoto / sendDocument. */
  file?: { fileId: string; fileName?: string; mimeType?: string; bytes: Buffer; url?: string };
  message: Json;
}

/** A failure to return on the next call(s) of a method instead of running it. */
export interface ScriptedFailure {
  error_code: number;
  description: string;
  retry_after?: number;
  migrate_to_chat_id?: number;
  /** How many calls fail this way (default 1). */
  times?: number;
}

export interface DeliveryResult {
  delivered: boolean;
  /** The last HTTP status the webhook answered (0: no answer). */
  status: number;
  attempts: number;
  /** No webhook set: the update waits for getUpdates. */
  queued?: boolean;
  /** The webhook's allowed_updates excludes this update type. */
  filtered?: boolean;
}

interface ChatState {
  id: number;
  type: string;
  firstName?: string;
  lastName?: string;
  username?: string;
  /** The user pressed Start (or wrote): bots may message them. */
  started: boolean;
  blocked: boolean;
  messages: Map<number, Json>;
}

interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  bytes: Buffer;
  mimeType: string;
  fileName?: string;
  url?: string;
}

interface BotState extends FakeTelegramBot {
  webhook?: FakeWebhook;
  pending: Json[];
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Json,
  ) {
    super(description);
  }
}
const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

/** Limits from the Bot API docs (spec §4.1, §5). */
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const CALLBACK_DATA_LIMIT = 64;
const CALLBACK_ANSWER_TEXT_LIMIT = 200;
const PHOTO_UPLOAD_LIMIT = 10 * 1024 * 1024;
const FILE_UPLOAD_LIMIT = 50 * 1024 * 1024;
const DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const REQUEST_BODY_LIMIT = 60 * 1024 * 1024;
const KEYBOARD_BUTTON_LIMIT = 100;

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

/** Update types Telegram sends when `allowed_updates` is empty or was never given. */
const OPT_IN_UPDATES = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

/** Emoji a bot may react with (Bot API `ReactionTypeEmoji`). */
const REACTION_EMOJI = new Set(
  '👍 👎 ❤ 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷‍♂ 🤷 🤷‍♀ 😡'.split(' '),
);

const TOKEN_SHAPE = /^\d+:[A-Za-z0-9_-]+$/;

/** A token shaped like a real one (`<bot id>:<35 url-safe characters>`). */
export function fakeBotToken(botId: number = randomInt(1_000_000, 9_999_999_999)): string {
  return `${botId}:AA${randomBytes(33).toString('base64url').slice(0, 33)}`;
}

function envelope(error: ApiError): Json {
  return { ok: false, error_code: error.code, description: error.description, ...(error.parameters ? { parameters: error.parameters } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Parameters: Telegram reads the same names from the query string, JSON, urlencoded and multipart
// bodies; in form encodings, objects and arrays arrive as JSON strings.

async function readParams(contentType: string, body: Buffer, query: URLSearchParams): Promise<{ params: Json; files: Record<string, UploadedFile> }> {
  const params: Json = Object.fromEntries(query);
  const files: Record<string, UploadedFile> = {};
  if (body.length === 0) return { params, files };
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse request JSON object");
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest("can't parse request JSON object");
    Object.assign(params, parsed);
  } else if (type === 'application/x-www-form-urlencoded') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  } else if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Request('http://fake-telegram.local/', { method: 'POST', headers: { 'content-type': contentType }, body: new Blob([new Uint8Array(body)]) }).formData();
    } catch {
      throw badRequest("can't parse multipart/form-data request");
    }
    for (const [name, value] of form) {
      if (typeof value === 'string') params[name] = value;
      else files[name] = { fileName: value.name, mimeType: value.type || 'application/octet-stream', bytes: Buffer.from(await value.arrayBuffer()) };
    }
  }
  return { params, files };
}

function str(params: Json, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function int(params: Json, name: string): number | undefined {
  const value = str(params, name);
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`field "${name}" must be of type Integer`);
  return Number(value);
}

function bool(params: Json, name: string): boolean {
  const value = params[name];
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** An object/array parameter: as JSON from a JSON body, as a JSON string from a form. */
function structured(params: Json, name: string, errorDescription: string): unknown {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(errorDescription);
  }
}

// ---------------------------------------------------------------------------------------------
// parse_mode: enough of Telegram's parsers to reject what Telegram rejects most often, and to
// measure the text after markup (the 4096 limit applies to what the user sees).

const utf8Offset = (text: string, index: number) => Buffer.byteLength(text.slice(0, index), 'utf8');
const entityError = (what: string) => badRequest(`can't parse entities: ${what}`);

const MARKDOWN_V2_RESERVED = '_*[]()~`>#+-=|{}.!';
const MARKDOWN_V2_NAMES: Record<string, string> = { '*': 'Bold', _: 'Italic', __: 'Underline', '~': 'Strikethrough', '||': 'Spoiler', '`': 'Code', '```': 'Pre', '[': 'TextUrl' };

function parseMarkdownV2(text: string): string {
  let plain = '';
  const open: Array<{ mark: string; at: number }> = [];
  const top = () => open[open.length - 1]?.mark;
  const toggle = (mark: string, at: number) => {
    if (top() === mark) open.pop();
    else if (open.some((o) => o.mark === mark)) throw entityError(`Can't find end of ${MARKDOWN_V2_NAMES[top()!] ?? 'an'} entity at byte offset ${utf8Offset(text, at)}`);
    else open.push({ mark, at });
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const mark = top();
    if (c === '\\') {
      if (i + 1 >= text.length) throw entityError(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (mark === '`' || mark === '```') {
      if (text.startsWith(mark, i)) {
        open.pop();
        i += mark.length;
      } else {
        plain += c;
        i += 1;
      }
      continue;
    }
    if (text.startsWith('```', i)) {
      open.push({ mark: '```', at: i });
      i += 3;
    } else if (c === '`' || c === '*' || c === '~') {
      toggle(c, i);
      i += 1;
    } else if (c === '_') {
      const m = text.startsWith('__', i) ? '__' : '_';
      toggle(m, i);
      i += m.length;
    } else if (c === '|' && text.startsWith('||', i)) {
      toggle('||', i);
      i += 2;
    } else if (c === '[') {
      open.push({ mark: '[', at: i });
      i += 1;
    } else if (c === ']' && mark === '[' && text[i + 1] === '(') {
      let j = i + 2;
      while (j < text.length && text[j] !== ')') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw entityError(`Can't find end of a URL at byte offset ${utf8Offset(text, i + 2)}`);
      open.pop();
      i = j + 1;
    } else if (c === '>' && (i === 0 || text[i - 1] === '\n')) {
      i += 1; // a blockquote line
    } else if (MARKDOWN_V2_RESERVED.includes(c)) {
      throw entityError(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    } else {
      plain += c;
      i += 1;
    }
  }
  const unclosed = open[0];
  if (unclosed) throw entityError(`Can't find end of ${MARKDOWN_V2_NAMES[unclosed.mark] ?? 'the'} entity starting at byte offset ${utf8Offset(text, unclosed.at)}`);
  return plain;
}

const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);
const HTML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function parseHtml(text: string): string {
  let plain = '';
  const open: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '<') {
      const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>/.exec(text.slice(i));
      if (!tag) throw entityError(`Unexpected end of name token at byte offset ${utf8Offset(text, i)}`);
      const [whole, closing, rawName, attributes = ''] = tag;
      const name = rawName!.toLowerCase();
      if (!HTML_TAGS.has(name)) throw entityError(`Unsupported ${closing ? 'end' : 'start'} tag "${name}" at byte offset ${utf8Offset(text, i)}`);
      if (closing) {
        const expected = open.pop();
        if (expected !== name) throw entityError(`Unmatched end tag at byte offset ${utf8Offset(text, i)}, expected "</${expected ?? ''}>", found "</${name}>"`);
      } else {
        if (name === 'span' && !/class\s*=\s*"tg-spoiler"/.test(attributes)) throw entityError(`Tag "span" must have class "tg-spoiler" at byte offset ${utf8Offset(text, i)}`);
        open.push(name);
      }
      i += whole.length;
      continue;
    }
    if (c === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(text.slice(i));
      if (entity) {
        const name = entity[1]!;
        plain += HTML_ENTITIES[name] ?? String.fromCodePoint(name.startsWith('#x') ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
        i += entity[0].length;
        continue;
      }
    }
    plain += c;
    i += 1;
  }
  const unclosed = open.pop();
  if (unclosed) throw entityError(`Can't find end tag corresponding to start tag "${unclosed}"`);
  return plain;
}

/** Legacy Markdown: only checks that `*`, `_`, `` ` `` and `[` entities are closed. */
function parseLegacyMarkdown(text: string): string {
  let plain = '';
  let open: { mark: string; at: number } | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && '*_`['.includes(text[i + 1]!)) {
      plain += text[++i];
    } else if (open?.mark === c || (open?.mark === '[' && c === ']')) {
      open = undefined;
    } else if (!open && '*_`['.includes(c)) {
      open = { mark: c, at: i };
    } else {
      plain += c;
    }
  }
  if (open) throw entityError(`Can't find end of the entity starting at byte offset ${utf8Offset(text, open.at)}`);
  return plain;
}

function visibleText(text: string, parseMode: string | undefined): string {
  switch (parseMode) {
    case undefined:
    case '':
      return text;
    case 'MarkdownV2':
      return parseMarkdownV2(text);
    case 'HTML':
      return parseHtml(text);
    case 'Markdown':
      return parseLegacyMarkdown(text);
    default:
      throw badRequest('unsupported parse_mode');
  }
}

// ---------------------------------------------------------------------------------------------
// reply_markup

function validateReplyMarkup(params: Json): Json | undefined {
  const markup = structured(params, 'reply_markup', "can't parse reply keyboard markup JSON object");
  if (markup === undefined) return undefined;
  if (!markup || typeof markup !== 'object' || Array.isArray(markup)) throw badRequest("can't parse reply keyboard markup JSON object");
  const m = markup as Json;
  if (m.inline_keyboard !== undefined) {
    const rows = m.inline_keyboard;
    if (!Array.isArray(rows) || !rows.every(Array.isArray)) throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    const buttons = (rows as unknown[][]).flat();
    if (buttons.length > KEYBOARD_BUTTON_LIMIT) throw badRequest('BUTTONS_TOO_MUCH');
    for (const button of buttons) {
      if (!button || typeof button !== 'object') throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
      const b = button as Json;
      if (typeof b.text !== 'string' || b.text.trim() === '') throw badRequest('BUTTON_TEXT_INVALID');
      const actions = ['callback_data', 'url', 'web_app', 'login_url', 'switch_inline_query', 'switch_inline_query_current_chat', 'switch_inline_query_chosen_chat', 'copy_text', 'callback_game', 'pay'].filter((k) => b[k] !== undefined);
      if (actions.length === 0) throw badRequest('text buttons are unallowed in the inline keyboard');
      if (actions.length > 1) throw badRequest("can't parse inline keyboard button: only one of the optional fields can be specified");
      if (b.callback_data !== undefined) {
        const size = typeof b.callback_data === 'string' ? Buffer.byteLength(b.callback_data, 'utf8') : 0;
        if (size < 1 || size > CALLBACK_DATA_LIMIT) throw badRequest('BUTTON_DATA_INVALID');
      }
      if (b.url !== undefined && (typeof b.url !== 'string' || !/^(https?|tg):\/\/\S+$/.test(b.url))) throw badRequest('BUTTON_URL_INVALID');
    }
    return m;
  }
  if (m.keyboard !== undefined) {
    if (!Array.isArray(m.keyboard) || !m.keyboard.every(Array.isArray)) throw badRequest('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays');
    return m;
  }
  if (m.remove_keyboard === true || m.force_reply === true) return m;
  throw badRequest("can't parse reply keyboard markup JSON object");
}

// ---------------------------------------------------------------------------------------------
// Files

function looksLikeImage(bytes: Buffer): boolean {
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const gif = bytes.subarray(0, 4).toString('latin1') === 'GIF8';
  const webp = bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';
  return jpeg || png || gif || webp;
}

function folderFor(mimeType: string): { folder: string; extension: string } {
  if (mimeType.startsWith('image/')) return { folder: 'photos', extension: mimeType === 'image/png' ? 'png' : 'jpg' };
  if (mimeType === 'audio/ogg') return { folder: 'voice', extension: 'oga' };
  if (mimeType.startsWith('audio/')) return { folder: 'music', extension: 'mp3' };
  if (mimeType.startsWith('video/')) return { folder: 'videos', extension: 'mp4' };
  return { folder: 'documents', extension: mimeType === 'application/pdf' ? 'pdf' : 'bin' };
}

// ---------------------------------------------------------------------------------------------

export interface TextUpdateOptions {
  chatId: number | string;
  text: string;
  firstName?: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
  replyToMessageId?: number;
  /** Unix seconds (default: now). */
  date?: number;
}

export interface MediaUpdateOptions {
  chatId: number | string;
  kind: 'photo' | 'document' | 'voice';
  fileId: string;
  caption?: string;
  fileName?: string;
  firstName?: string;
}

export interface CallbackUpdateOptions {
  chatId: number | string;
  data: string;
  /** The bot message whose keyboard was pressed (default: the latest one with this button). */
  messageId?: number;
  buttonText?: string;
  firstName?: string;
  languageCode?: string;
}

export interface FakeTelegram {
  url: string;
  close(): Promise<void>;
  addBot(bot: { token: string; id?: number; username: string; firstName?: string }): FakeTelegramBot;
  /** A user who has started the bot (or, with `started: false`, one who never did). */
  addChat(chatId: number | string, options?: { firstName?: string; lastName?: string; username?: string; started?: boolean }): void;
  blockChat(chatId: number | string, blocked?: boolean): void;
  addFile(bytes: Buffer, mimeType: string, options?: { fileName?: string }): string;
  failNext(method: string, failure: ScriptedFailure): void;
  /** Accepted calls, oldest first. */
  calls: FakeTelegramCall[];
  /** Every request with the status it got. */
  requests: FakeTelegramRequest[];
  callsOf(method: string): FakeTelegramCall[];
  sentMessages(chatId?: number | string): FakeSentMessage[];
  webhookOf(token: string): FakeWebhook | undefined;
  /** Callback query ids answered with answerCallbackQuery. */
  answeredCallbacks: string[];
  deliverUpdate(token: string, update: Json, options?: { attempts?: number; secretToken?: string }): Promise<DeliveryResult>;
  textUpdate(options: TextUpdateOptions): Json;
  mediaUpdate(options: MediaUpdateOptions): Json;
  callbackUpdate(options: CallbackUpdateOptions): Json;
  /** `my_chat_member`: the user blocked (`kicked`) or restarted (`member`) the bot. */
  blockedUpdate(options: { chatId: number | string; blocked?: boolean; firstName?: string; token?: string }): Json;
}

export async function startFakeTelegram(): Promise<FakeTelegram> {
  const bots = new Map<string, BotState>();
  const chats = new Map<string, ChatState>();
  const files = new Map<string, StoredFile>();
  const failures = new Map<string, ScriptedFailure[]>();
  const nextMessageIds = new Map<string, number>();
  const issuedCallbacks = new Set<string>();
  const calls: FakeTelegramCall[] = [];
  const requests: FakeTelegramRequest[] = [];
  const sent: FakeSentMessage[] = [];
  const answeredCallbacks: string[] = [];
  let nextUpdateId = randomInt(100_000_000, 900_000_000);
  let fileCounter = 0;

  const now = () => Math.floor(Date.now() / 1000);

  function nextMessageId(chatId: string): number {
    const next = nextMessageIds.get(chatId) ?? 1;
    nextMessageIds.set(chatId, next + 1);
    return next;
  }

  function ensureChat(chatId: string, details: Partial<ChatState> = {}): ChatState {
    let chat = chats.get(chatId);
    if (!chat) {
      chat = { id: Number(chatId), type: 'private', started: true, blocked: false, messages: new Map(), ...details };
      chats.set(chatId, chat);
    } else {
      Object.assign(chat, Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)));
    }
    return chat;
  }

  function chatJson(chat: ChatState): Json {
    return compact({ id: chat.id, first_name: chat.firstName, last_name: chat.lastName, username: chat.username, type: chat.type });
  }

  function storeFile(bytes: Buffer, mimeType: string, fileName?: string, url?: string): StoredFile {
    fileCounter += 1;
    const { folder, extension } = folderFor(mimeType);
    const file: StoredFile = {
      fileId: `BQACAgIAAxkBAA${randomBytes(40).toString('base64url')}`,
      fileUniqueId: `AgAD${randomBytes(9).toString('base64url')}`,
      filePath: `${folder}/file_${fileCounter}.${extension}`,
      bytes,
      mimeType,
      ...(fileName ? { fileName } : {}),
      ...(url ? { url } : {}),
    };
    files.set(file.fileId, file);
    return file;
  }

  /** The chat a send targets, with Telegram's errors for unknown, never-started and blocked chats. */
  function targetChat(params: Json): ChatState {
    const chatId = str(params, 'chat_id');
    if (chatId === undefined || chatId === '') throw badRequest('chat_id is empty');
    const chat = chats.get(chatId);
    if (!chat) throw badRequest('chat not found');
    if (chat.blocked) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
    if (!chat.started) throw new ApiError(403, "Forbidden: bot can't initiate conversation with a user");
    return chat;
  }

  function replyTarget(chat: ChatState, params: Json): number | undefined {
    const replyParameters = structured(params, 'reply_parameters', "can't parse reply parameters JSON object") as Json | undefined;
    const messageId = replyParameters ? int(replyParameters, 'message_id') : int(params, 'reply_to_message_id');
    if (messageId === undefined) return undefined;
    const allowMissing = replyParameters ? bool(replyParameters, 'allow_sending_without_reply') : bool(params, 'allow_sending_without_reply');
    if (!chat.messages.has(messageId)) {
      if (allowMissing) return undefined;
      throw badRequest('message to be replied not found');
    }
    return messageId;
  }

  function record(bot: BotState, method: string, chat: ChatState, params: Json, content: Json, extra: Partial<FakeSentMessage>): Json {
    const replyMarkup = validateReplyMarkup(params);
    const replyTo = replyTarget(chat, params);
    const messageId = nextMessageId(String(chat.id));
    const message = compact({
      message_id: messageId,
      from: { id: bot.id, is_bot: true, first_name: bot.firstName, username: bot.username },
      chat: chatJson(chat),
      date: now(),
      ...content,
      reply_to_message: replyTo !== undefined ? chat.messages.get(replyTo) : undefined,
      reply_markup: replyMarkup?.inline_keyboard ? replyMarkup : undefined,
    });
    chat.messages.set(messageId, message);
    sent.push({
      token: bot.token,
      method,
      chatId: String(chat.id),
      messageId,
      ...(replyMarkup ? { replyMarkup } : {}),
      ...(replyTo !== undefined ? { replyToMessageId: replyTo } : {}),
      ...(str(params, 'parse_mode') ? { parseMode: str(params, 'parse_mode') } : {}),
      ...extra,
      message,
    });
    return message;
  }

  function checkCaption(params: Json): string | undefined {
    const caption = str(params, 'caption');
    if (caption === undefined) return undefined;
    const visible = visibleText(caption, str(params, 'parse_mode'));
    if (visible.length > CAPTION_LIMIT) throw badRequest('message caption is too long');
    return caption;
  }

  /** A file parameter: an upload (multipart), `attach://name`, a known file_id, or an HTTP URL. */
  function inputFile(params: Json, uploads: Record<string, UploadedFile>, field: string, limit: number): StoredFile {
    const value = str(params, field);
    const upload = uploads[field] ?? (value?.startsWith('attach://') ? uploads[value.slice('attach://'.length)] : undefined);
    if (upload) {
      if (upload.bytes.length === 0) throw badRequest('file must be non-empty');
      if (upload.bytes.length > limit) throw new ApiError(413, 'Request Entity Too Large');
      return storeFile(upload.bytes, upload.mimeType, upload.fileName);
    }
    if (!value) throw badRequest(`there is no ${field} in the request`);
    const known = files.get(value);
    if (known) return known;
    if (/^https?:\/\/\S+$/.test(value)) return storeFile(Buffer.alloc(0), 'application/octet-stream', undefined, value);
    throw badRequest('wrong file identifier/HTTP URL specified');
  }

  type Handler = (bot: BotState, params: Json, uploads: Record<string, UploadedFile>) => unknown;

  const methods: Record<string, Handler> = {
    getMe: (bot) => ({
      id: bot.id,
      is_bot: true,
      first_name: bot.firstName,
      username: bot.username,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    }),

    setWebhook: (bot, params) => {
      const url = str(params, 'url') ?? '';
      if (url === '') {
        delete bot.webhook;
        return true;
      }
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
      }
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
      if (parsed.protocol !== 'https:' && !(loopback && parsed.protocol === 'http:')) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
      if (!loopback && !['', '443', '80', '88', '8443'].includes(parsed.port)) throw badRequest('bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
      const secretToken = str(params, 'secret_token');
      if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) throw badRequest('secret token contains unallowed characters');
      const allowed = structured(params, 'allowed_updates', "can't parse allowed updates JSON object");
      if (allowed !== undefined && (!Array.isArray(allowed) || !allowed.every((u) => typeof u === 'string'))) throw badRequest("can't parse allowed updates JSON object");
      const maxConnections = int(params, 'max_connections') ?? 40;
      if (maxConnections < 1 || maxConnections > 100) throw badRequest('bad webhook: max_connections must be between 1 and 100');
      if (bool(params, 'drop_pending_updates')) bot.pending = [];
      bot.webhook = {
        url,
        ...(secretToken ? { secretToken } : {}),
        // Omitted: keep the previous setting (spec §2.1).
        allowedUpdates: (allowed as string[] | undefined) ?? bot.webhook?.allowedUpdates ?? [],
        maxConnections,
      };
      return true;
    },

    deleteWebhook: (bot, params) => {
      delete bot.webhook;
      if (bool(params, 'drop_pending_updates')) bot.pending = [];
      return true;
    },

    getWebhookInfo: (bot) => {
      const hook = bot.webhook;
      return compact({
        url: hook?.url ?? '',
        has_custom_certificate: false,
        pending_update_count: bot.pending.length,
        max_connections: hook?.maxConnections,
        allowed_updates: hook && hook.allowedUpdates.length > 0 ? hook.allowedUpdates : undefined,
        last_error_date: hook?.lastErrorDate,
        last_error_message: hook?.lastErrorMessage,
      });
    },

    getUpdates: (bot, params) => {
      if (bot.webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      const offset = int(params, 'offset');
      const limit = int(params, 'limit') ?? 100;
      if (limit < 1 || limit > 100) throw badRequest('limit must be between 1 and 100');
      // Asking from an offset confirms every update before it (Telegram forgets them).
      if (offset !== undefined) bot.pending = bot.pending.filter((u) => (u.update_id as number) >= offset);
      return bot.pending.slice(0, limit);
    },

    sendMessage: (bot, params) => {
      const chat = targetChat(params);
      const text = str(params, 'text') ?? '';
      const visible = visibleText(text, str(params, 'parse_mode'));
      if (visible.trim() === '') throw badRequest('message text is empty');
      if (visible.length > TEXT_LIMIT) throw badRequest('message is too long');
      return record(bot, 'sendMessage', chat, params, { text: visible }, { text });
    },

    sendPhoto: (bot, params, uploads) => {
      const chat = targetChat(params);
      const caption = checkCaption(params);
      const file = inputFile(params, uploads, 'photo', PHOTO_UPLOAD_LIMIT);
      if (!file.url && !looksLikeImage(file.bytes)) throw badRequest('IMAGE_PROCESS_FAILED');
      const size = { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.bytes.length };
      return record(
        bot,
        'sendPhoto',
        chat,
        params,
        { photo: [{ ...size, width: 90, height: 90 }, { ...size, width: 1280, height: 960 }], caption },
        { ...(caption !== undefined ? { caption } : {}), file: fileRecord(file) },
      );
    },

    sendDocument: (bot, params, uploads) => {
      const chat = targetChat(params);
      const caption = checkCaption(params);
      const file = inputFile(params, uploads, 'document', FILE_UPLOAD_LIMIT);
      const document = compact({ file_id: file.fileId, file_unique_id: file.fileUniqueId, file_name: file.fileName, mime_type: file.mimeType, file_size: file.bytes.length });
      return record(bot, 'sendDocument', chat, params, { document, caption }, { ...(caption !== undefined ? { caption } : {}), file: fileRecord(file) });
    },

    sendChatAction: (_bot, params) => {
      targetChat(params);
      const action = str(params, 'action');
      if (!action || !CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
      return true;
    },

    setMessageReaction: (_bot, params) => {
      const chat = targetChat(params);
      const messageId = int(params, 'message_id');
      if (messageId === undefined || !chat.messages.has(messageId)) throw badRequest('message to react not found');
      const reaction = structured(params, 'reaction', "can't parse reaction types JSON object") ?? [];
      if (!Array.isArray(reaction)) throw badRequest("can't parse reaction types JSON object");
      for (const r of reaction as Json[]) {
        if (r?.type !== 'emoji' || typeof r.emoji !== 'string' || !REACTION_EMOJI.has(r.emoji)) throw badRequest('REACTION_INVALID');
      }
      return true;
    },

    answerCallbackQuery: (_bot, params) => {
      const id = str(params, 'callback_query_id');
      const text = str(params, 'text') ?? '';
      if (text.length > CALLBACK_ANSWER_TEXT_LIMIT) throw badRequest('MESSAGE_TOO_LONG');
      if (!id || !issuedCallbacks.has(id)) throw badRequest('query is too old and response timeout expired or query ID is invalid');
      issuedCallbacks.delete(id);
      answeredCallbacks.push(id);
      return true;
    },

    getFile: (_bot, params) => {
      const file = files.get(str(params, 'file_id') ?? '');
      if (!file || file.url) throw badRequest('wrong file_id or the file is temporarily unavailable');
      if (file.bytes.length > DOWNLOAD_LIMIT) throw badRequest('file is too big');
      return { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.bytes.length, file_path: file.filePath };
    },
  };
  const methodByLowerName = new Map(Object.keys(methods).map((name) => [name.toLowerCase(), name]));

  function fileRecord(file: StoredFile): FakeSentMessage['file'] {
    return { fileId: file.fileId, bytes: file.bytes, mimeType: file.mimeType, ...(file.fileName ? { fileName: file.fileName } : {}), ...(file.url ? { url: file.url } : {}) };
  }

  /** Run one method for a bot: the scripted failure if one is queued, else the method itself. */
  function dispatch(bot: BotState, method: string, params: Json, uploads: Record<string, UploadedFile>, viaWebhookReply: boolean): unknown {
    const queue = failures.get(method);
    const failure = queue?.[0];
    if (failure) {
      failure.times = (failure.times ?? 1) - 1;
      if (failure.times <= 0) queue.shift();
      const parameters = compact({ retry_after: failure.retry_after, migrate_to_chat_id: failure.migrate_to_chat_id });
      throw new ApiError(failure.error_code, failure.description, Object.keys(parameters).length > 0 ? parameters : undefined);
    }
    const result = methods[method]!(bot, params, uploads);
    calls.push({ token: bot.token, method, params, files: uploads, viaWebhookReply, result });
    return result;
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const match = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)\/?$/.exec(url.pathname);
    const token = match ? decodeURIComponent(match[1]!) : undefined;
    const requested = match?.[2];
    const reply = (status: number, body: Json, method?: string) => {
      requests.push(compact({ token, method, status, description: body.ok === false ? (body.description as string) : undefined }));
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      if (!token || !requested || !TOKEN_SHAPE.test(token)) throw new ApiError(404, 'Not Found');
      const bot = bots.get(token);
      if (!bot) throw new ApiError(401, 'Unauthorized');
      const method = methodByLowerName.get(requested.toLowerCase());
      if (!method) throw new ApiError(404, 'Not Found');
      const body = await readBody(req);
      const { params, files: uploads } = await readParams(String(req.headers['content-type'] ?? ''), body, url.searchParams);
      const result = dispatch(bot, method, params, uploads, false);
      const description = method === 'setWebhook' ? (params.url ? 'Webhook was set' : 'Webhook was deleted') : method === 'deleteWebhook' ? 'Webhook was deleted' : undefined;
      reply(200, { ok: true, result, ...(description ? { description } : {}) }, method);
    } catch (err) {
      if (err instanceof ApiError) reply(err.code, envelope(err), requested);
      else {
        console.error('[fake telegram]', err);
        reply(500, { ok: false, error_code: 500, description: 'Internal Server Error' }, requested);
      }
    }
  }

  function handleFileDownload(res: http.ServerResponse, url: URL): void {
    const match = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    const bot = match ? bots.get(decodeURIComponent(match[1]!)) : undefined;
    const path = match ? decodeURIComponent(match[2]!) : '';
    const file = bot ? [...files.values()].find((f) => f.filePath === path) : undefined;
    if (!bot) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 401, description: 'Unauthorized' }));
      return;
    }
    if (!file) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes.length) }).end(file.bytes);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-telegram.local');
    if (url.pathname.startsWith('/file/')) return handleFileDownload(res, url);
    void handleApi(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };

  // -------------------------------------------------------------------------------------------
  // Updates

  function updateType(update: Json): string {
    return Object.keys(update).find((k) => k !== 'update_id') ?? 'unknown';
  }

  /** What Telegram knows once an update happened: the chat exists, its messages can be quoted, blocks apply. */
  function applyUpdate(update: Json): void {
    const message = (update.message ?? update.edited_message) as Json | undefined;
    if (message?.chat) {
      const c = message.chat as Json;
      const chat = ensureChat(String(c.id), { type: String(c.type ?? 'private'), started: true });
      chat.messages.set(message.message_id as number, message);
    }
    const member = update.my_chat_member as Json | undefined;
    if (member?.chat) {
      const status = (member.new_chat_member as Json | undefined)?.status;
      const chat = ensureChat(String((member.chat as Json).id));
      chat.blocked = status === 'kicked';
      if (status === 'member') chat.started = true;
    }
    const query = update.callback_query as Json | undefined;
    if (query?.id) issuedCallbacks.add(String(query.id));
  }

  async function deliverUpdate(token: string, update: Json, options: { attempts?: number; secretToken?: string } = {}): Promise<DeliveryResult> {
    const bot = bots.get(token);
    if (!bot) throw new Error(`fake telegram: no bot with token ${token.slice(0, 8)}…`);
    applyUpdate(update);
    const hook = bot.webhook;
    if (!hook) {
      bot.pending.push(update);
      return { delivered: false, status: 0, attempts: 0, queued: true };
    }
    const type = updateType(update);
    const allowed = hook.allowedUpdates.length > 0 ? hook.allowedUpdates.includes(type) : !OPT_IN_UPDATES.has(type);
    if (!allowed) return { delivered: false, status: 0, attempts: 0, filtered: true };

    const attempts = Math.max(1, options.attempts ?? 3);
    const secret = options.secretToken ?? hook.secretToken;
    let status = 0;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
          body: JSON.stringify(update),
          signal: AbortSignal.timeout(30_000),
        });
        status = response.status;
        const body = Buffer.from(await response.arrayBuffer());
        if (status >= 200 && status < 300) {
          await applyWebhookReply(bot, String(response.headers.get('content-type') ?? ''), body);
          return { delivered: true, status, attempts: attempt };
        }
        hook.lastErrorMessage = `Wrong response from the webhook: ${status} ${response.statusText}`;
      } catch (err) {
        status = 0;
        hook.lastErrorMessage = `Connection failed: ${(err as Error).message}`;
      }
      hook.lastErrorDate = now();
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
    }
    return { delivered: false, status, attempts };
  }

  /** A webhook response body may itself be an API call (spec §2.2); its result goes nowhere. */
  async function applyWebhookReply(bot: BotState, contentType: string, body: Buffer): Promise<void> {
    if (body.length === 0) return;
    let params: Json;
    let uploads: Record<string, UploadedFile>;
    try {
      ({ params, files: uploads } = await readParams(contentType || 'application/json', body, new URLSearchParams()));
    } catch {
      return;
    }
    const method = typeof params.method === 'string' ? methodByLowerName.get(params.method.toLowerCase()) : undefined;
    if (!method) return;
    const { method: _ignored, ...rest } = params;
    try {
      dispatch(bot, method, rest, uploads, true);
    } catch {
      // Telegram never reports the outcome of a webhook reply.
    }
  }

  function userJson(chatId: number | string, firstName = 'Budi', extra: Json = {}): Json {
    return compact({ id: Number(chatId), is_bot: false, first_name: firstName, ...extra });
  }

  const fake: FakeTelegram = {
    url: `http://127.0.0.1:${address.port}`,
    calls,
    requests,
    answeredCallbacks,

    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },

    addBot({ token, id, username, firstName }) {
      if (!TOKEN_SHAPE.test(token)) throw new Error(`fake telegram: ${token} is not shaped like a bot token`);
      const bot: BotState = { token, id: id ?? Number(token.split(':')[0]), username, firstName: firstName ?? username, pending: [] };
      bots.set(token, bot);
      return { token: bot.token, id: bot.id, username: bot.username, firstName: bot.firstName };
    },

    addChat(chatId, options = {}) {
      ensureChat(String(chatId), {
        started: options.started ?? true,
        ...(options.firstName ? { firstName: options.firstName } : {}),
        ...(options.lastName ? { lastName: options.lastName } : {}),
        ...(options.username ? { username: options.username } : {}),
      });
    },

    blockChat(chatId, blocked = true) {
      ensureChat(String(chatId)).blocked = blocked;
    },

    addFile(bytes, mimeType, options = {}) {
      return storeFile(bytes, mimeType, options.fileName).fileId;
    },

    failNext(method, failure) {
      const name = methodByLowerName.get(method.toLowerCase());
      if (!name) throw new Error(`fake telegram: unknown method ${method}`);
      failures.set(name, [...(failures.get(name) ?? []), { ...failure }]);
    },

    callsOf(method) {
      return calls.filter((c) => c.method.toLowerCase() === method.toLowerCase());
    },

    sentMessages(chatId) {
      return chatId === undefined ? [...sent] : sent.filter((m) => m.chatId === String(chatId));
    },

    webhookOf(token) {
      const hook = bots.get(token)?.webhook;
      return hook ? { ...hook } : undefined;
    },

    deliverUpdate,

    textUpdate({ chatId, text, firstName = 'Budi', lastName, username, languageCode, replyToMessageId, date }) {
      const id = String(chatId);
      const replyTo = replyToMessageId !== undefined ? chats.get(id)?.messages.get(replyToMessageId) : undefined;
      return {
        update_id: nextUpdateId++,
        message: compact({
          message_id: nextMessageId(id),
          from: userJson(chatId, firstName, { last_name: lastName, username, language_code: languageCode }),
          chat: compact({ id: Number(chatId), first_name: firstName, last_name: lastName, username, type: 'private' }),
          date: date ?? now(),
          text,
          reply_to_message: replyTo ?? (replyToMessageId !== undefined ? { message_id: replyToMessageId, date: now(), chat: { id: Number(chatId), type: 'private' } } : undefined),
        }),
      };
    },

    mediaUpdate({ chatId, kind, fileId, caption, fileName, firstName = 'Budi' }) {
      const file = files.get(fileId);
      const base = { file_id: fileId, file_unique_id: file?.fileUniqueId ?? `AgAD${randomBytes(9).toString('base64url')}`, file_size: file?.bytes.length };
      const content =
        kind === 'photo'
          ? { photo: [{ ...base, width: 90, height: 90 }, { ...base, width: 1280, height: 960 }] }
          : kind === 'voice'
            ? { voice: compact({ ...base, duration: 3, mime_type: 'audio/ogg' }) }
            : { document: compact({ ...base, file_name: fileName ?? file?.fileName ?? 'file.bin', mime_type: file?.mimeType }) };
      return {
        update_id: nextUpdateId++,
        message: compact({
          message_id: nextMessageId(String(chatId)),
          from: userJson(chatId, firstName),
          chat: { id: Number(chatId), first_name: firstName, type: 'private' },
          date: now(),
          ...content,
          caption,
        }),
      };
    },

    callbackUpdate({ chatId, data, messageId, buttonText, firstName = 'Budi', languageCode }) {
      const id = String(chatId);
      const botMessages = sent.filter((m) => m.chatId === id);
      const hasButton = (m: FakeSentMessage) =>
        ((m.message.reply_markup as Json | undefined)?.inline_keyboard as Json[][] | undefined)?.flat().some((b) => b.callback_data === data);
      const carrier =
        messageId !== undefined ? chats.get(id)?.messages.get(messageId) : [...botMessages].reverse().find(hasButton)?.message;
      const message = carrier ?? {
        message_id: messageId ?? nextMessageId(id),
        from: { id: 1, is_bot: true, first_name: 'Bot', username: 'bot' },
        chat: { id: Number(chatId), first_name: firstName, type: 'private' },
        date: now(),
        text: 'Pilih:',
        reply_markup: { inline_keyboard: [[{ text: buttonText ?? data, callback_data: data }]] },
      };
      return {
        update_id: nextUpdateId++,
        callback_query: {
          id: String(randomInt(1_000_000_000, 9_999_999_999)) + String(randomInt(100_000, 999_999)),
          from: userJson(chatId, firstName, { language_code: languageCode }),
          message,
          chat_instance: `-${randomInt(1_000_000_000, 9_999_999_999)}`,
          data,
        },
      };
    },

    blockedUpdate({ chatId, blocked = true, firstName = 'Budi', token }) {
      const bot = token ? bots.get(token) : undefined;
      const botUser = { id: bot?.id ?? 1, is_bot: true, first_name: bot?.firstName ?? 'Bot', username: bot?.username ?? 'bot' };
      return {
        update_id: nextUpdateId++,
        my_chat_member: {
          chat: { id: Number(chatId), first_name: firstName, type: 'private' },
          from: userJson(chatId, firstName),
          date: now(),
          old_chat_member: blocked ? { user: botUser, status: 'member' } : { user: botUser, status: 'kicked', until_date: 0 },
          new_chat_member: blocked ? { user: botUser, status: 'kicked', until_date: 0 } : { user: botUser, status: 'member' },
        },
      };
    },
  };
  return fake;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > REQUEST_BODY_LIMIT) throw new ApiError(413, 'Request Entity Too Large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function compact<T extends Json>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
