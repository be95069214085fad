/**
 * The workspace's knowledge as the dashboard shows and changes it: the list of sources with their
 * live status, one source's page with its chunks, and adding, reprocessing, re-linking, re-sync
 * scheduling and deleting sources. The dashboard only records what the owner asked for and starts
 * the source's ingestion workflow (`knowledge/<sourceId>`); the worker does all the processing and
 * reports progress as `knowledgeUpdated` events.
 *
 * Only owners and admins change knowledge; agents may look.
 */
import {
  ChatbotModel,
  DomainError,
  KnowledgeChunkModel,
  KnowledgeSourceModel,
  MediaStore,
  applyResyncSchedule,
  assertPlanAllows,
  badRequest,
  currentEventSeq,
  forbidden,
  isValidObjectId,
  notFound,
  publishEvent,
  startKnowledgeRun,
  unavailable,
  type Chatbot,
  type KnowledgeChunk,
  type KnowledgeRunReason,
  type KnowledgeSource,
  type KnowledgeSourceKind,
  type KnowledgeStatus,
  type Locale,
  type Membership,
  type ResyncSchedule,
} from '@sapa/shared';
import { config, ensureDatabase, logger, temporalClient } from './env.server';
import { type KnowledgeFormResult, type NewFileInput, type NewSourceInput, parseUpload, uploadTooLarge } from './knowledge-forms.server';
import { formatBytes } from './knowledge-labels';
import { requireUser, type SessionUser } from './session.server';
import { timeFormatter } from './time.server';

const media = new MediaStore(config.mediaDir);

/** Room for the upload form's other fields (token, chatbot checkboxes) around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;
/** Chunks per page of the chunk viewer. */
export const CHUNKS_PER_PAGE = 20;

export function canManageKnowledge(membership: Pick<Membership, 'role'>): boolean {
  return membership.role === 'owner' || membership.role === 'admin';
}

/** The signed-in owner or admin; a 403 for an agent (and the login redirect when signed out). */
export async function requireKnowledgeEditor(request: Request): Promise<SessionUser> {
  const signedIn = await requireUser(request);
  if (!canManageKnowledge(signedIn.membership)) throw forbidden('error.knowledgeAdminOnly');
  return signedIn;
}

interface ViewContext {
  workspaceId: string;
  locale: Locale;
  timeZone: string | null | undefined;
}

export interface ChatbotChoice {
  id: string;
  name: string;
}

export interface SyncTally {
  added: number;
  changed: number;
  unchanged: number;
  removed: number;
  skipped: number;
}

export interface KnowledgeSourceRow {
  id: string;
  name: string;
  kind: KnowledgeSourceKind;
  status: KnowledgeStatus;
  /** Units done of total while processing (total 0: still planning). */
  progress: { done: number; total: number } | null;
  chunkCount: number;
  /** The chatbots it serves, by name. */
  chatbotNames: string[];
  /** The web address (url, sitemap), or the file's size. */
  detail: string;
  resync: ResyncSchedule;
  /** When it was last processed, in the workspace's time zone ('' before the first run ends). */
  lastSyncedAt: string;
  /** A site's last sync: pages added, changed, unchanged, removed, skipped. */
  lastSync: SyncTally | null;
  errorCode: string;
  error: string;
}

export interface KnowledgeListView {
  sources: KnowledgeSourceRow[];
  chatbots: ChatbotChoice[];
  /** The realtime stream continues from here (the worker's progress events). */
  lastEventId: number;
  maxUploadBytes: number;
  maxPagesLimit: number;
}

function sizeLabel(bytes: number | null | undefined): string {
  return bytes ? formatBytes(bytes) : '';
}

function tallyOf(source: KnowledgeSource): SyncTally | null {
  const tally = source.lastSync;
  if ((source.kind !== 'sitemap' && source.kind !== 'url') || !source.lastSyncedAt || !tally) return null;
  return {
    added: tally.added ?? 0,
    changed: tally.changed ?? 0,
    unchanged: tally.unchanged ?? 0,
    removed: tally.removed ?? 0,
    skipped: tally.skipped ?? 0,
  };
}

