import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EnvelopeKeyProvider, type KeyWrapping } from './index.ts';

const secret = new Uint8Array(randomBytes(32));
const kek = new Uint8Array(randomBytes(32));
const auth = (message = /./): object =>
  expect.objectContaining({ code: 'AUTH', message: expect.stringMatching(message) }) as object;

describe('EnvelopeKeyProvider', () => {
  const provider = new EnvelopeKeyProvider({ keyId: 'account-1', keyEncryptionKey: kek });

  it('wraps with the account key, stores only its id, and round-trips', async () => {
    const wrapping = await provider.wrap(secret);
    expect(wrapping.scheme).toBe('envelope');
    expect(wrapping.params).toEqual({ keyId: 'account-1' });
    expect(Buffer.from(wrapping.wrapped, 'base64')).toHaveLength(32 + 28);
    expect(await provider.unwrap(wrapping)).toEqual(secret);
    expect(provider.description).toBe('key-encryption key "account-1"');
  });

  it('refuses a wrapping of another key id, naming the key it needs', async () => {
    const wrapping = await provider.wrap(secret);
    const other = new EnvelopeKeyProvider({ keyId: 'account-2', keyEncryptionKey: kek });
    await expect(other.unwrap(wrapping)).rejects.toMatchObject(auth(/needs key-encryption key "account-1"/));
  });

  it('refuses a wrong key under the same id, and a relabelled wrapping', async () => {
    const wrapping = await provider.wrap(secret);
    const impostor = new EnvelopeKeyProvider({ keyId: 'account-1', keyEncryptionKey: new Uint8Array(randomBytes(32)) });
    await expect(impostor.unwrap(wrapping)).rejects.toMatchObject(auth(/"account-1" does not open this key/));
    // The key id is bound into the seal: the same account key under another id does not open it.
    const relabelled: KeyWrapping = { ...wrapping, params: { keyId: 'account-2' } };
    const sameKeyOtherId = new EnvelopeKeyProvider({ keyId: 'account-2', keyEncryptionKey: kek });
    await expect(sameKeyOtherId.unwrap(relabelled)).rejects.toMatchObject(auth(/does not open/));
  });

  it('refuses a tampered wrapping with AuthError', async () => {
    const wrapping = await provider.wrap(secret);
    const bytes = Buffer.from(wrapping.wrapped, 'base64');
    bytes[20] = (bytes[20] ?? 0) ^ 4;
    await expect(provider.unwrap({ ...wrapping, wrapped: bytes.toString('base64') })).rejects.toMatchObject(auth());
  });

  it('refuses another scheme with ValidationError', async () => {
    await expect(provider.unwrap({ scheme: 'passphrase', params: {}, wrapped: '' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });

  it.each([
    ['a 16-byte key', { keyId: 'k', keyEncryptionKey: new Uint8Array(16) }],
    ['an empty key id', { keyId: '', keyEncryptionKey: kek }],
    ['a key id with spaces', { keyId: 'a b', keyEncryptionKey: kek }],
    ['a 201-character key id', { keyId: 'k'.repeat(201), keyEncryptionKey: kek }],
  ])('refuses %s', (_name, options) => {
    expect(() => new EnvelopeKeyProvider(options)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});
