/**
 * Widget visitors: which chatbot and web channel a public id names, whether a page's origin may use
 * it, and the anonymous visitor identity (a random id plus an HMAC token the widget keeps).
 */
import { randomUUID } from 'node:crypto';
import {
  ChannelModel,
  ChatbotModel,
  DomainError,
  TtlCache,
  findContact,
  upsertContact,
  forbidden,
  notFound,
  signVisitorToken,
  verifyVisitorToken,
  type Channel,
  type Chatbot,
  type Locale,
} from '@sapa/shared';

export interface WebTarget {
  chatbot: Chatbot;
  channel: Channel;
}

// Every widget request needs these; a changed setting (allowed origins) applies within seconds.
const targets = new TtlCache<WebTarget | null>(5000);

/** The chatbot and its web channel; cached briefly because every widget request needs them. */
export async function findWebTarget(publicId: string): Promise<WebTarget> {
  const target = await targets.get(publicId, async () => {
    const chatbot = await ChatbotModel.findOne({ publicId }).lean<Chatbot>();
    const channel = chatbot
      ? await ChannelModel.findOne({ chatbotId: chatbot._id, workspaceId: chatbot.workspaceId, type: 'web', status: 'active' }).lean<Channel>()
      : null;
    return chatbot && channel ? { chatbot, channel } : null;
  });
  if (!target) throw notFound('error.chatbotNotFound');
  return target;
}

/** A page may use the widget when the chatbot allows its origin (no list = any origin). */
export function assertOriginAllowed(chatbot: Chatbot, origin: string | undefined, ownOrigin: string) {
  if (!origin || chatbot.allowedOrigins.length === 0) return;
  const normalized = origin.replace(/\/$/, '').toLowerCase();
  if (normalized === ownOrigin.toLowerCase()) return; // the gateway's own demo page
  if (chatbot.allowedOrigins.some((o) => o.replace(/\/$/, '').toLowerCase() === normalized)) return;
  throw forbidden('error.originNotAllowed');
}

export interface Visitor {
  visitorId: string;
  token: string;
  contactId: string;
  currentConversationId: string | null;
  isNew: boolean;
}

const VISITOR_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Resume the visitor the widget remembers, or start a new one; either way the contact exists afterwards. */
export async function resolveVisitor(
  secret: string,
  target: WebTarget,
  claim: { visitorId?: string; token?: string; locale?: Locale },
): Promise<Visitor> {
  const publicId = target.chatbot.publicId;
  const valid = Boolean(claim.visitorId && claim.token && VISITOR_ID.test(claim.visitorId) && verifyVisitorToken(secret, publicId, claim.visitorId, claim.token));
  const visitorId = valid ? claim.visitorId! : randomUUID();
  const contact = await upsertContact(
    { workspaceId: target.channel.workspaceId, channelId: target.channel._id, externalId: visitorId },
    { name: '' },
    { lastSeenAt: new Date(), ...(claim.locale ? { locale: claim.locale } : {}) },
  );
  return {
    visitorId,
    token: signVisitorToken(secret, publicId, visitorId),
    contactId: String(contact._id),
    currentConversationId: contact.currentConversationId ? String(contact.currentConversationId) : null,
    isNew: !valid,
  };
}

/** Check the visitor identity a request carries. */
export function assertVisitorToken(secret: string, target: WebTarget, visitorId: string | undefined, token: string | undefined): asserts visitorId is string {
  if (!visitorId || !token || !VISITOR_ID.test(visitorId) || !verifyVisitorToken(secret, target.chatbot.publicId, visitorId, token)) {
    throw new DomainError(401, 'visitor_token_invalid', 'error.visitorTokenInvalid');
  }
}

/** The visitor's contact, for streams; it exists once the widget has opened a session. */
export async function findVisitorContact(secret: string, target: WebTarget, visitorId: string | undefined, token: string | undefined) {
  assertVisitorToken(secret, target, visitorId, token);
  const contact = await findContact(target.channel._id, visitorId);
  if (!contact) throw new DomainError(401, 'visitor_token_invalid', 'error.visitorTokenInvalid');
  return contact;
}
