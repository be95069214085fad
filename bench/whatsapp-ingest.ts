/**
 * WhatsApp Cloud ingestion: signed webhooks carrying 10 messages each, as Meta batches them. The
 * gateway verifies each signature over the raw bytes, normalizes, makes every message durable and
 * signals its conversation before answering 200. Measured in messages per second against the same
 * bare limit as the widget benchmark (one MongoDB insert + one signalWithStart per message, straight
 * from this process), plus the acknowledgement latency per webhook at half the sustained rate.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import { TEST_WHATSAPP, TestStack, createWhatsappCloudChannel } from '@sapa/testkit';
import { bareIngest } from './bare-limit';
import { closedLoop, openLoop, summarize } from './stats';

const CONTACTS = 100;
const PER_WEBHOOK = 10;
const CONCURRENCY = 8;
const ROUNDS = 3;
const PHONE_NUMBER_ID = '106540352242922';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** One webhook body in Meta's shape: 10 text messages from 10 different customers. */
function webhookBody(batch: number): string {
  const senders = Array.from({ length: PER_WEBHOOK }, (_, k) => String(6281200000000 + ((batch * PER_WEBHOOK + k) % CONTACTS)));
  const now = String(Math.floor(Date.now() / 1000));
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: TEST_WHATSAPP.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              contacts: senders.map((waId) => ({ profile: { name: `Pelanggan ${waId.slice(-3)}` }, wa_id: waId })),
              messages: senders.map((waId, k) => ({
                from: waId,
                id: `wamid.bench${randomUUID().replace(/-/g, '')}`,
                timestamp: now,
                type: 'text',
                text: { body: `bench message ${batch}-${k}` },
              })),
            },
          },
        ],
      },
    ],
  });
}

export async function benchWhatsappIngest(opts: { messages: number }) {
  // No worker: this measures the edge. Workflows start and wait in Temporal for a worker.
  const stack = await TestStack.start({ worker: 'none' });
  try {
    const channel = await createWhatsappCloudChannel(stack.config, stack.seed, { phoneNumberId: PHONE_NUMBER_ID });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const target = new URL(`${stack.gatewayUrl}/v1/webhooks/whatsapp/${String(channel._id)}`);
    const post = (batch: number) =>
      new Promise<void>((resolve, reject) => {
        const body = webhookBody(batch);
        const signature = `sha256=${createHmac('sha256', TEST_WHATSAPP.appSecret).update(body).digest('hex')}`;
        const req = http.request(
          target,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-hub-signature-256': signature },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              res.statusCode === 200 ? resolve() : reject(new Error(`webhook answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    // Warm up: every customer's first message opens a conversation; the goal is the steady state.
    const WARM_UP = (3 * CONTACTS) / PER_WEBHOOK;
    await closedLoop(WARM_UP, CONCURRENCY, post);

    const bare = bareIngest(stack, channel._id, CONTACTS);
    await closedLoop(CONTACTS, CONCURRENCY * PER_WEBHOOK, bare);

    // Rounds alternate ours and the limit; each one's median decides, so one noisy moment does not.
    const oursRates: number[] = [];
    const limitRates: number[] = [];
    const webhooksPerRound = Math.max(1, Math.ceil(opts.messages / PER_WEBHOOK / ROUNDS));
    let batch = WARM_UP;
    for (let round = 0; round < ROUNDS; round++) {
      const base = batch;
      oursRates.push((await closedLoop(webhooksPerRound, CONCURRENCY, (i) => post(base + i))).perSecond * PER_WEBHOOK);
      batch += webhooksPerRound;
      limitRates.push((await closedLoop(webhooksPerRound * PER_WEBHOOK, CONCURRENCY * PER_WEBHOOK, bare)).perSecond);
    }
    const ours = median(oursRates);
    const limit = median(limitRates);

    const halfRateWebhooks = ours / PER_WEBHOOK / 2;
    const count = Math.min(Math.ceil(opts.messages / PER_WEBHOOK), Math.max(50, Math.round(halfRateWebhooks * 5)));
    const latencies = await openLoop(halfRateWebhooks, count, (i) => post(batch + i));
    agent.destroy();
    return {
      messages: webhooksPerRound * PER_WEBHOOK * ROUNDS,
      messagesPerWebhook: PER_WEBHOOK,
      concurrentWebhooks: CONCURRENCY,
      contacts: CONTACTS,
      rounds: ROUNDS,
      sustainedPerSecond: Math.round(ours),
      limitPerSecond: Math.round(limit),
      perRound: { ours: oursRates.map(Math.round), limit: limitRates.map(Math.round) },
      ratio: Math.round((ours / limit) * 1000) / 1000,
      ackLatencyPerWebhookAtHalfRateMs: { webhooksPerSecond: Math.round(halfRateWebhooks * 10) / 10, ...summarize(latencies) },
      // One webhook makes ten messages durable; Meta only needs the 200 within its delivery timeout.
      goals: { ratio: '>= 0.8', ackP99MsPerWebhook: '<= 500' },
    };
  } finally {
    await stack.stop();
  }
}
