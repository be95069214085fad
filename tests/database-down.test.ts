/**
 * The database going down loses nothing: while it is down the gateway answers 503 `unavailable`
 * (so the sender retries) within a bounded time instead of hanging or answering 500, readiness
 * fails while liveness holds, and once the database is back the retried message is stored once and
 * answered. The test runs a database server of its own, since it stops it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { MessageModel } from '@sapa/shared';
import { TestStack, WidgetClient, databaseUri, uniqueName } from '@sapa/testkit';
import { freePort, startDatabase } from '../scripts/servers.mjs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every request must complete: a hanging gateway fails the test here rather than at the test timeout. */
const REQUEST_TIMEOUT_MS = 30_000;

async function send(widget: WidgetClient, text: string, clientMessageId: string) {
  const res = await fetch(`${widget.base}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-visitor-id': widget.visitorId, 'x-visitor-token': widget.token },
    body: JSON.stringify({ clientMessageId, text }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, body: await res.json() };
}

async function get(url: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: res.status, body: await res.json() };
}

describe('database down', () => {
  let dir: string | undefined;
  let db: Awaited<ReturnType<typeof startDatabase>> | undefined;
  let stack: TestStack | undefined;

  /** Stops the stack and our database server; called on success, on failure, and (after a timeout) by afterAll. */
  async function cleanUp() {
    const [s, d, folder] = [stack, db, dir];
    stack = undefined;
    db = undefined;
    dir = undefined;
    try {
      await s?.stop();
    } finally {
      await d?.stop?.();
      if (folder) rmSync(folder, { recursive: true, force: true });
    }
  }
  afterAll(cleanUp);

  // With the user's own MongoDB (MONGODB_URI) there is no server of ours to stop.
  it.skipIf(Boolean(process.env.MONGODB_URI))(
    'answers 503 while the database is down, and stores and answers the retried message once it is back',
    { timeout: 180_000 },
    async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'sapa-db-down-'));
      const port = await freePort();
      try {
        db = await startDatabase({ dataDir: dir, port });
        expect(db.stop, 'startDatabase must start a server of its own here').toBeTypeOf('function');
        stack = await TestStack.start({ env: { MONGODB_URI: databaseUri(db.uri, uniqueName('sapa_dbdown')) } });
        const widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
        expect((await widget.session()).status).toBe(200);
        const stream = await widget.stream();

        await db.stop!();
        const clientMessageId = randomUUID();
        const down = await send(widget, 'jam berapa toko buka?', clientMessageId);
        expect(down.status).toBe(503);
        expect(down.body.error).toBe('unavailable');

        // Again once the driver has given the server up: mongoose reports the connection lost, and an
        // operation now waits for server selection instead of failing on a refused connect.
        await expect
          .poll(() => mongoose.connection.readyState, { timeout: 30_000, interval: 200, message: 'mongoose noticed the database is gone' })
          .toBe(mongoose.ConnectionStates.disconnected);
        const stillDown = await send(widget, 'jam berapa toko buka?', clientMessageId);
        expect(stillDown.status).toBe(503);
        expect(stillDown.body.error).toBe('unavailable');

        const ready = await get(`${stack.gatewayUrl}/readyz`);
        expect(ready.status).toBe(503);
        expect(ready.body.database).toBe(false);
        const live = await get(`${stack.gatewayUrl}/healthz`); // the process itself is fine
        expect(live.status).toBe(200);

        // The same server on the same port and data, as after a restart.
        db = await startDatabase({ dataDir: dir, port });
        let retried = await send(widget, 'jam berapa toko buka?', clientMessageId);
        for (let i = 0; retried.status === 503 && i < 60; i++) {
          await sleep(500); // the sender (here: the widget) retries until the gateway accepts
          retried = await send(widget, 'jam berapa toko buka?', clientMessageId);
        }
        expect(retried.status).toBe(202);

        const reply = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot', 60_000, 'reply after the database came back');
        expect(reply.data.message.text).toContain('08.00');
        expect(await MessageModel.countDocuments({ channelMessageId: clientMessageId })).toBe(1);
        expect((await get(`${stack.gatewayUrl}/readyz`)).status).toBe(200);
        stream.close();
      } finally {
        await cleanUp();
      }
    },
  );
});
