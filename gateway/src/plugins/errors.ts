/**
 * The one place where errors become HTTP answers. Every answer has the shape
 * `{ error: <code>, message: <text in the caller's language> }`; the caller's mistakes get a 4xx,
 * an unavailable database or Temporal a 503 (so providers retry), and anything else a 500 that
 * reveals nothing.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, localeFromAcceptLanguage, t, type MessageKey } from '@sapa/shared';

export function sendError(request: FastifyRequest, reply: FastifyReply, status: number, code: string, key: MessageKey, detail?: string) {
  const locale = localeFromAcceptLanguage(request.headers['accept-language']);
  return reply.status(status).send({ error: code, message: t(locale, key), ...(detail ? { detail } : {}) });
}

/** Errors that mean a dependency is down, not that the request was wrong. */
function isUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; message?: string };
  const name = e?.name ?? '';
  return (
    /^Mongo(Server)?(Selection|Network|NotConnected|Timeout)/.test(name) ||
    name === 'MongoPoolClearedError' ||
    name === 'MongoTopologyClosedError' ||
    name === 'ServiceError' || // Temporal client: the frontend is unreachable
    name === 'ConnectionError' ||
    (typeof e?.code === 'number' && e.code === 14) || // gRPC UNAVAILABLE
    /buffering timed out|ECONNREFUSED|UNAVAILABLE|DEADLINE_EXCEEDED/.test(e?.message ?? '')
  );
}

export default fp(async function errorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof DomainError) return sendError(request, reply, err.status, err.code, err.messageKey);
    if (hasZodFastifySchemaValidationErrors(err)) {
      const first = err.validation[0];
      const where = first ? `${first.instancePath || err.validationContext || ''} ${first.message ?? ''}`.trim() : undefined;
      return sendError(request, reply, 400, 'validation_failed', 'error.validation', where);
    }
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (err.statusCode === 400 && err instanceof SyntaxError)) {
      return sendError(request, reply, 400, 'malformed_json', 'error.malformedJson');
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
      return sendError(request, reply, 413, 'body_too_large', 'error.bodyTooLarge');
    }
    if (err.statusCode === 429) return sendError(request, reply, 429, 'rate_limited', 'error.rateLimited');
    if (err.statusCode === 415) return sendError(request, reply, 415, 'unsupported_media_type', 'error.validation', err.message);
    if (isUnavailable(err)) {
      request.log.warn({ err }, 'dependency unavailable');
      return sendError(request, reply, 503, 'unavailable', 'error.unavailable');
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(request, reply, err.statusCode, 'bad_request', 'error.validation', err.message);
    }
    request.log.error({ err }, 'unhandled error');
    return sendError(request, reply, 500, 'internal', 'error.internal');
  });

  app.setNotFoundHandler((request, reply) => sendError(request, reply, 404, 'not_found', 'error.notFound'));
});
