/**
 * Secrets and identities: memory-hard password hashes, AES-256-GCM encryption of credentials at rest
 * with versioned master keys, and HMAC-signed tokens for anonymous widget visitors.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

// argon2id (the library's default algorithm) with OWASP's recommended minimum: 19 MiB, 2 passes.
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2Verify(hash, password);
  } catch {
    return false;
  }
}

/** A random identifier safe to put in URLs and HTML attributes. */
export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}

export class KeyVault {
  private readonly keys = new Map<string, Buffer>();
  private readonly current: string;

  /** `spec` is `version:base64key[,version:base64key…]`; the first key encrypts. */
  constructor(spec: string) {
    const entries = spec.split(',').map((s) => s.trim()).filter(Boolean);
    if (entries.length === 0) throw new Error('SAPA_MASTER_KEYS has no key');
    for (const entry of entries) {
      const [version, b64] = entry.split(':');
      const key = Buffer.from(b64 ?? '', 'base64');
      if (!version || key.length !== 32) throw new Error(`SAPA_MASTER_KEYS entry "${version}" must be version:base64(32 bytes)`);
      this.keys.set(version, key);
    }
    this.current = entries[0]!.split(':')[0]!;
  }

  /** The version of the key new secrets are sealed with (the first of SAPA_MASTER_KEYS). */
  get currentVersion(): string {
    return this.current;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.current)!, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.current, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(sealed: string): string {
    const [format, version, iv, tag, body] = sealed.split('.');
    const key = version ? this.keys.get(version) : undefined;
    if (format !== 'v1' || !key || !iv || !tag || body === undefined) throw new Error('cannot decrypt: unknown format or key version');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/**
 * Whether two secrets (tokens, verify tokens, webhook secrets) are equal, in constant time. Both
 * are hashed first so neither their contents nor their lengths leak through timing.
 */
export function secretsEqual(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || expected === '') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given === expected;
}

/** A token proving the bearer is widget visitor `visitorId` of chatbot `publicId`. */
export function signVisitorToken(secret: string, publicId: string, visitorId: string): string {
  return createHmac('sha256', secret).update(`visitor\n${publicId}\n${visitorId}`).digest('base64url');
}

export function verifyVisitorToken(secret: string, publicId: string, visitorId: string, token: string): boolean {
  return secretsEqual(token, signVisitorToken(secret, publicId, visitorId));
}
