/**
 * Catalog keys for what the knowledge pages show about a source: its kind, its status and why it
 * failed. Shared by the server modules and the components (no server code here).
 */
import type { MessageKey } from '@sapa/shared/i18n';
import type { KnowledgeSourceKind, KnowledgeStatus, ResyncSchedule } from '@sapa/shared/models/knowledge-source';

/**
 * The reasons the worker gives a failed source (`errorCode`), each explained in the catalog as
 * `knowledge.error.<code>`. `fetch_error` is what a site's start page that could not be fetched
 * reports; anything unknown reads as the generic `failed`.
 */
export const KNOWLEDGE_ERROR_CODES = [
  'too_large',
  'unsupported_type',
  'encrypted',
  'no_text',
  'empty',
  'corrupt',
  'no_pages',
  'robots_disallowed',
  'not_html',
  'blocked_host',
  'bad_url',
  'http_error',
  'timeout',
  'network',
  'fetch_error',
  'plan_limit',
  'failed',
] as const;
export type KnowledgeErrorCode = (typeof KNOWLEDGE_ERROR_CODES)[number];

export function knowledgeErrorKey(code: string | null | undefined): MessageKey {
  const known = (KNOWLEDGE_ERROR_CODES as readonly string[]).includes(code ?? '') ? (code as KnowledgeErrorCode) : 'failed';
  return `knowledge.error.${known}`;
}

/** The schedules a web source can re-sync on, in the order the select lists them. */
export const RESYNC_OPTIONS = ['off', 'daily', 'weekly'] as const satisfies readonly ResyncSchedule[];

export const knowledgeKindKey = (kind: KnowledgeSourceKind): MessageKey => `knowledge.kind.${kind}`;
export const knowledgeStatusKey = (status: KnowledgeStatus): MessageKey => `knowledge.status.${status}`;
export const resyncKey = (resync: ResyncSchedule): MessageKey => `knowledge.resync.${resync}`;

/** A size as people read it ("10 MB", "64 KB"): the upload limit, a file's size. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}
