/**
 * Sapa's `OutboundMessage` → the request bodies of `POST /<V>/<PNID>/messages` (spec §4), within
 * WhatsApp's limits (§4.1). Pure: media must already be uploaded (the sender does that and passes
 * the media id). One outbound message can need several requests: a long text is split, a caption
 * that does not fit follows its media as text, buttons need the text as their body.
 */
import { ChannelSendError, type OutboundMessage } from '../types';

export const WHATSAPP_LIMITS = {
  textBody: 4096,
  caption: 1024,
  buttonsBody: 1024,
  listBody: 4096,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listButton: 20,
  listSections: 10,
  listRows: 10,
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
} as const;

/** Shown instead of an empty body, which WhatsApp refuses for buttons and lists. */
const EMPTY_BODY = '👇';
/** The list opener when more than three buttons become a list ("Menu" reads the same in Indonesian). */
const LIST_BUTTON_LABEL = 'Menu';
const CAPTIONED_KINDS = new Set(['image', 'video', 'document']);

export interface GraphMessageBody extends Record<string, unknown> {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: string;
  context?: { message_id: string };
}

type ListSpec = NonNullable<OutboundMessage['list']>;

/**
 * The requests to send, in order. `mediaId` is the uploaded id of `message.media` (required when
 * the message has media). The quoted reply (`replyTo`) goes on the first request only.
 */
export function buildMessageBodies(message: OutboundMessage, mediaId?: string): GraphMessageBody[] {
  const to = message.contactExternalId;
  const body = (type: string, payload: unknown): GraphMessageBody => ({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type,
    [type]: payload,
  });

  if (message.reaction) {
    // Reactions never quote: they already point at their message.
    return [body('reaction', { message_id: message.reaction.targetChannelMessageId, emoji: message.reaction.emoji })];
  }
  if (message.template) return withContext([body('template', templatePayload(message.template))], message.replyTo);

  const bodies: GraphMessageBody[] = [];
  let text = renderText(message);
  const list = message.list ?? (message.buttons && message.buttons.length > WHATSAPP_LIMITS.buttons ? buttonsAsList(message.buttons) : undefined);
  const buttons = list ? undefined : message.buttons?.length ? message.buttons : undefined;

  if (message.media) {
    if (!mediaId) throw new Error('buildMessageBodies: the media must be uploaded first');
    const media = message.media;
    const payload: Record<string, unknown> = { id: mediaId };
    if (media.kind === 'document' && media.fileName) payload.filename = media.fileName;
    // The text rides as the caption when it fits and no buttons need it as their body.
    if (CAPTIONED_KINDS.has(media.kind) && !list && !buttons && text && text.length <= WHATSAPP_LIMITS.caption) {
      payload.caption = text;
      text = '';
    }
    bodies.push(body(media.kind, payload));
  }

  if (buttons) {
    const { before, last } = splitWithLast(text, WHATSAPP_LIMITS.buttonsBody);
    bodies.push(...before.map((chunk) => body('text', textPayload(chunk))));
    bodies.push(body('interactive', buttonsPayload(last, buttons)));
  } else if (list) {
    const { before, last } = splitWithLast(text, WHATSAPP_LIMITS.listBody);
    bodies.push(...before.map((chunk) => body('text', textPayload(chunk))));
    bodies.push(body('interactive', listPayload(last, list)));
  } else {
    bodies.push(...splitText(text, WHATSAPP_LIMITS.textBody).map((chunk) => body('text', textPayload(chunk))));
  }

  if (bodies.length === 0) throw new ChannelSendError('permanent', 'the message has nothing to send (no text, media, buttons or template)');
  return withContext(bodies, message.replyTo);
}

function withContext(bodies: GraphMessageBody[], replyTo: string | undefined): GraphMessageBody[] {
  if (replyTo && bodies[0]) bodies[0] = { ...bodies[0], context: { message_id: replyTo } };
  return bodies;
}

/** The message text with its sources on a last line: `Sumber: Harga paket (https://…), FAQ`. */
export function renderText(message: Pick<OutboundMessage, 'text' | 'citations'>): string {
  const text = message.text.trim();
  const seen = new Set<string>();
  const sources: string[] = [];
  for (const citation of message.citations ?? []) {
    const title = citation.title.trim();
    const label = title && citation.url ? `${title} (${citation.url})` : title || citation.url || '';
    if (label && !seen.has(label)) {
      seen.add(label);
      sources.push(label);
    }
  }
  if (sources.length === 0) return text;
  return `${text}${text ? '\n\n' : ''}Sumber: ${sources.join(', ')}`;
}

function textPayload(text: string) {
  return { body: text, preview_url: false };
}

