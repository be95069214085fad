/** Small pieces every fake server needs: reading a bounded body, headers, JSON objects, waiting. */
import type { IncomingMessage, Server } from 'node:http';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first value of a header Node may give as a list. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The request body as text; `tooLarge()` is thrown (the fake's own error) past `limit` bytes. */
export async function readTextBody(req: IncomingMessage, limit: number, tooLarge: () => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts `server` on an ephemeral loopback port and returns the port. */
export async function listenOnLoopback(server: Server, name: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error(`fake ${name} did not get a port`);
  return address.port;
}

/** Stops `server` after the deliveries it is still making (webhooks, callbacks) have settled. */
export async function closeServer(server: Server, pending: Iterable<Promise<unknown>> = []): Promise<void> {
  await Promise.allSettled([...pending]);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
