/**
 * What a stored message carries besides its text, made safe for the inbox to render: the
 * attachment (served by /media/:messageId once fetched), and the structured details channels store
 * (location, contact cards, a button reply, a reaction, forwarded/edited/unsupported flags).
 * `details` is whatever the channel adapter wrote, so each part is checked on its own and a part
 * that does not fit is left out rather than breaking the thread.
 */
import { z } from 'zod';
import type { Message } from '@sapa/shared';

export type MediaState = 'pending' | 'stored' | 'too_large' | 'failed';

export interface ThreadMedia {
  /** image, audio, voice, video, document, sticker. */
  kind: string;
  /** Where the inbox loads it from; null until the file is in Sapa's media store. */
  url: string | null;
  mimeType: string;
  fileName: string;
  state: MediaState;
}

export interface ThreadDetails {
  location: { latitude: number; longitude: number; name: string; address: string; mapUrl: string } | null;
  contacts: Array<{ name: string; phones: string[] }>;
  /** The button or list row the customer picked. */
  choice: { title: string; description: string } | null;
  /** `emoji: ''` is a removed reaction; `target` previews the message reacted to ('' when not in view). */
  reaction: { emoji: string; target: string } | null;
  forwarded: 'forwarded' | 'frequently_forwarded' | null;
  unsupported: { reason: string } | null;
  /** The ad or post the customer came from (Click-to-WhatsApp). */
  referral: { headline: string; url: string | null } | null;
  edited: boolean;
}

const locationSchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().optional(),
  address: z.string().optional(),
});
const contactsSchema = z.array(z.object({ name: z.string(), phones: z.array(z.string()).default([]) }));
const choiceSchema = z.object({ title: z.string(), description: z.string().optional() });
const reactionSchema = z.object({ targetChannelMessageId: z.string(), emoji: z.string() });
const unsupportedSchema = z.object({ reason: z.string(), type: z.string().optional() });
const referralSchema = z.object({ headline: z.string().optional(), body: z.string().optional(), sourceUrl: z.string().optional() });

function part<T>(schema: z.ZodType<T>, value: unknown): T | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Only web links become clickable; anything else (javascript:, data:) stays plain text. */
export function safeLink(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

export function mediaOf(message: Pick<Message, '_id' | 'media'>): ThreadMedia | null {
  const media = message.media;
  if (!media?.kind) return null;
  const state: MediaState = media.state ?? 'pending';
  return {
    kind: media.voice ? 'voice' : media.kind,
    url: state === 'stored' && media.storageKey ? `/media/${String(message._id)}` : null,
    mimeType: media.mimeType ?? '',
    fileName: media.fileName ?? '',
    state,
  };
}

/**
 * `previews` maps provider message ids (inbound ids and our sent ones' provider ids) to the text
 * of the messages in view, so a reaction can say what it reacted to.
 */
export function detailsOf(message: Pick<Message, 'details'>, previews: Map<string, string>): ThreadDetails {
  const raw = (message.details ?? {}) as Record<string, unknown>;
  const location = part(locationSchema, raw.location);
  const reaction = part(reactionSchema, raw.reaction);
  const referral = part(referralSchema, raw.referral);
  return {
    location: location
      ? {
          latitude: location.latitude,
          longitude: location.longitude,
          name: location.name ?? '',
          address: location.address ?? '',
          mapUrl: `https://www.google.com/maps/search/?api=1&query=${location.latitude},${location.longitude}`,
        }
      : null,
    contacts: part(contactsSchema, raw.contacts) ?? [],
    choice: (() => {
      const choice = part(choiceSchema, raw.interactive);
      return choice ? { title: choice.title, description: choice.description ?? '' } : null;
    })(),
    reaction: reaction ? { emoji: reaction.emoji, target: previews.get(reaction.targetChannelMessageId) ?? '' } : null,
    forwarded: raw.forwarded === 'forwarded' || raw.forwarded === 'frequently_forwarded' ? raw.forwarded : null,
    unsupported: part(unsupportedSchema, raw.unsupported),
    referral: referral && (referral.headline || referral.sourceUrl) ? { headline: referral.headline ?? referral.body ?? '', url: safeLink(referral.sourceUrl) } : null,
    edited: typeof raw.editOf === 'string' && raw.editOf.length > 0,
  };
}

/**
 * The text to show under the structured part. The adapters also write a readable rendering into
 * `text` ("📍 Toko, Jl. …", a button's title, the emoji) for previews and the bot; where the
 * structured part already shows it, repeating it would only add noise.
 */
export function visibleText(text: string, details: ThreadDetails): string {
  if (details.location || details.contacts.length > 0 || details.reaction || details.choice || details.unsupported) return '';
  return text;
}
