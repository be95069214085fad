/**
 * Typed domain errors. Each carries an HTTP status and a message key of the i18n catalog; the
 * gateway and the dashboard map them to responses in one place each.
 */
import type { MessageKey } from './i18n';

export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageKey: MessageKey,
    detail?: string,
  ) {
    super(detail ?? code);
    this.name = 'DomainError';
  }
}

export const notFound = (what: MessageKey, detail?: string) => new DomainError(404, 'not_found', what, detail);
export const forbidden = (what: MessageKey, detail?: string) => new DomainError(403, 'forbidden', what, detail);
export const conflict = (what: MessageKey, detail?: string) => new DomainError(409, 'conflict', what, detail);
export const badRequest = (what: MessageKey, detail?: string) => new DomainError(400, 'bad_request', what, detail);
/** A dependency (database, Temporal) is down: the caller should retry later. */
export const unavailable = (detail?: string) => new DomainError(503, 'unavailable', 'error.unavailable', detail);

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
