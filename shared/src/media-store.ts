/**
 * Sapa's media storage: attachments customers send (fetched from the provider) and files agents
 * send. The default is a local folder; keys are opaque (`<workspaceId>/<random>`) so a file name
 * from the outside never becomes a path. Reads check the key's shape before touching the disk.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomId } from './crypto';

const KEY = /^[a-f0-9]{24}\/[A-Za-z0-9_-]{16,64}$/;

export class MediaTooLargeError extends Error {
  override name = 'MediaTooLargeError';
  constructor(readonly size: number, readonly limit: number) {
    super(`media is ${size} bytes, the limit is ${limit}`);
  }
}

export class MediaStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`invalid media key: ${key}`);
    return path.join(this.root, ...key.split('/'));
  }

  /** Store bytes for a workspace; returns the key. */
  async put(workspaceId: string, bytes: Buffer): Promise<string> {
    const key = `${workspaceId}/${randomId(18)}`;
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
    return key;
  }

  /** Delete a stored file (a deleted knowledge source's upload); a missing file is fine. */
  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Whether a key belongs to the workspace (callers check before serving). */
  belongsTo(key: string, workspaceId: string): boolean {
    return KEY.test(key) && key.startsWith(`${workspaceId}/`);
  }

  async read(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  stream(key: string) {
    return createReadStream(this.pathOf(key));
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(key))).size;
    } catch {
      return null;
    }
  }

}

/** Collect a response body, refusing to hold more than `limit` bytes. */
export async function readLimited(body: AsyncIterable<Uint8Array> | null, limit: number, declared?: number): Promise<Buffer> {
  if (declared !== undefined && declared > limit) throw new MediaTooLargeError(declared, limit);
  const chunks: Buffer[] = [];
  let total = 0;
  if (!body) return Buffer.alloc(0);
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limit) throw new MediaTooLargeError(total, limit);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
