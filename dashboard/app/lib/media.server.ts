/**
 * Serving stored attachments to the inbox (`GET /media/:messageId`). The file is looked up through
 * its message, scoped by the signed-in workspace, so a guessed id or another workspace's message is
 * a 404. Files come from customers: only images, audio, video and PDFs are shown in the page; any
 * other type is a download, and the browser is told not to guess types (nosniff).
 */
import { createReadableStreamFromReadable } from '@remix-run/node';
import { MediaStore, MessageModel, isValidObjectId, notFound, type Message } from '@sapa/shared';
import { config, ensureDatabase } from './env.server';

const store = new MediaStore(config.mediaDir);

/** Types a browser shows safely. SVG is an image that can run script, so it is not among them. */
const INLINE_TYPE = /^(image\/(jpeg|png|gif|webp|avif|bmp)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+|application\/pdf)$/;
const MIME = /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/;

/** The stored mime type without parameters (`audio/ogg; codecs=opus` → `audio/ogg`), lower-cased. */
function baseMimeType(mimeType: string | null | undefined): string {
  const base = (mimeType ?? '').split(';')[0]!.trim().toLowerCase();
  return MIME.test(base) ? base : 'application/octet-stream';
}

/** `filename` for old browsers (ASCII only) and `filename*` with the real name. */
function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 120) || 'file';
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName.slice(0, 200))}`;
}

export async function mediaResponse(workspaceId: string, messageId: string | undefined): Promise<Response> {
  if (!isValidObjectId(messageId)) throw notFound('error.mediaNotFound');
  await ensureDatabase();
  const message = await MessageModel.findOne({ _id: messageId, workspaceId }).lean<Message>();
  const media = message?.media;
  const key = media?.state === 'stored' ? media.storageKey : undefined;
  // The key is checked against the workspace too: the message scoping above is the rule, this the backstop.
  if (!media || !key || !store.belongsTo(key, workspaceId)) throw notFound('error.mediaNotFound');
  const size = await store.size(key);
  if (size === null) throw notFound('error.mediaNotFound');

  const mimeType = baseMimeType(media.mimeType);
  const inline = INLINE_TYPE.test(mimeType);
  const headers = new Headers({
    'Content-Type': inline ? mimeType : 'application/octet-stream',
    'Content-Length': String(size),
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', media.fileName || `${media.kind}-${messageId}`),
    'X-Content-Type-Options': 'nosniff',
    // Only this signed-in browser may keep it; stored files never change, so an hour is safe.
    'Cache-Control': 'private, max-age=3600',
  });
  // Opened on its own in a tab, a file gets no script and no origin (PDFs need the viewer, so not them).
  if (mimeType !== 'application/pdf') headers.set('Content-Security-Policy', "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox");
  return new Response(createReadableStreamFromReadable(store.stream(key)), { status: 200, headers });
}