function rowOf(source: KnowledgeSource, chatbotNames: Map<string, string>, format: (d: Date) => string): KnowledgeSourceRow {
  const status = source.status ?? 'queued';
  return {
    id: String(source._id),
    name: source.name,
    kind: source.kind,
    status,
    progress: status === 'processing' ? { done: source.progress?.done ?? 0, total: source.progress?.total ?? 0 } : null,
    chunkCount: source.chunkCount ?? 0,
    chatbotNames: source.chatbotIds.map((id) => chatbotNames.get(String(id))).filter((n): n is string => Boolean(n)),
    detail: source.kind === 'url' || source.kind === 'sitemap' ? (source.url ?? '') : source.kind === 'file' ? sizeLabel(source.file?.size) : '',
    resync: source.resync ?? 'off',
    lastSyncedAt: source.lastSyncedAt ? format(source.lastSyncedAt) : '',
    lastSync: tallyOf(source),
    errorCode: status === 'failed' ? source.errorCode || 'failed' : '',
    error: status === 'failed' ? (source.error ?? '') : '',
  };
}

async function workspaceChatbots(workspaceId: string): Promise<Chatbot[]> {
  return ChatbotModel.find({ workspaceId }).sort({ createdAt: 1 }).lean<Chatbot[]>();
}

export async function loadKnowledgeList(ctx: ViewContext): Promise<KnowledgeListView> {
  await ensureDatabase();
  const lastEventId = await currentEventSeq(ctx.workspaceId);
  const [sources, chatbots] = await Promise.all([
    KnowledgeSourceModel.find({ workspaceId: ctx.workspaceId }).sort({ createdAt: -1 }).lean<KnowledgeSource[]>(),
    workspaceChatbots(ctx.workspaceId),
  ]);
  const names = new Map(chatbots.map((c) => [String(c._id), c.name]));
  const time = timeFormatter(ctx.locale, ctx.timeZone);
  return {
    sources: sources.map((s) => rowOf(s, names, time.full)),
    chatbots: chatbots.map((c) => ({ id: String(c._id), name: c.name })),
    lastEventId,
    maxUploadBytes: config.KNOWLEDGE_MAX_UPLOAD_BYTES,
    maxPagesLimit: config.CRAWL_MAX_PAGES,
  };
}

/** Tells every open dashboard of the workspace that a source changed (the worker does the same). */
async function announceSource(workspaceId: string, sourceId: string, status: KnowledgeStatus): Promise<void> {
  await publishEvent({ workspaceId, type: 'knowledgeUpdated', data: { sourceId, status } });
}

/** Rejects chatbot ids that are not this workspace's (a tampered form). */
async function assertOwnChatbots(workspaceId: string, chatbotIds: string[]): Promise<void> {
  if (chatbotIds.length === 0) return;
  const found = await ChatbotModel.countDocuments({ _id: { $in: chatbotIds }, workspaceId });
  if (found !== chatbotIds.length) throw badRequest('error.validation', 'unknown chatbot');
}

async function startRun(workspaceId: string, sourceId: string, reason: KnowledgeRunReason): Promise<void> {
  const client = await temporalClient();
  await startKnowledgeRun(client, config.TEMPORAL_TASK_QUEUE, { sourceId, workspaceId, reason });
}

async function applySchedule(workspaceId: string, sourceId: string, resync: ResyncSchedule): Promise<void> {
  const client = await temporalClient();
  await applyResyncSchedule(client, config.TEMPORAL_TASK_QUEUE, { sourceId, workspaceId, resync });
}

