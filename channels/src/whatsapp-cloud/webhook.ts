/**
 * WhatsApp Cloud API webhook bodies (spec §1.3, §2, §3) → Sapa's normalized inbound messages and
 * delivery reports. One POST can batch several entries, changes, messages and statuses: every one
 * is read, never only the first. Meta adds fields over time, so the schemas accept unknown keys and
 * one malformed item never costs its siblings. A message Sapa cannot read still becomes an
 * `unsupported` inbound (the customer wrote something; an agent should see that), never dropped.
 */
import { z } from 'zod';
import type { InboundDetails, InboundKind, InboundMedia, NormalizedInbound, NormalizedStatus } from '../types';

// ── Schemas ────────────────────────────────────────────────────────────────────────────────────────

/** Shape of an error object in `messages[].errors`, `statuses[].errors` and `value.errors` (§3.3). */
export const webhookErrorSchema = z.object({
  code: z.coerce.number().int().optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional().catch(undefined),
});
type WebhookError = z.infer<typeof webhookErrorSchema>;

const errorList = z.array(webhookErrorSchema).optional().catch(undefined);

/** `contacts[]` next to `messages[]`: who sent them. */
const senderSchema = z.object({
  wa_id: z.string().optional(),
  profile: z.object({ name: z.string().optional() }).optional().catch(undefined),
});

const contextSchema = z.object({
  from: z.string().optional(),
  id: z.string().optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
});

const referralSchema = z.object({
  source_url: z.string().optional(),
  source_id: z.string().optional(),
  source_type: z.string().optional(),
  headline: z.string().optional(),
  body: z.string().optional(),
});

/** What every inbound message has; the per-type body is read separately (key = `type`). */
export const inboundMessageSchema = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.union([z.string(), z.number()]).optional(),
  type: z.string().min(1),
  context: contextSchema.optional().catch(undefined),
  referral: referralSchema.optional().catch(undefined),
  errors: errorList,
});
type InboundMessage = z.infer<typeof inboundMessageSchema>;

const mediaBodySchema = z.object({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

const coordinate = z.coerce.number().refine(Number.isFinite, 'not a coordinate');

/** Per-type bodies (§2.1). A type missing here, or a body that does not parse, becomes `unsupported`. */
const bodySchemas = {
  text: z.object({ body: z.string() }),
  image: mediaBodySchema,
  video: mediaBodySchema,
  audio: mediaBodySchema,
  document: mediaBodySchema,
  sticker: mediaBodySchema,
  location: z.object({
    latitude: coordinate,
    longitude: coordinate,
    name: z.string().optional(),
    address: z.string().optional(),
    url: z.string().optional(),
  }),
  contacts: z.array(
    z.object({
      name: z
        .object({ formatted_name: z.string().optional(), first_name: z.string().optional(), last_name: z.string().optional() })
        .optional()
        .catch(undefined),
      phones: z
        .array(z.object({ phone: z.string().optional(), wa_id: z.string().optional() }))
        .optional()
        .catch(undefined),
    }),
  ),
  interactive: z.object({
    type: z.string(),
    button_reply: z.object({ id: z.string(), title: z.string().default('') }).optional(),
    list_reply: z.object({ id: z.string(), title: z.string().default(''), description: z.string().optional() }).optional(),
    nfm_reply: z.object({ name: z.string().optional(), body: z.string().optional(), response_json: z.string().optional() }).optional(),
  }),
  button: z.object({ payload: z.string().optional(), text: z.string().optional() }),
  reaction: z.object({ message_id: z.string().min(1), emoji: z.string().optional() }),
  order: z.object({
    catalog_id: z.string().optional(),
    text: z.string().optional(),
    product_items: z
      .array(
        z.object({
          product_retailer_id: z.string(),
          quantity: z.coerce.number(),
          item_price: z.coerce.number().optional(),
          currency: z.string().optional(),
        }),
      )
      .default([]),
  }),
  system: z.object({
    body: z.string().optional(),
    type: z.string().optional(),
    wa_id: z.string().optional(),
    // Older API versions named the new number `new_wa_id`.
    new_wa_id: z.string().optional(),
  }),
} as const;
type BodyType = keyof typeof bodySchemas;
type Body<T extends BodyType> = z.infer<(typeof bodySchemas)[T]>;

export const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  recipient_id: z.string().optional(),
  errors: errorList,
});

const changeValueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
  contacts: z.array(z.unknown()).optional().catch(undefined),
  messages: z.array(z.unknown()).optional().catch(undefined),
  statuses: z.array(z.unknown()).optional().catch(undefined),
  errors: z.array(z.unknown()).optional().catch(undefined),
});

/**
 * The envelope (§1.3). Entries and changes are kept as `unknown` here and parsed one by one, so a
 * malformed sibling never hides the rest of a batch.
 */
export const webhookEnvelopeSchema = z.object({
  object: z.string().optional(),
  entry: z
    .array(z.object({ id: z.string().optional(), changes: z.array(z.unknown()).catch([]) }).catch({ changes: [] }))
    .catch([]),
});

const changeSchema = z.object({ field: z.string(), value: z.unknown() });

// ── Parsing ────────────────────────────────────────────────────────────────────────────────────────

export interface WhatsappWebhookEvent {
  /** The business number the event is for: the channel to route it to (and to reply from). */
  phoneNumberId: string;
  inbound?: NormalizedInbound;
  status?: NormalizedStatus;
}

export interface ParsedWebhook {
  events: WhatsappWebhookEvent[];
  /** Items that could not be read at all (no id, no sender, no phone number id): worth a log line. */
  skipped: number;
}

const DELIVERY_STATES = new Set<NormalizedStatus['status']>(['sent', 'delivered', 'read', 'played', 'failed']);

/** Every message and delivery report in a webhook body, in the order Meta put them. */
export function parseWebhook(body: unknown): ParsedWebhook {
  const events: WhatsappWebhookEvent[] = [];
  let skipped = 0;
  const envelope = webhookEnvelopeSchema.safeParse(body);
  if (!envelope.success) return { events, skipped: 1 };
  // Other products (Instagram, Page) share the webhook format; only WhatsApp's is ours.
  if (envelope.data.object !== undefined && envelope.data.object !== 'whatsapp_business_account') return { events, skipped };

  for (const entry of envelope.data.entry) {
    for (const rawChange of entry.changes) {
      const change = changeSchema.safeParse(rawChange);
      if (!change.success) {
        skipped += 1;
        continue;
      }
      // Template status updates, account and quality updates… are acknowledged and ignored.
      if (change.data.field !== 'messages') continue;
      const value = changeValueSchema.safeParse(change.data.value);
      if (!value.success) {
        skipped += 1;
        continue;
      }
      const { metadata, contacts = [], messages = [], statuses = [], errors = [] } = value.data;
      const phoneNumberId = metadata.phone_number_id;
      const names = senderNames(contacts);
      const changeErrors = errors.flatMap((e) => {
        const parsed = webhookErrorSchema.safeParse(e);
        return parsed.success ? [parsed.data] : [];
      });

      for (const raw of messages) {
        const inbound = normalizeMessage(raw, names, changeErrors);
        if (inbound) events.push({ phoneNumberId, inbound });
        else skipped += 1;
      }
      for (const raw of statuses) {
        const parsed = statusSchema.safeParse(raw);
        if (!parsed.success) {
          skipped += 1;
          continue;
        }
        const status = normalizeStatus(parsed.data);
        // `deleted` (and anything newer) says nothing about delivery: ignored on purpose.
        if (status) events.push({ phoneNumberId, status });
      }
    }
  }
  return { events, skipped };
}

function senderNames(contacts: unknown[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const raw of contacts) {
    const contact = senderSchema.safeParse(raw);
    const name = contact.success ? contact.data.profile?.name?.trim() : undefined;
    if (contact.success && contact.data.wa_id && name) names.set(contact.data.wa_id, name);
  }
  return names;
}

/** Unix seconds as a string (or number) → Date; undefined when absent or nonsense. */
function dateOf(timestamp: string | number | undefined): Date | undefined {
  if (timestamp === undefined) return undefined;
  const seconds = Number(timestamp);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : undefined;
}

/** `(#131051) Message type unknown: Message type is currently not supported.` */
export function describeWebhookError(error: WebhookError): string {
  const title = error.title ?? error.message ?? 'Unknown error';
  const details = error.error_data?.details;
  const text = details && details !== title ? `${title}: ${details}` : title;
  return error.code === undefined ? text : `(#${error.code}) ${text}`;
}

