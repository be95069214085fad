/**
 * Proving a webhook request comes from Meta (spec §1). The POST carries
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the App Secret>`; the
 * GET handshake echoes a challenge when our verify token matches. Both compare in constant time so
 * an attacker cannot learn a secret byte by byte from response times.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretsEqual } from '@sapa/shared';

const SIGNATURE_HEADER = /^sha256=([0-9a-f]{64})$/i;
/** Meta sends a random integer; anything outside this shape is not a challenge we echo back. */
const CHALLENGE = /^[A-Za-z0-9_.-]{1,256}$/;

/**
 * Whether `header` is the valid signature of exactly these bytes. Hash the bytes as received: Meta
 * signs its own serialisation (non-ASCII as `\uXXXX` escapes), which a re-serialised object never
 * reproduces. False for a missing or malformed header (including the legacy `sha1=` one).
 */
export function verifyMetaSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header || !appSecret) return false;
  const match = SIGNATURE_HEADER.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!.toLowerCase(), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(given, expected);
}

/** Constant-time string equality, also for strings of different lengths (both are hashed first). */
/**
 * The verification handshake: `hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`. Returns the
 * challenge to send back verbatim as plain text, or null when the request must be refused (wrong
 * mode, wrong token, no token configured, no usable challenge).
 */
export function verifyChallenge(query: Record<string, unknown>, verifyToken: string): string | null {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (!verifyToken) return null;
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') return null;
  if (!secretsEqual(token, verifyToken)) return null;
  return CHALLENGE.test(challenge) ? challenge : null;
}
