/**
 * Inbound → reply delivered: from the widget's POST until the bot's reply arrives on the widget's
 * realtime stream, with the offline answerer and the batching window set to 0.
 */
import { TestStack, WidgetClient } from '@sapa/testkit';
import { summarize } from './stats';

export async function benchReply(opts: { messages: number }) {
  const stack = await TestStack.start({ env: { BATCH_WINDOW_MS: '0', RATE_LIMIT_IP_PER_MINUTE: '10000000', RATE_LIMIT_VISITOR_PER_MINUTE: '10000000' } });
  try {
    const widget = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
    await widget.session();
    const stream = await widget.stream();
    const questions = ['jam berapa toko buka?', 'berapa harga cappuccino?', 'ongkir gimana?', 'bisa retur?', 'bayar pakai apa?'];
    const latencies: number[] = [];
    for (let i = 0; i < opts.messages + 5; i++) {
      const seenUntil = stream.lastId ?? 0;
      const t0 = performance.now();
      await widget.send(questions[i % questions.length]!);
      await stream.waitFor((e) => e.type === 'botResponse' && e.data.message.author === 'bot' && (e.id ?? 0) > seenUntil, 30_000, 'bot reply');
      if (i >= 5) latencies.push(performance.now() - t0); // the first few warm up the worker
    }
    stream.close();
    return { messages: opts.messages, batchWindowMs: 0, inboundToReplyMs: summarize(latencies), goals: { p99Ms: '<= 300' } };
  } finally {
    await stack.stop();
  }
}
