/**
 * Secrets the server must read back (TOTP secrets now, service tokens later), sealed at rest with
 * AES-256-GCM under a key derived from the master key by HKDF-SHA-256 with a per-purpose label, so one
 * purpose's key never opens another's. Each seal has a fresh 96-bit nonce; the associated data binds the
 * ciphertext to its row (a sealed secret copied to another user's row does not open). The stored form is
 * `v1.<nonce>.<ciphertext>.<tag>` in base64url: no plaintext, and nothing that looks like base32.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface SecretBox {
  /** Seals `plain`, bound to `context` (for example the user id). */
  seal(plain: Uint8Array, context: string): string;
  /** Opens a sealed value. @throws Error when it was tampered with, or sealed for another context or key. */
  open(sealed: string, context: string): Buffer;
}

/** A box for one purpose (`'totp'`), keyed from the master key. */
export function secretBox(masterKey: Buffer, purpose: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `holdfast secret box v1 ${purpose}`, 32));
  return {
    seal(plain, context) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      const parts = [nonce, body, cipher.getAuthTag()].map((part) => part.toString('base64url'));
      return `v1.${parts.join('.')}`;
    },
    open(sealed, context) {
      const [version, nonce = '', body = '', tag = ''] = sealed.split('.');
      if (version !== 'v1') throw new Error('unknown sealed secret format');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    },
  };
}
