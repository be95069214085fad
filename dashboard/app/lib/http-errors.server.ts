/**
 * The one place where errors become HTTP answers: domain errors keep their status and get their
 * catalog message in the request's language; a database that cannot be reached is a 503; anything
 * else is logged and shown as a generic 500 message, never as a stack trace.
 */
import { data } from '@remix-run/node';
import { DomainError, t, type Locale } from '@sapa/shared';
import { logger } from './env.server';
import { resolveLocale } from './i18n.server';

export interface HttpError {
  status: number;
  message: string;
}

/** The body of every error answer, thrown to an ErrorBoundary or returned to a form. */
export interface ErrorBody {
  message: string;
}

const DATABASE_DOWN = /^Mongo(ose)?(ServerSelection|Network|NetworkTimeout|TopologyClosed|NotConnected)Error$/;

function isDatabaseDown(err: Error): boolean {
  // mongoose queues operations while disconnected and fails them with this message after a while.
  return DATABASE_DOWN.test(err.name) || /buffering timed out/.test(err.message);
}

export function toHttpError(err: unknown, locale: Locale): HttpError {
  if (err instanceof DomainError) return { status: err.status, message: t(locale, err.messageKey) };
  if (err instanceof Error && isDatabaseDown(err)) {
    logger.warn({ err: err.message }, 'database unavailable');
    return { status: 503, message: t(locale, 'error.unavailable') };
  }
  logger.error({ err }, 'unexpected error');
  return { status: 500, message: t(locale, 'error.internal') };
}

/**
 * Wraps a loader or action so that errors reach the ErrorBoundary as `{ message }` with the right
 * status. Redirects and responses thrown on purpose (they are not Error instances) pass through.
 */
export function withHttpErrors<Args extends { request: Request }, Result>(handler: (args: Args) => Promise<Result>) {
  return async (args: Args): Promise<Result> => {
    try {
      return await handler(args);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      const { status, message } = toHttpError(err, resolveLocale(args.request));
      throw data<ErrorBody>({ message }, { status });
    }
  };
}
