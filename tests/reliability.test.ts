/**
 * Nothing is lost and nothing is doubled: duplicate deliveries, a worker killed mid-conversation,
 * and Temporal going down while messages arrive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageModel } from '@sapa/shared';
import { TestStack, WidgetClient } from '@sapa/testkit';
import { freePort, startTemporal } from '../scripts/servers.mjs';

const botReplies = (conversationId: string) => MessageModel.countDocuments({ conversationId, author: 'bot' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reliability', () => {
  let stack: TestStack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('stores one message and sends one reply when the same delivery arrives 3 times at once', async () => {
    stack = await TestStack.start();
    const widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
    await widget.session();
    const stream = await widget.stream();
    const clientMessageId = randomUUID();
    const results = await Promise.all([1, 2, 3].map(() => widget.send('Halo, jam berapa toko buka?', clientMessageId)));

    expect(results.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(new Set(results.map((r) => r.body.messageId)).size).toBe(1);
    expect(results.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    const conversationId = results[0]!.body.conversationId;

    await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot');
    await sleep(1500); // time for a second reply, if there were to be one
    expect(await MessageModel.countDocuments({ channelMessageId: clientMessageId })).toBe(1);
    expect(await botReplies(conversationId)).toBe(1);
    expect(stream.events.filter((e) => e.type === 'userMessage')).toHaveLength(1);
    expect(stream.events.filter((e) => e.type === 'botResponse')).toHaveLength(1);
    stream.close();
  });

  it('replies exactly once after the worker is SIGKILLed between a message and its reply', async () => {
    stack = await TestStack.start({ worker: 'process', env: { BATCH_WINDOW_MS: '1500', BATCH_MAX_WAIT_MS: '3000' } });
    const widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
    await widget.session();
    const stream = await widget.stream();

    // Warm-up: the worker process is up and answering.
    const first = await widget.send('halo');
    await stream.waitFor((e) => e.type === 'botResponse', 60_000, 'warm-up reply');
    const conversationId = first.body.conversationId;
    const before = await botReplies(conversationId);

    const sent = await widget.send('berapa harga americano?');
    expect(sent.status).toBe(202); // durable and signalled before the kill
    await stack.killWorker();
    await sleep(2500); // past the batching window: the reply would be due now
    expect(await botReplies(conversationId)).toBe(before);

    await stack.startWorker();
    const reply = await stream.waitFor((e) => e.type === 'botResponse' && /15\.000/.test(e.data.message.text), 60_000, 'reply after restart');
    expect(reply.data.message.author).toBe('bot');
    await sleep(2000);
    expect(await botReplies(conversationId)).toBe(before + 1);
    expect(stream.events.filter((e) => e.type === 'botResponse' && /15\.000/.test(e.data.message.text))).toHaveLength(1);
    stream.close();
  });

  it('answers 503 while Temporal is down, and answers the retried message once it is back', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sapa-temporal-'));
    const port = await freePort();
    let temporal = await startTemporal({ dataDir: dir, port });
    try {
      stack = await TestStack.start({ env: { TEMPORAL_ADDRESS: temporal.address } });
      const widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
      await widget.session();
      const stream = await widget.stream();

      await temporal.stop?.();
      const clientMessageId = randomUUID();
      const down = await widget.send('jam berapa toko buka?', clientMessageId);
      expect(down.status).toBe(503);
      expect(down.body.error).toBe('unavailable');
      const ready = await fetch(`${stack.gatewayUrl}/readyz`);
      expect(ready.status).toBe(503);

      temporal = await startTemporal({ dataDir: dir, port });
      let retried = await widget.send('jam berapa toko buka?', clientMessageId);
      for (let i = 0; retried.status === 503 && i < 20; i++) {
        await sleep(500); // the provider (here: the widget) retries until the gateway accepts
        retried = await widget.send('jam berapa toko buka?', clientMessageId);
      }
      expect(retried.status).toBe(202);
      const reply = await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot', 60_000, 'reply after Temporal came back');
      expect(reply.data.message.text).toContain('08.00');
      expect(await MessageModel.countDocuments({ channelMessageId: clientMessageId })).toBe(1);
      stream.close();
    } finally {
      await stack?.stop();
      stack = undefined;
      await temporal.stop?.();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
