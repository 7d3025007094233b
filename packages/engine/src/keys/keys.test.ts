import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EnvelopeKeyProvider, PassphraseKeyProvider, testingKdfParams, unwrapKey, wrapKey } from './index.ts';

const secret = new Uint8Array(randomBytes(32));

describe('PassphraseKeyProvider', () => {
  it('wraps and unwraps with argon2id, storing its parameters and a fresh salt', async () => {
    const provider = new PassphraseKeyProvider('hunter2 but longer', { kdf: testingKdfParams });
    const a = await provider.wrap(secret);
    const b = await provider.wrap(secret);
    expect(a.scheme).toBe('passphrase');
    expect(a.params).toMatchObject({ kdf: 'argon2id', memory: 64, passes: 1, parallelism: 1 });
    expect(a.params['salt']).not.toEqual(b.params['salt']);
    expect(JSON.stringify(a)).not.toContain('hunter2');
    expect(await provider.unwrap(a)).toEqual(secret);
  });

  it('refuses a wrong passphrase and an altered wrapping with AuthError', async () => {
    const wrapping = await new PassphraseKeyProvider('right', { kdf: testingKdfParams }).wrap(secret);
    await expect(new PassphraseKeyProvider('wrong', { kdf: testingKdfParams }).unwrap(wrapping)).rejects.toMatchObject({
      code: 'AUTH',
      message: expect.stringMatching(/passphrase does not open/),
    });
    const bytes = Buffer.from(wrapping.wrapped, 'base64');
    bytes[5] = (bytes[5] ?? 0) ^ 1;
    await expect(
      new PassphraseKeyProvider('right').unwrap({ ...wrapping, wrapped: bytes.toString('base64') }),
    ).rejects.toMatchObject({ code: 'AUTH' });
    await expect(
      new PassphraseKeyProvider('right').unwrap({ ...wrapping, params: { ...wrapping.params, memory: 1e9 } }),
    ).rejects.toMatchObject({ code: 'AUTH' });
  });

  it('uses the stored parameters, not its own, to unwrap', async () => {
    const wrapping = await new PassphraseKeyProvider('pw', { kdf: testingKdfParams }).wrap(secret);
    expect(await new PassphraseKeyProvider('pw', { kdf: { ...testingKdfParams, passes: 2 } }).unwrap(wrapping)).toEqual(
      secret,
    );
  });

  it('supports scrypt wrappings', async () => {
    const provider = new PassphraseKeyProvider('pw', {
      kdf: { algorithm: 'scrypt', memory: 1024, passes: 1, parallelism: 1 },
    });
    expect(await provider.unwrap(await provider.wrap(secret))).toEqual(secret);
  });

  it('refuses an empty passphrase and other schemes', async () => {
    expect(() => new PassphraseKeyProvider('')).toThrow(/empty/);
    await expect(
      new PassphraseKeyProvider('pw').unwrap({ scheme: 'envelope', params: {}, wrapped: '' }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('EnvelopeKeyProvider', () => {
  const kek = new Uint8Array(randomBytes(32));

  it('wraps with an account key and refuses another key', async () => {
    const provider = new EnvelopeKeyProvider({ keyId: 'account-1', keyEncryptionKey: kek });
    const wrapping = await provider.wrap(secret);
    expect(wrapping.params).toEqual({ keyId: 'account-1' });
    expect(await provider.unwrap(wrapping)).toEqual(secret);
    const other = new EnvelopeKeyProvider({ keyId: 'account-2', keyEncryptionKey: kek });
    await expect(other.unwrap(wrapping)).rejects.toMatchObject({
      code: 'AUTH',
      message: expect.stringMatching(/account-1/),
    });
    const impostor = new EnvelopeKeyProvider({ keyId: 'account-1', keyEncryptionKey: new Uint8Array(randomBytes(32)) });
    await expect(impostor.unwrap(wrapping)).rejects.toMatchObject({ code: 'AUTH' });
  });

  it('nests: repository key ← account key ← master key', () => {
    const master = new Uint8Array(randomBytes(32));
    const wrappedAccountKey = wrapKey(master, kek);
    expect(unwrapKey(master, wrappedAccountKey)).toEqual(kek);
    expect(() => unwrapKey(new Uint8Array(randomBytes(32)), wrappedAccountKey)).toThrow(/does not open/);
  });
});
