/**
 * Files agents send from the inbox. The upload is checked (size, not empty), stored in the media
 * store under the workspace, and handed to the conversation as a reply's attachment; the channel
 * adapter uploads it to the provider.
 */
import { DomainError, MediaStore, badRequest, type OutboundAttachment } from '@sapa/shared';
import { config } from './env.server';

const store = new MediaStore(config.mediaDir);

/** Room for the form's other fields around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** Refuse a request whose body cannot fit, before reading it. */
export function assertUploadFits(request: Request): void {
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > config.MEDIA_MAX_BYTES + FORM_OVERHEAD_BYTES) throw new DomainError(413, 'body_too_large', 'error.attachmentTooLarge');
}

/** What the channels call the file: photos and videos show inline, everything else is a document. */
function kindOf(mimeType: string): OutboundAttachment['kind'] {
  if (/^image\/(jpeg|png)$/.test(mimeType)) return 'image';
  if (/^video\/(mp4|3gpp)$/.test(mimeType)) return 'video';
  if (/^audio\//.test(mimeType)) return 'audio';
  return 'document';
}

/** The form's `attachment` file, stored; null when the agent attached nothing. */
export async function storeAttachment(workspaceId: string, file: FormDataEntryValue | null): Promise<OutboundAttachment | null> {
  if (!file || typeof file === 'string' || file.size === 0) return null;
  if (file.size > config.MEDIA_MAX_BYTES) throw new DomainError(413, 'body_too_large', 'error.attachmentTooLarge');
  const mimeType = (file.type || 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
  const fileName = (file.name.split(/[\\/]/).pop() ?? '').slice(0, 200) || 'file';
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(mimeType)) throw badRequest('error.validation', 'unknown file type');
  const storageKey = await store.put(workspaceId, Buffer.from(await file.arrayBuffer()));
  return { storageKey, mimeType, fileName, size: file.size, kind: kindOf(mimeType) };
}
