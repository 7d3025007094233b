/**
 * Key providers wrap and unwrap a repository's data key (its random master secret). The repository
 * stores only the {@link KeyWrapping} a provider returns, in a key record; the key-encryption key
 * never leaves the provider. Several records can wrap the same secret (a passphrase and an account key),
 * so access can be added or revoked without re-encrypting data.
 *
 * Errors are part of the contract, so the CLI and server can tell the user what happened: a provider that
 * cannot open a wrapping says so with `AuthError` (wrong passphrase, other key, altered record) and never
 * `IntegrityError`, which would suggest damaged data.
 */

/** What a provider stores for one wrapped secret: JSON-serialisable, with no secret in clear. */
export interface KeyWrapping {
  /** The provider scheme that made it (`passphrase`, `envelope`). */
  readonly scheme: string;
  /** What the scheme needs to unwrap (KDF parameters and salt, a key id). Never secret. */
  readonly params: Readonly<Record<string, string | number>>;
  /** The wrapped secret: base64 of an AES-256-GCM seal (`nonce ‖ ciphertext ‖ tag`). */
  readonly wrapped: string;
}

/**
 * Wraps and unwraps a repository's data key.
 *
 * @example
 * ```ts
 * const record = await provider.wrap(dataKey); // store JSON.stringify(record)
 * const again = await provider.unwrap(record); // AuthError if this provider cannot open it
 * ```
 */
export interface KeyProvider {
  /** The scheme of the wrappings this provider makes and opens. */
  readonly scheme: string;
  /** A short label for messages (`the passphrase`, `key-encryption key "k-42"`); never a secret. */
  readonly description: string;
  /** Wraps a secret; each call uses fresh randomness (salt, nonce). */
  wrap(secret: Uint8Array): Promise<KeyWrapping>;
  /**
   * Unwraps a secret. Rejects with `AuthError` when this provider's key does not open the wrapping
   * (wrong passphrase, other key, altered or malformed wrapping) and `ValidationError` for another
   * scheme's wrapping. Never `IntegrityError`.
   */
  unwrap(wrapping: KeyWrapping): Promise<Uint8Array>;
}