function kindFields(input: NewSourceInput | NewFileInput, mediaKey: string | null) {
  switch (input.kind) {
    case 'file':
      return { file: { mediaKey, originalName: input.name, size: input.size } };
    case 'text':
      return { text: input.text };
    case 'faq':
      return { faq: input.faq };
    case 'url':
      return { url: input.url, resync: input.resync };
    case 'sitemap':
      return { url: input.url, maxPages: input.maxPages, resync: input.resync };
  }
}

/**
 * Records a new source (`queued`) and starts its processing, and for a site or page its re-sync
 * schedule. When Temporal cannot take the run, nothing is left behind: the owner is told to try
 * again instead of watching a source that never moves.
 */
export async function createSource(admin: SessionUser, input: NewSourceInput | NewFileInput): Promise<string> {
  const workspaceId = String(admin.workspace._id);
  await ensureDatabase();
  await assertOwnChatbots(workspaceId, input.chatbotIds);
  await assertPlanAllows(workspaceId, 'knowledgeSources');
  const mediaKey = input.kind === 'file' ? await media.put(workspaceId, input.bytes) : null;
  const source = await KnowledgeSourceModel.create({
    workspaceId,
    chatbotIds: input.chatbotIds,
    kind: input.kind,
    name: input.name,
    status: 'queued',
    ...kindFields(input, mediaKey),
  }).catch(async (err: unknown) => {
    // No source points at the stored file: it would never be removed.
    if (mediaKey) await media.remove(mediaKey);
    throw err;
  });
  const sourceId = String(source._id);
  try {
    await startRun(workspaceId, sourceId, 'create');
    if ((input.kind === 'url' || input.kind === 'sitemap') && input.resync !== 'off') await applySchedule(workspaceId, sourceId, input.resync);
  } catch (err) {
    logger.warn({ err, sourceId }, 'knowledge run could not be started');
    await KnowledgeSourceModel.deleteOne({ _id: source._id, workspaceId });
    if (mediaKey) await media.remove(mediaKey);
    await applySchedule(workspaceId, sourceId, 'off').catch(() => undefined);
    throw unavailable('knowledge run not started');
  }
  await announceSource(workspaceId, sourceId, 'queued');
  return sourceId;
}

/** Past this much, a refused upload's body is not read to its end: the connection is dropped instead. */
const DISCARD_AT_MOST_BYTES = 100 * 1024 * 1024;

/** Headers of an answer to a refused upload: the connection is not reused after it. */
export const CLOSE_CONNECTION = { Connection: 'close' } as const;

/**
 * Reads and drops a refused request's body. A server that answers before the browser has sent
 * everything gets its connection reset under the browser, which then shows a network error
 * instead of the answer; nothing read here is kept.
 */
async function discardBody(request: Request): Promise<void> {
  const reader = request.body?.getReader();
  if (!reader) return;
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
      if (seen > DISCARD_AT_MOST_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away: nothing to answer.
  }
}

/**
 * A 413 for an upload whose declared size cannot fit, decided before its body is parsed (or kept
 * in memory). Only the upload form is multipart, so a long typed text is never mistaken for one.
 */
