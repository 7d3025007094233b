/**
 * argon2id password hashes in PHC format: they verify, refuse wrong passwords and malformed hashes, carry
 * their parameters, and are checked by an independent reading of the PHC string.
 */
import { argon2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, hashPassword, needsRehash, verifyPassword } from '../../src/auth/passwords.ts';

const cheap = { memoryKiB: 64, passes: 1, parallelism: 1 };

describe('password hashes', () => {
  it('verify the right password only', async () => {
    const stored = await hashPassword('correct horse battery staple', cheap);
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await hashPassword('correct horse battery staple', cheap)).not.toBe(stored);
  });

  it('are what argon2id computes for the salt and parameters in the string', async () => {
    const stored = await hashPassword('pässword', cheap);
    const [, , , , salt = '', tag = ''] = stored.split('$');
    const expected = argon2Sync('argon2id', {
      message: Buffer.from('pässword', 'utf8'),
      nonce: Buffer.from(salt, 'base64'),
      memory: 64,
      passes: 1,
      parallelism: 1,
      tagLength: 32,
    });
    expect(Buffer.from(tag, 'base64').equals(expected)).toBe(true);
  });

  it.each([
    '',
    'plain',
    '$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA',
    '$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA',
  ])('refuse the malformed hash %j without throwing', async (stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });

  it('know when the parameters changed', async () => {
    const stored = await hashPassword('x'.repeat(8), cheap);
    expect(needsRehash(stored, cheap)).toBe(false);
    expect(needsRehash(stored, { ...cheap, passes: 2 })).toBe(true);
  });

  it('verify nobody with the same work and a false answer', async () => {
    const hasher = createPasswordHasher(cheap);
    expect(await hasher.verifyNobody('whatever')).toBe(false);
    expect(await hasher.verify('whatever', await hasher.hash('whatever'))).toBe(true);
  });
});
