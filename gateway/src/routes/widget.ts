/**
 * The public widget API (docs/widget-api.md): config, visitor session, sending, and the realtime
 * stream. Rate-limited per IP on every route and per visitor on sending; every route checks the
 * chatbot's allowed origins.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import mongoose from 'mongoose';
import { z } from 'zod';
import {
  ConversationModel,
  DomainError,
  MessageModel,
  SSE_HEARTBEAT,
  WIDGET_EVENT_TYPES,
  badRequest,
  currentEventSeq,
  isLocale,
  parseLastEventId,
  sseEvent,
  sseRetry,
  toPublicMessage,
  type RealtimeEvent,
} from '@sapa/shared';
import type { GatewayDeps } from '../deps';
import { ingestInbound } from '../inbound/pipeline';
import { assertOriginAllowed, assertVisitorToken, findVisitorContact, findWebTarget, resolveVisitor } from '../web/visitors';

const params = z.object({ publicId: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/, 'not a chatbot id') });
const locale = z.enum(['id', 'en']);
const HISTORY_LIMIT = 200;
const HEARTBEAT_MS = 15_000;

const widgetRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { config, feed } = deps;
  const secret = config.SESSION_SECRET;
  const ipLimit = { max: config.RATE_LIMIT_IP_PER_MINUTE, timeWindow: '1 minute' };
  const ownOrigin = new URL(config.gatewayPublicUrl).origin;
  // A second budget per visitor on sending, on top of the per-IP one (many visitors can share an IP).
  // Open streams end when the gateway shuts down (they would otherwise hold `close()` forever).
  const openStreams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of openStreams) res.end();
  });
  const visitorLimit = app.createRateLimit({
    max: config.RATE_LIMIT_VISITOR_PER_MINUTE,
    timeWindow: '1 minute',
    keyGenerator: (req) => `visitor:${String(req.headers['x-visitor-id'] ?? req.ip)}`,
  });

  async function target(publicId: string, origin: string | undefined) {
    const t = await findWebTarget(publicId);
    assertOriginAllowed(t.chatbot, origin, ownOrigin);
    return t;
  }

  app.get('/config', { schema: { params }, config: { rateLimit: ipLimit } }, async (req) => {
    const { chatbot } = await target(req.params.publicId, req.headers.origin);
    return {
      chatbot: { name: chatbot.name, language: chatbot.language, greeting: chatbot.greeting },
      limits: { maxMessageChars: config.WIDGET_MAX_MESSAGE_CHARS },
    };
  });

  app.post(
    '/session',
    {
      schema: {
        params,
        body: z.object({ visitorId: z.string().max(64).optional(), token: z.string().max(128).optional(), locale: locale.optional() }).strict(),
      },
      config: { rateLimit: ipLimit },
    },
    async (req) => {
      const t = await target(req.params.publicId, req.headers.origin);
      // Read the stream position before the snapshot: anything newer arrives on the stream.
      const lastEventId = await currentEventSeq(String(t.chatbot.workspaceId));
      const visitor = await resolveVisitor(secret, t, req.body);
      let mode: string | null = null;
      let messages: ReturnType<typeof toPublicMessage>[] = [];
      if (visitor.currentConversationId) {
        const conversationId = new mongoose.Types.ObjectId(visitor.currentConversationId);
        const [conversation, rows] = await Promise.all([
          ConversationModel.findOne({ _id: conversationId, workspaceId: t.chatbot.workspaceId }).lean(),
          MessageModel.find({ conversationId, workspaceId: t.chatbot.workspaceId }).sort({ createdAt: -1 }).limit(HISTORY_LIMIT).lean(),
        ]);
        mode = conversation?.mode ?? null;
        messages = rows.reverse().map(toPublicMessage);
      }
      return { visitorId: visitor.visitorId, token: visitor.token, conversationId: visitor.currentConversationId, mode, messages, lastEventId };
    },
  );

  app.post(
    '/messages',
    {
      schema: {
        params,
        headers: z.object({ 'x-visitor-id': z.string().max(64).optional(), 'x-visitor-token': z.string().max(128).optional() }),
        body: z
          .object({
            clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'clientMessageId must be 8-64 characters of A-Z a-z 0-9 _ -'),
            text: z.string().max(100_000),
          })
          .strict(),
      },
      config: { rateLimit: ipLimit },
      preHandler: async (req) => {
        const verdict = await visitorLimit(req);
        if (!verdict.isAllowed && verdict.isExceeded) throw new DomainError(429, 'rate_limited', 'error.rateLimited');
      },
    },
    async (req, reply) => {
      const t = await target(req.params.publicId, req.headers.origin);
      const visitorId = req.headers['x-visitor-id'];
      assertVisitorToken(secret, t, visitorId, req.headers['x-visitor-token']);
      const text = req.body.text.trim();
      if (!text) throw badRequest('error.messageEmpty');
      if (text.length > config.WIDGET_MAX_MESSAGE_CHARS) throw badRequest('error.messageTooLong');
      const headerLocale = req.headers['accept-language']?.toLowerCase().startsWith('en') ? 'en' : undefined;
      const result = await ingestInbound(deps, t, {
        channelMessageId: req.body.clientMessageId,
        externalContactId: visitorId,
        kind: 'text',
        text,
        ...(isLocale(headerLocale) ? { locale: headerLocale } : {}),
      });
      return reply.status(202).send({ messageId: result.messageId, conversationId: result.conversationId, duplicate: result.duplicate });
    },
  );

  app.get(
    '/stream',
    {
      schema: {
        params,
        querystring: z.object({ visitorId: z.string().max(64).optional(), token: z.string().max(128).optional(), lastEventId: z.string().max(20).optional() }),
      },
      config: { rateLimit: ipLimit },
    },
    async (req, reply) => {
      const t = await target(req.params.publicId, req.headers.origin);
      const contact = await findVisitorContact(secret, t, req.query.visitorId, req.query.token);
      const contactId = String(contact._id);
      const after = parseLastEventId(req.headers['last-event-id'], req.query.lastEventId);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(sseRetry(2000));

      const send = (event: RealtimeEvent) => {
        const d = event.data as { conversationId?: string; message?: unknown; mode?: string; agentName?: string };
        res.write(sseEvent(event, { conversationId: d.conversationId, message: d.message, mode: d.mode, agentName: d.agentName }));
      };
      let unsubscribe: (() => void) | null = null;
      const heartbeat = setInterval(() => res.write(SSE_HEARTBEAT), HEARTBEAT_MS);
      openStreams.add(res);
      const cleanup = () => {
        clearInterval(heartbeat);
        unsubscribe?.();
        openStreams.delete(res);
      };
      req.raw.on('close', cleanup);
      try {
        unsubscribe = await feed.subscribe(String(t.chatbot.workspaceId), {
          after,
          filter: (e) => (WIDGET_EVENT_TYPES as readonly string[]).includes(e.type) && (e.data as { contactId?: string }).contactId === contactId,
          onEvent: send,
        });
        if (res.destroyed) cleanup();
      } catch (err) {
        req.log.warn({ err }, 'widget stream failed to start');
        cleanup();
        res.end();
      }
    },
  );
};

export default widgetRoutes;
