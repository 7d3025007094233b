import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { unwrapKey, wrapKey } from './index.ts';

const master = new Uint8Array(randomBytes(32));
const accountKey = new Uint8Array(randomBytes(32));
const aad = new TextEncoder().encode('account:42');

describe('wrapKey and unwrapKey', () => {
  it('nest: repository key ← account key ← master key', () => {
    const repositoryKey = new Uint8Array(randomBytes(32));
    const wrappedAccountKey = wrapKey(master, accountKey, aad);
    const wrappedRepositoryKey = wrapKey(unwrapKey(master, wrappedAccountKey, aad), repositoryKey);
    expect(unwrapKey(unwrapKey(master, wrappedAccountKey, aad), wrappedRepositoryKey)).toEqual(repositoryKey);
  });

  it('refuses a wrong key-encryption key, a wrong aad and tampering with AuthError', () => {
    const wrapped = wrapKey(master, accountKey, aad);
    const auth = (message: RegExp): object =>
      expect.objectContaining({ code: 'AUTH', message: expect.stringMatching(message) }) as object;
    expect(() => unwrapKey(new Uint8Array(randomBytes(32)), wrapped, aad)).toThrow(
      auth(/^the key does not open this key$/),
    );
    expect(() => unwrapKey(master, wrapped, new TextEncoder().encode('account:43'), 'the master key')).toThrow(
      auth(/^the master key does not open this key$/),
    );
    expect(() => unwrapKey(master, wrapped)).toThrow(auth(/does not open/));
    expect(() => unwrapKey(master, wrapped.slice(0, -8), aad)).toThrow(auth(/does not open/));
    expect(() => unwrapKey(master, 42 as unknown as string)).toThrow(auth(/malformed/));
  });

  it('refuses key-encryption keys that are not 32 bytes and empty keys with ValidationError', () => {
    const validation = expect.objectContaining({ code: 'VALIDATION' }) as object;
    expect(() => wrapKey(new Uint8Array(16), accountKey)).toThrow(validation);
    expect(() => wrapKey(master, new Uint8Array(0))).toThrow(validation);
    expect(() => unwrapKey(new Uint8Array(31), wrapKey(master, accountKey))).toThrow(validation);
  });
});
