/**
 * Inbound ingestion: how many widget messages per second the gateway makes durable and hands to
 * Temporal, against the bare limit of the same work without HTTP and without Sapa's pipeline (one
 * MongoDB insert + one signalWithStart per message). Also the acknowledgement latency at half the
 * sustained rate.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { TestStack, WidgetClient } from '@sapa/testkit';
import { bareIngest } from './bare-limit';
import { closedLoop, openLoop, summarize } from './stats';

const VISITORS = 100;
const CONCURRENCY = 32;
const ROUNDS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchIngest(opts: { messages: number }) {
  // No worker: this measures the edge. Workflows start and wait in Temporal for a worker.
  const stack = await TestStack.start({ worker: 'none', env: { RATE_LIMIT_IP_PER_MINUTE: '10000000', RATE_LIMIT_VISITOR_PER_MINUTE: '10000000' } });
  try {
    const visitors = await Promise.all(
      Array.from({ length: VISITORS }, async () => {
        const w = new WidgetClient(stack.gatewayUrl, stack.seed.publicId);
        await w.session();
        return w;
      }),
    );
    // A plain keep-alive HTTP client: the load generator shares the process (and the 2 cores) with
    // the gateway, and fetch costs several times more CPU per request than node:http.
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const target = new URL(`${stack.gatewayUrl}/v1/widget/${stack.seed.publicId}/messages`);
    const send = (i: number) =>
      new Promise<void>((resolve, reject) => {
        const visitor = visitors[i % VISITORS]!;
        const body = JSON.stringify({ clientMessageId: randomUUID(), text: `bench message ${i}` });
        const req = http.request(
          target,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'x-visitor-id': visitor.visitorId,
              'x-visitor-token': visitor.token,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              res.statusCode === 202 ? resolve() : reject(new Error(`ingest answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    // Warm up connections, the JIT and the first message of every conversation: the goal is the
    // steady state, not the first seconds.
    const WARM_UP = 5 * VISITORS;
    await closedLoop(WARM_UP, CONCURRENCY, send);

    // The bare limit: the same insert and signalWithStart, straight from this process.
    const bare = bareIngest(stack, stack.seed.channelId, VISITORS);
    await closedLoop(VISITORS, CONCURRENCY, bare);

    // Alternate the two in rounds and take each one's median, so a noisy moment on a shared
    // 2-core machine does not decide the ratio.
    const oursRates: number[] = [];
    const limitRates: number[] = [];
    const perRound = Math.ceil(opts.messages / ROUNDS);
    let sent = WARM_UP;
    for (let round = 0; round < ROUNDS; round++) {
      const base = sent;
      oursRates.push((await closedLoop(perRound, CONCURRENCY, (i) => send(base + i))).perSecond);
      sent += perRound;
      limitRates.push((await closedLoop(perRound, CONCURRENCY, bare)).perSecond);
    }
    const ours = { perSecond: median(oursRates) };
    const limit = { perSecond: median(limitRates) };

    const halfRate = ours.perSecond / 2;
    const latencies = await openLoop(halfRate, Math.min(opts.messages, Math.max(200, Math.round(halfRate * 5))), (i) => send(i + 10 * opts.messages));
    agent.destroy();
    return {
      messages: opts.messages,
      concurrency: CONCURRENCY,
      conversations: VISITORS,
      rounds: ROUNDS,
      sustainedPerSecond: Math.round(ours.perSecond),
      limitPerSecond: Math.round(limit.perSecond),
      perRound: { ours: oursRates.map(Math.round), limit: limitRates.map(Math.round) },
      ratio: Math.round((ours.perSecond / limit.perSecond) * 1000) / 1000,
      ackLatencyAtHalfRateMs: { ratePerSecond: Math.round(halfRate), ...summarize(latencies) },
      goals: { ratio: '>= 0.8', ackP99Ms: '<= 50' },
    };
  } finally {
    await stack.stop();
  }
}
