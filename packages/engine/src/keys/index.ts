/**
 * Key providers: how a repository's random data key is wrapped for storage, by a passphrase
 * ({@link PassphraseKeyProvider}) or by the server's account keys ({@link EnvelopeKeyProvider}).
 */
export type { KeyProvider, KeyWrapping } from './key-provider.ts';
export {
  argon2Available,
  defaultKdfParams,
  PassphraseKeyProvider,
  testingKdfParams,
  type KdfParams,
  type PassphraseKeyProviderOptions,
} from './passphrase-key-provider.ts';
export { EnvelopeKeyProvider, type EnvelopeKeyProviderOptions } from './envelope-key-provider.ts';
export { unwrapKey, wrapKey } from './wrap-key.ts';
