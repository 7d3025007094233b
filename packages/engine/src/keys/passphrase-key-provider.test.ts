import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  argon2Available,
  defaultKdfParams,
  PassphraseKeyProvider,
  testingKdfParams,
  type KeyWrapping,
} from './index.ts';

const secret = new Uint8Array(randomBytes(32));
const kdf = testingKdfParams;
const auth = (message = /./): object =>
  expect.objectContaining({ code: 'AUTH', message: expect.stringMatching(message) }) as object;

function altered(wrapping: KeyWrapping, change: (bytes: Buffer) => void): KeyWrapping {
  const bytes = Buffer.from(wrapping.wrapped, 'base64');
  change(bytes);
  return { ...wrapping, wrapped: bytes.toString('base64') };
}

describe('PassphraseKeyProvider', () => {
  it('defaults to argon2id with RFC 9106 option 2 (64 MiB, 3 passes, 4 lanes)', () => {
    expect(argon2Available).toBe(true);
    expect(defaultKdfParams).toEqual({ algorithm: 'argon2id', memory: 65_536, passes: 3, parallelism: 4 });
  });

  it('wraps with a fresh salt, stores its parameters, and round-trips', async () => {
    const provider = new PassphraseKeyProvider('correct horse battery staple', { kdf });
    const a = await provider.wrap(secret);
    const b = await provider.wrap(secret);
    expect(a.scheme).toBe('passphrase');
    expect(a.params).toEqual({
      kdf: 'argon2id',
      memory: kdf.memory,
      passes: kdf.passes,
      parallelism: kdf.parallelism,
      salt: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/) as unknown,
    });
    expect(a.params['salt']).not.toBe(b.params['salt']);
    expect(a.wrapped).not.toBe(b.wrapped);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(JSON.stringify(a)).not.toContain('horse');
    expect(await provider.unwrap(a)).toEqual(secret);
    expect(await new PassphraseKeyProvider(new TextEncoder().encode('correct horse battery staple')).unwrap(b)).toEqual(
      secret,
    );
  });

  it('unwraps with the stored parameters, not its own', async () => {
    const wrapping = await new PassphraseKeyProvider('pw', { kdf: { ...kdf, passes: 2, memory: 128 } }).wrap(secret);
    expect(wrapping.params).toMatchObject({ passes: 2, memory: 128 });
    expect(await new PassphraseKeyProvider('pw', { kdf }).unwrap(wrapping)).toEqual(secret);
    // Changing a stored parameter changes the key-encryption key: the record no longer opens.
    await expect(
      new PassphraseKeyProvider('pw').unwrap({ ...wrapping, params: { ...wrapping.params, passes: 1 } }),
    ).rejects.toMatchObject(auth(/passphrase does not open this key/));
  });

  it('supports scrypt wrappings', async () => {
    const provider = new PassphraseKeyProvider('pw', {
      kdf: { algorithm: 'scrypt', memory: 1024, passes: 1, parallelism: 1 },
    });
    const wrapping = await provider.wrap(secret);
    expect(wrapping.params['kdf']).toBe('scrypt');
    expect(await new PassphraseKeyProvider('pw', { kdf }).unwrap(wrapping)).toEqual(secret);
  });

  it('normalises string passphrases to NFC', async () => {
    const wrapping = await new PassphraseKeyProvider('caf\u00e9', { kdf }).wrap(secret);
    expect(await new PassphraseKeyProvider('cafe\u0301', { kdf }).unwrap(wrapping)).toEqual(secret);
  });

  it('refuses a wrong passphrase with AuthError "the passphrase does not open this key"', async () => {
    const wrapping = await new PassphraseKeyProvider('right', { kdf }).wrap(secret);
    await expect(new PassphraseKeyProvider('wrong', { kdf }).unwrap(wrapping)).rejects.toMatchObject(
      auth(/^the passphrase does not open this key$/),
    );
    await expect(new PassphraseKeyProvider('Right', { kdf }).unwrap(wrapping)).rejects.toMatchObject(auth());
  });

  it.each<[string, (wrapping: KeyWrapping) => KeyWrapping, RegExp]>([
    ['a flipped ciphertext byte', (w) => altered(w, (bytes) => (bytes[15] = (bytes[15] ?? 0) ^ 1)), /does not open/],
    [
      'a flipped tag byte',
      (w) => altered(w, (bytes) => (bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1)),
      /does not open/,
    ],
    ['a zeroed tail', (w) => altered(w, (bytes) => bytes.fill(0, 20)), /does not open/],
    ['an empty wrapping', (w) => ({ ...w, wrapped: '' }), /does not open/],
    [
      'a different salt',
      (w) => ({ ...w, params: { ...w.params, salt: randomBytes(16).toString('base64') } }),
      /does not open/,
    ],
    ['a missing salt', (w) => ({ ...w, params: { ...w.params, salt: 0 } }), /malformed/],
    ['a short salt', (w) => ({ ...w, params: { ...w.params, salt: 'AAAA' } }), /salt shorter/],
    ['an unknown KDF', (w) => ({ ...w, params: { ...w.params, kdf: 'md5' } }), /malformed/],
    ['a huge memory cost', (w) => ({ ...w, params: { ...w.params, memory: 1e9 } }), /above 4 GiB/],
    ['a huge pass count', (w) => ({ ...w, params: { ...w.params, passes: 1e6 } }), /too high/],
    ['a fractional parameter', (w) => ({ ...w, params: { ...w.params, parallelism: 1.5 } }), /positive integers/],
    ['a string parameter', (w) => ({ ...w, params: { ...w.params, memory: '64' } }), /positive integers/],
  ])('refuses %s with AuthError', async (_name, change, message) => {
    const provider = new PassphraseKeyProvider('pw', { kdf });
    const wrapping = await provider.wrap(secret);
    await expect(provider.unwrap(change(wrapping))).rejects.toMatchObject(auth(message));
  });

  it('refuses another scheme with ValidationError', async () => {
    await expect(
      new PassphraseKeyProvider('pw', { kdf }).unwrap({ scheme: 'envelope', params: {}, wrapped: '' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/envelope key cannot be opened with a passphrase/) as unknown,
    });
  });

  it('refuses an empty passphrase and unusable parameters with ValidationError', () => {
    const validation = expect.objectContaining({ code: 'VALIDATION' }) as object;
    expect(() => new PassphraseKeyProvider('')).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: 'the passphrase is empty' }),
    );
    expect(() => new PassphraseKeyProvider(new Uint8Array(0))).toThrow(validation);
    expect(() => new PassphraseKeyProvider('pw', { kdf: { ...kdf, memory: 4 } })).toThrow(validation);
    expect(() => new PassphraseKeyProvider('pw', { kdf: { ...kdf, passes: 0 } })).toThrow(validation);
    expect(
      () => new PassphraseKeyProvider('pw', { kdf: { algorithm: 'scrypt', memory: 1000, passes: 1, parallelism: 1 } }),
    ).toThrow(validation);
  });

  it('keeps its own copy of a byte passphrase', async () => {
    const bytes = new TextEncoder().encode('pw');
    const provider = new PassphraseKeyProvider(bytes, { kdf });
    bytes.fill(0);
    expect(await new PassphraseKeyProvider('pw', { kdf }).unwrap(await provider.wrap(secret))).toEqual(secret);
  });
});
