import { pino, type DestinationStream, type Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'apiKey',
  '*.apiKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-visitor-token"]',
  'res.headers["set-cookie"]',
  // AI provider keys (bring your own key) and how they travel: never in a log line, sealed or not.
  'key',
  '*.key',
  'sealed',
  '*.sealed',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  '["x-api-key"]',
  '*["x-api-key"]',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  '["x-goog-api-key"]',
  '*["x-goog-api-key"]',
  'headers["x-goog-api-key"]',
  '*.headers["x-goog-api-key"]',
];

/** `destination`: where lines go (stdout by default; tests capture them). */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export type { DestinationStream, Logger };