export async function refuseOversizedUpload(request: Request, locale: Locale): Promise<KnowledgeFormResult<never> | null> {
  const multipart = (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
  const length = Number(request.headers.get('content-length') ?? '0');
  const limit = config.KNOWLEDGE_MAX_UPLOAD_BYTES;
  if (!multipart || length <= limit + FORM_OVERHEAD_BYTES) return null;
  await discardBody(request);
  return uploadTooLarge(locale, limit);
}

/**
 * The upload form once read (the caller checked its CSRF token), from the plain form post and
 * from the page's progress-bar upload alike. The file is checked again by its real size.
 */
export async function uploadFromForm(form: FormData, admin: SessionUser, locale: Locale): Promise<KnowledgeFormResult<{ sourceId: string }>> {
  const parsed = await parseUpload(form, locale, config.KNOWLEDGE_MAX_UPLOAD_BYTES);
  if (!parsed.ok) return parsed;
  return { ok: true, value: { sourceId: await createSource(admin, parsed.value) } };
}

/** The source with this id in this workspace; a 404 for a malformed id or another workspace's. */
export async function findSource(workspaceId: string, sourceId: string | undefined): Promise<KnowledgeSource> {
  if (!isValidObjectId(sourceId)) throw notFound('error.knowledgeNotFound');
  await ensureDatabase();
  const source = await KnowledgeSourceModel.findOne({ _id: sourceId, workspaceId }).lean<KnowledgeSource>();
  if (!source) throw notFound('error.knowledgeNotFound');
  return source;
}

export interface ChunkView {
  id: string;
  position: number;
  heading: string;
  title: string;
  url: string;
  page: number | null;
  tokens: number;
  text: string;
}

export interface SourceDetails extends KnowledgeSourceRow {
  chatbotIds: string[];
  url: string;
  maxPages: number | null;
  fileName: string;
  fileSize: string;
  format: string;
  tokenCount: number;
  pageCount: number;
  faqCount: number;
  createdAt: string;
  embedding: string;
}

export interface SourcePageView {
  source: SourceDetails;
  chatbots: ChatbotChoice[];
  chunks: ChunkView[];
  chunkPage: number;
  chunkPages: number;
  chunkTotal: number;
  /** Chunks on the pages before this one (the list's numbering continues from it). */
  chunkOffset: number;
  lastEventId: number;
}

export async function loadSourcePage(ctx: ViewContext, sourceId: string | undefined, chunkPage: number): Promise<SourcePageView> {
  const lastEventId = await currentEventSeq(ctx.workspaceId);
  const source = await findSource(ctx.workspaceId, sourceId);
  const chatbots = await workspaceChatbots(ctx.workspaceId);
  const names = new Map(chatbots.map((c) => [String(c._id), c.name]));
  const time = timeFormatter(ctx.locale, ctx.timeZone);
  const filter = { workspaceId: ctx.workspaceId, sourceId: source._id };
  const chunkTotal = await KnowledgeChunkModel.countDocuments(filter);
  const chunkPages = Math.max(1, Math.ceil(chunkTotal / CHUNKS_PER_PAGE));
  const page = Math.min(chunkPage, chunkPages);
  const chunks = await KnowledgeChunkModel.find(filter, { vector: 0 })
    .sort({ pageKey: 1, position: 1 })
    .skip((page - 1) * CHUNKS_PER_PAGE)
    .limit(CHUNKS_PER_PAGE)
    .lean<Array<KnowledgeChunk & { _id: string }>>();
  const createdAt = (source as { createdAt?: Date }).createdAt;
  const embedding = source.embedding?.provider ? `${source.embedding.provider} · ${source.embedding.model ?? ''}` : '';
  return {
    source: {
      ...rowOf(source, names, time.full),
      chatbotIds: source.chatbotIds.map(String),
      url: source.url ?? '',
      maxPages: source.maxPages ?? null,
      fileName: source.file?.originalName ?? '',
      fileSize: sizeLabel(source.file?.size),
      format: source.file?.format ?? '',
      tokenCount: source.tokenCount ?? 0,
      pageCount: source.pageCount ?? 0,
      faqCount: source.faq?.length ?? 0,
      createdAt: createdAt ? time.full(createdAt) : '',
      embedding,
    },
    chatbots: chatbots.map((c) => ({ id: String(c._id), name: c.name })),
    chunks: chunks.map((c) => ({
      id: String(c._id),
      position: c.position,
      heading: c.heading ?? '',
      title: c.title ?? '',
      url: c.url ?? '',
      page: c.page ?? null,
      tokens: c.tokens ?? 0,
      text: c.text,
    })),
    chunkPage: page,
    chunkPages,
    chunkTotal,
    chunkOffset: (page - 1) * CHUNKS_PER_PAGE,
    lastEventId,
  };
}

/** A source being deleted takes no other change: its run is removing it. */
function assertNotDeleting(source: KnowledgeSource): void {
  if (source.status === 'deleting') throw new DomainError(409, 'conflict', 'error.knowledgeDeleting');
}

/** Processes the source again from scratch (new chunk size, new embedding, a changed document). */
export async function reprocessSource(admin: SessionUser, sourceId: string | undefined): Promise<void> {
  const workspaceId = String(admin.workspace._id);
  const source = await findSource(workspaceId, sourceId);
  assertNotDeleting(source);
  await queueReprocess(workspaceId, source);
}

async function queueReprocess(workspaceId: string, source: Pick<KnowledgeSource, '_id'>): Promise<void> {
  const sourceId = String(source._id);
  // The newest request wins: the revision tells a run that a newer one replaced it.
  const updated = await KnowledgeSourceModel.updateOne(
    { _id: source._id, workspaceId, status: { $ne: 'deleting' } },
    { $set: { status: 'queued', error: '', errorCode: '', progress: { done: 0, total: 0 } }, $inc: { revision: 1 } },
  );
  if (updated.matchedCount === 0) return;
  await startRun(workspaceId, sourceId, 'reprocess');
  await announceSource(workspaceId, sourceId, 'queued');
}

/** Reprocesses every source a chatbot uses (after its chunking or embedding settings changed). */
export async function reprocessChatbotSources(workspaceId: string, chatbotId: string): Promise<number> {
  await ensureDatabase();
  const sources = await KnowledgeSourceModel.find({ workspaceId, chatbotIds: chatbotId, status: { $ne: 'deleting' } }, { _id: 1 }).lean();
  for (const source of sources) await queueReprocess(workspaceId, source);
  return sources.length;
}

/**
 * Marks the source `deleting` (no other change is accepted from then on), stops its re-sync and
 * starts the run that removes its vectors, chunks, pages, file and finally the source itself.
 */
export async function deleteSource(admin: SessionUser, sourceId: string | undefined): Promise<void> {
  const workspaceId = String(admin.workspace._id);
  const source = await findSource(workspaceId, sourceId);
  const id = String(source._id);
  await KnowledgeSourceModel.updateOne({ _id: source._id, workspaceId }, { $set: { status: 'deleting', resync: 'off' } });
  await applySchedule(workspaceId, id, 'off');
  await startRun(workspaceId, id, 'delete');
  await announceSource(workspaceId, id, 'deleting');
}

/** A site's or page's re-sync schedule (a Temporal Schedule per source). */
export async function changeResync(admin: SessionUser, sourceId: string | undefined, resync: ResyncSchedule): Promise<void> {
  const workspaceId = String(admin.workspace._id);
  const source = await findSource(workspaceId, sourceId);
  assertNotDeleting(source);
  if (source.kind !== 'url' && source.kind !== 'sitemap') throw badRequest('error.validation', 'only web sources re-sync');
  await KnowledgeSourceModel.updateOne({ _id: source._id, workspaceId }, { $set: { resync } });
  await applySchedule(workspaceId, String(source._id), resync);
  await announceSource(workspaceId, String(source._id), source.status ?? 'queued');
}

/** Which chatbots the source serves; the run relabels its vectors (no re-embedding). */
export async function relinkSource(admin: SessionUser, sourceId: string | undefined, chatbotIds: string[]): Promise<void> {
  const workspaceId = String(admin.workspace._id);
  const source = await findSource(workspaceId, sourceId);
  assertNotDeleting(source);
  await assertOwnChatbots(workspaceId, chatbotIds);
  await KnowledgeSourceModel.updateOne({ _id: source._id, workspaceId }, { $set: { chatbotIds } });
  await startRun(workspaceId, String(source._id), 'relink');
  await announceSource(workspaceId, String(source._id), source.status ?? 'queued');
}