/** The error of a failed delivery, with Sapa's reason code where one means something to the hub. */
function deliveryError(errors: WebhookError[] | undefined): { code: string; reason: string } {
  const first = errors?.[0];
  if (!first) return { code: 'unknown', reason: 'WhatsApp reported the message as failed without an error' };
  // 131047: the 24-hour window closed before the message went out; only a template can reach them now.
  const code = first.code === 131047 ? 'window_closed' : String(first.code ?? 'unknown');
  return { code, reason: describeWebhookError(first) };
}

function normalizeStatus(status: z.infer<typeof statusSchema>): NormalizedStatus | null {
  const state = status.status as NormalizedStatus['status'];
  if (!DELIVERY_STATES.has(state)) return null;
  return {
    providerMessageId: status.id,
    status: state,
    at: dateOf(status.timestamp) ?? new Date(),
    ...(state === 'failed' ? { error: deliveryError(status.errors) } : {}),
  };
}

/** What a message's body turned into. */
interface Content {
  kind: InboundKind;
  text: string;
  media?: InboundMedia;
  details?: InboundDetails;
}

function normalizeMessage(raw: unknown, names: Map<string, string>, changeErrors: WebhookError[]): NormalizedInbound | null {
  const parsed = inboundMessageSchema.safeParse(raw);
  if (!parsed.success) return null;
  const message = parsed.data;
  const content = readContent(message, (raw as Record<string, unknown>)[message.type], changeErrors);

  const details: InboundDetails = { ...content.details };
  const context = message.context;
  if (context?.frequently_forwarded) details.forwarded = 'frequently_forwarded';
  else if (context?.forwarded) details.forwarded = 'forwarded';
  if (message.referral) {
    const r = message.referral;
    details.referral = compact({ sourceUrl: r.source_url, sourceId: r.source_id, sourceType: r.source_type, headline: r.headline, body: r.body });
  }

  const contactName = names.get(message.from);
  const sentAt = dateOf(message.timestamp);
  return {
    channelMessageId: message.id,
    externalContactId: message.from,
    kind: content.kind,
    text: content.text,
    ...(contactName ? { contactName } : {}),
    ...(content.media ? { media: content.media } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
    ...(context?.id ? { replyTo: context.id } : {}),
    ...(sentAt ? { sentAt } : {}),
  };
}

function isBodyType(type: string): type is BodyType {
  return Object.hasOwn(bodySchemas, type);
}

function readContent(message: InboundMessage, rawBody: unknown, changeErrors: WebhookError[]): Content {
  const type = message.type;
  if (type === 'unsupported' || type === 'unknown') {
    const declared = z.object({ type: z.string().optional() }).safeParse(rawBody);
    const error = message.errors?.[0] ?? changeErrors[0];
    return unsupported(declared.success ? declared.data.type : undefined, error ? describeWebhookError(error) : 'Message type is not supported by WhatsApp Cloud API');
  }
  if (!isBodyType(type)) return unsupported(type, `Message type "${type}" is not supported by Sapa`);
  if (rawBody === undefined) {
    // Seen in the wild: `type: "interactive"` with no `interactive` object (Meta attaches an error).
    const error = message.errors?.[0] ?? changeErrors[0];
    const why = `The "${type}" message arrived without its content`;
    return unsupported(type, error ? `${why} ${describeWebhookError(error)}` : why);
  }
  const body = bodySchemas[type].safeParse(rawBody);
  if (!body.success) return unsupported(type, `The "${type}" message content could not be read`);
  return contentOf(type, body.data);
}

function unsupported(type: string | undefined, reason: string): Content {
  return { kind: 'unsupported', text: '', details: { unsupported: compact({ type, reason }) } };
}

function contentOf(type: BodyType, body: Body<BodyType>): Content {
  switch (type) {
    case 'text':
      return { kind: 'text', text: (body as Body<'text'>).body };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return mediaContent(type, body as Body<'image'>);
    case 'location':
      return locationContent(body as Body<'location'>);
    case 'contacts':
      return contactsContent(body as Body<'contacts'>);
    case 'interactive':
      return interactiveContent(body as Body<'interactive'>);
    case 'button': {
      // A tap on a template's quick-reply button: the payload is the id the template was sent with.
      const button = body as Body<'button'>;
      const title = button.text ?? button.payload ?? '';
      return { kind: 'interactive', text: title, details: { interactive: { id: button.payload ?? title, title, source: 'template_button' } } };
    }
    case 'reaction': {
      const reaction = body as Body<'reaction'>;
      // Removal arrives as `emoji: ""` or without `emoji`; both become ''.
      const emoji = reaction.emoji ?? '';
      return { kind: 'reaction', text: emoji, details: { reaction: { targetChannelMessageId: reaction.message_id, emoji } } };
    }
    case 'order':
      return orderContent(body as Body<'order'>);
    case 'system': {
      const system = body as Body<'system'>;
      const newExternalId = system.wa_id ?? system.new_wa_id;
      return {
        kind: 'system',
        text: system.body ?? '',
        details: { system: compact({ type: system.type ?? 'unknown', newExternalId }) },
      };
    }
  }
}

function mediaContent(type: 'image' | 'video' | 'audio' | 'document' | 'sticker', body: Body<'image'>): Content {
  const media: InboundMedia = compact({
    providerMediaId: body.id,
    mimeType: body.mime_type,
    sha256: body.sha256,
    fileName: body.filename,
    voice: body.voice === true ? true : undefined,
    animated: body.animated === true ? true : undefined,
  });
  // A voice note is `type: "audio"` with `voice: true`; Sapa shows (and transcribes) it differently.
  const kind: InboundKind = type === 'audio' && body.voice === true ? 'voice' : type;
  return { kind, text: body.caption ?? '', media };
}

function locationContent(body: Body<'location'>): Content {
  const location = compact({ latitude: body.latitude, longitude: body.longitude, name: body.name, address: body.address, url: body.url });
  const label = [body.name, body.address].filter((part) => part && part.trim()).join(', ');
  return { kind: 'location', text: `📍 ${label || `${body.latitude}, ${body.longitude}`}`, details: { location } };
}

function contactsContent(body: Body<'contacts'>): Content {
  const cards = body.map((card) => {
    const name = card.name?.formatted_name || [card.name?.first_name, card.name?.last_name].filter(Boolean).join(' ');
    const phones = (card.phones ?? []).map((p) => p.phone ?? p.wa_id).filter((p): p is string => Boolean(p));
    return { name: name || phones[0] || '?', phones };
  });
  return { kind: 'contacts', text: `👤 ${cards.map((c) => c.name).join(', ')}`, details: { contacts: cards } };
}

function interactiveContent(body: Body<'interactive'>): Content {
  if (body.type === 'button_reply' && body.button_reply) {
    const { id, title } = body.button_reply;
    return { kind: 'interactive', text: title, details: { interactive: { id, title, source: 'button' } } };
  }
  if (body.type === 'list_reply' && body.list_reply) {
    const { id, title, description } = body.list_reply;
    return { kind: 'interactive', text: title, details: { interactive: compact({ id, title, description, source: 'list' as const }) } };
  }
  if (body.type === 'nfm_reply' && body.nfm_reply) {
    // A completed WhatsApp Flow: `response_json` holds the customer's answers, kept as the description.
    const { name, body: title = '', response_json } = body.nfm_reply;
    return {
      kind: 'interactive',
      text: title,
      details: { interactive: compact({ id: name ?? 'flow', title, description: response_json, source: 'flow' as const }) },
    };
  }
  return unsupported('interactive', `Interactive reply of type "${body.type}" is not supported by Sapa`);
}

function orderContent(body: Body<'order'>): Content {
  const items = body.product_items.map((item) =>
    compact({ productId: item.product_retailer_id, quantity: item.quantity, price: item.item_price, currency: item.currency }),
  );
  const summary = items.map((item) => `${item.quantity}× ${item.productId}`).join(', ');
  const text = body.text?.trim() || `🛒 ${summary}`;
  return { kind: 'order', text, details: { order: compact({ catalogId: body.catalog_id, items }) } };
}

/** Drop undefined properties (stored documents stay small and `toEqual` in tests stays exact). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