function templatePayload(template: NonNullable<OutboundMessage['template']>) {
  const params = template.bodyParams ?? [];
  return {
    name: template.name,
    language: { code: template.language },
    ...(params.length > 0 ? { components: [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }] } : {}),
  };
}

function buttonsPayload(text: string, buttons: NonNullable<OutboundMessage['buttons']>) {
  return {
    type: 'button',
    body: { text: text || EMPTY_BODY },
    action: {
      buttons: buttons.map((b) => ({
        type: 'reply',
        reply: { id: truncate(b.id, WHATSAPP_LIMITS.buttonId, ''), title: truncate(b.title, WHATSAPP_LIMITS.buttonTitle) },
      })),
    },
  };
}

/** More than three buttons do not fit in a button message; a one-section list keeps them all (up to 10). */
function buttonsAsList(buttons: NonNullable<OutboundMessage['buttons']>): ListSpec {
  return { button: LIST_BUTTON_LABEL, sections: [{ title: '', rows: buttons.map((b) => ({ id: b.id, title: b.title })) }] };
}

function listPayload(text: string, list: ListSpec) {
  let budget: number = WHATSAPP_LIMITS.listRows;
  const sections: Array<{ title: string; rows: Array<{ id: string; title: string; description?: string }> }> = [];
  for (const section of list.sections.slice(0, WHATSAPP_LIMITS.listSections)) {
    const rows = section.rows.slice(0, budget).map((row) => ({
      id: truncate(row.id, WHATSAPP_LIMITS.rowId, ''),
      title: truncate(row.title, WHATSAPP_LIMITS.rowTitle),
      ...(row.description ? { description: truncate(row.description, WHATSAPP_LIMITS.rowDescription) } : {}),
    }));
    budget -= rows.length;
    if (rows.length > 0) sections.push({ title: section.title, rows });
  }
  // A title is required on every section as soon as there is more than one.
  const titled = sections.map((s, i) => {
    const title = truncate(s.title.trim() || (sections.length > 1 ? String(i + 1) : ''), WHATSAPP_LIMITS.sectionTitle);
    return title ? { title, rows: s.rows } : { rows: s.rows };
  });
  return {
    type: 'list',
    body: { text: text || EMPTY_BODY },
    action: { button: truncate(list.button.trim() || LIST_BUTTON_LABEL, WHATSAPP_LIMITS.listButton), sections: titled },
  };
}

/** Shorten to `limit` UTF-16 units, ending in `ellipsis`, never cutting an emoji in half. */
export function truncate(text: string, limit: number, ellipsis = '…'): string {
  if (text.length <= limit) return text;
  return safeCut(text, limit - ellipsis.length).trimEnd() + ellipsis;
}

/** The prefix of at most `end` units, backing off one unit rather than splitting a surrogate pair. */
function safeCut(text: string, end: number): string {
  const code = text.charCodeAt(end - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}

const BREAKS = ['\n\n', '\n', '. ', ' '];

/** Split into chunks of at most `limit`, preferring paragraph, line, sentence and word boundaries. */
export function splitText(text: string, limit: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const cut = breakBefore(rest, limit);
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks;
}

/** Where to end a chunk of at most `limit`: after the last good break in its second half. */
function breakBefore(text: string, limit: number): number {
  const window = text.slice(0, limit + 1);
  for (const separator of BREAKS) {
    const at = window.lastIndexOf(separator);
    // Keep a sentence's full stop with its sentence.
    const cut = separator === '. ' ? at + 1 : at;
    if (at > 0 && cut <= limit && cut >= limit / 2) return cut;
  }
  return safeCut(text, limit).length;
}

/**
 * Split so that the last chunk fits `lastLimit` (an interactive body) and the ones before it fit a
 * text message: the words stay in order, and the buttons come with the end of the text.
 */
function splitWithLast(text: string, lastLimit: number): { before: string[]; last: string } {
  const trimmed = text.trim();
  if (trimmed.length <= lastLimit) return { before: [], last: trimmed };
  const minStart = trimmed.length - lastLimit;
  let start = minStart;
  for (const separator of BREAKS) {
    const at = trimmed.indexOf(separator, minStart);
    if (at >= 0 && trimmed.length - (at + separator.length) >= lastLimit / 2) {
      start = at + separator.length;
      break;
    }
  }
  // Do not start in the middle of a surrogate pair.
  const code = trimmed.charCodeAt(start);
  if (start === minStart && code >= 0xdc00 && code <= 0xdfff) start += 1;
  return { before: splitText(trimmed.slice(0, start), WHATSAPP_LIMITS.textBody), last: trimmed.slice(start).trim() };
}
