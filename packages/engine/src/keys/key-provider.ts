/**
 * Key providers wrap and unwrap a repository's master secret. The repository stores only what
 * `wrap` returns; the key-encryption key never leaves the provider.
 */

/** What a provider stores for one wrapped secret: JSON-serialisable, no secret in clear. */
export interface KeyWrapping {
  /** The provider scheme that made it (`passphrase`, `envelope`). */
  readonly scheme: string;
  /** What the scheme needs to unwrap (KDF parameters and salt, a key id). Never secret. */
  readonly params: Readonly<Record<string, string | number>>;
  /** The wrapped secret, base64. */
  readonly wrapped: string;
}

/** Wraps and unwraps a repository's master secret. */
export interface KeyProvider {
  /** The scheme of the wrappings this provider makes and opens. */
  readonly scheme: string;
  /** A short description for messages (`the passphrase`, `account key k-42`); never a secret. */
  readonly description: string;
  /** Wraps a secret. */
  wrap(secret: Uint8Array): Promise<KeyWrapping>;
  /**
   * Unwraps a secret. Rejects with `AuthError` when this provider's key does not open the wrapping
   * (wrong passphrase, other key, altered wrapping) and `ValidationError` for another scheme's wrapping.
   */
  unwrap(wrapping: KeyWrapping): Promise<Uint8Array>;
}
