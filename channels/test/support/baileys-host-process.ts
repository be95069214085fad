/**
 * A gateway stand-in for the lease test: one process running a `BaileysHost` with testkit's fake
 * WhatsApp Web. It prints JSON lines on stdout: pino's logs, `{"event":"socket"}` each time it
 * creates a socket, `{"event":"started"}` once running. SIGTERM stops it cleanly; the test kills
 * it with SIGKILL to play a crash.
 *
 * Env: BAILEYS_TEST_DB_URI, BAILEYS_TEST_HOLDER, BAILEYS_TEST_LEASE_TTL_MS, BAILEYS_TEST_POLL_MS.
 */
import { pino } from 'pino';
import { connectDatabase, disconnectDatabase, loadConfig } from '@sapa/shared';
import { FakeWhatsAppWeb } from '@sapa/testkit/fakes/baileys-socket';
import { BaileysHost } from '../../src/whatsapp-baileys/host';
import type { SocketFactory } from '../../src/whatsapp-baileys/socket-port';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const holderId = env('BAILEYS_TEST_HOLDER');
const print = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ holderId, ...event })}\n`);

await connectDatabase(env('BAILEYS_TEST_DB_URI'));
const fake = new FakeWhatsAppWeb();
const socketFactory: SocketFactory = async (options) => {
  print({ event: 'socket' });
  return fake.socketFactory(options);
};
const host = new BaileysHost({
  config: loadConfig({ ...process.env, LOG_LEVEL: 'debug' }),
  logger: pino({ level: 'debug', base: { holderId } }),
  ingest: async () => undefined,
  socketFactory,
  holderId,
  leaseTtlMs: Number(env('BAILEYS_TEST_LEASE_TTL_MS')),
  pollMs: Number(env('BAILEYS_TEST_POLL_MS')),
});
await host.start();
print({ event: 'started' });

process.once('SIGTERM', () => {
  void host
    .stop()
    .then(() => disconnectDatabase())
    .then(() => process.exit(0));
});
