export type { KeyProvider, KeyWrapping } from './key-provider.ts';
export {
  defaultKdfParams,
  PassphraseKeyProvider,
  testingKdfParams,
  type KdfParams,
  type PassphraseKeyProviderOptions,
} from './passphrase-key-provider.ts';
export { EnvelopeKeyProvider, type EnvelopeKeyProviderOptions } from './envelope-key-provider.ts';
export { unwrapKey, wrapKey } from './wrap-key.ts';
