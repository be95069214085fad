/** Secrets at rest, visitor tokens, password hashes and log redaction. */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KeyVault, hashPassword, signVisitorToken, verifyPassword, verifyVisitorToken } from '../src/crypto';
import { REDACT_PATHS } from '../src/logger';

const key = () => randomBytes(32).toString('base64');

describe('KeyVault', () => {
  it('round-trips a secret and never stores it in the clear', () => {
    const vault = new KeyVault(`1:${key()}`);
    const sealed = vault.encrypt('EAAG-whatsapp-token');
    expect(sealed).not.toContain('EAAG');
    expect(sealed.startsWith('v1.1.')).toBe(true);
    expect(vault.decrypt(sealed)).toBe('EAAG-whatsapp-token');
    expect(vault.encrypt('same')).not.toBe(vault.encrypt('same')); // a fresh IV each time
  });

  it('decrypts with an older key after rotation and encrypts with the newest', () => {
    const oldKey = key();
    const before = new KeyVault(`1:${oldKey}`).encrypt('rahasia');
    const rotated = new KeyVault(`2:${key()},1:${oldKey}`);
    expect(rotated.decrypt(before)).toBe('rahasia');
    expect(rotated.encrypt('baru').split('.')[1]).toBe('2');
  });

  it('rejects tampered data, unknown key versions and malformed key specs', () => {
    const vault = new KeyVault(`1:${key()}`);
    const parts = vault.encrypt('rahasia').split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => vault.decrypt(parts.join('.'))).toThrow();
    expect(() => new KeyVault(`1:${key()}`).decrypt(vault.encrypt('x').replace('v1.1.', 'v1.9.'))).toThrow(/key version/);
    expect(() => new KeyVault('1:tooshort')).toThrow(/32 bytes/);
    expect(() => new KeyVault('')).toThrow();
  });
});

describe('visitor tokens and passwords', () => {
  it('accepts only the token made for that chatbot and visitor', () => {
    const token = signVisitorToken('secret-secret-secret', 'bot1', 'visitor-1');
    expect(verifyVisitorToken('secret-secret-secret', 'bot1', 'visitor-1', token)).toBe(true);
    expect(verifyVisitorToken('secret-secret-secret', 'bot2', 'visitor-1', token)).toBe(false);
    expect(verifyVisitorToken('secret-secret-secret', 'bot1', 'visitor-2', token)).toBe(false);
    expect(verifyVisitorToken('another-secret-xx', 'bot1', 'visitor-1', token)).toBe(false);
    expect(verifyVisitorToken('secret-secret-secret', 'bot1', 'visitor-1', 'short')).toBe(false);
  });

  it('hashes passwords with argon2id and verifies them', async () => {
    const hash = await hashPassword('kata-sandi-123');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(hash, 'kata-sandi-123')).toBe(true);
    expect(await verifyPassword(hash, 'salah')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'kata-sandi-123')).toBe(false);
  });
});

describe('logs', () => {
  it('redact secrets', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info({ password: 'p4ss', channel: { secrets: 'tok', apiKey: 'sk-live' }, req: { headers: { authorization: 'Bearer x' } } }, 'hello');
    const out = lines.join('');
    for (const secret of ['p4ss', '"tok"', 'sk-live', 'Bearer x']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});
