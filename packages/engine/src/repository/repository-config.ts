/**
 * The repository config (`config`): the format version and the parameters every writer must share.
 * Sealed like every other object, so it is read only after a key opened the master secret.
 */
import { IntegrityError, PermanentError } from '../errors/index.ts';
import type { ChunkerSizes } from './repository-crypto.ts';

/** The repository format this engine writes and reads. */
export const REPOSITORY_FORMAT_VERSION = 1;

export interface RepositoryConfig {
  readonly version: number;
  /** A random id, stable for the repository's life. */
  readonly id: string;
  readonly created: string;
  readonly chunker: ChunkerSizes;
  /** Target size of pack objects in bytes. */
  readonly packSize: number;
  /** zstd level used when a blob shrinks; 0 disables compression. */
  readonly compressionLevel: number;
}

/** Checks a decrypted config. */
export function parseConfig(value: unknown): RepositoryConfig {
  if (typeof value !== 'object' || value === null) throw new IntegrityError('the repository config is malformed');
  const config = value as Partial<RepositoryConfig>;
  if (typeof config.version !== 'number') throw new IntegrityError('the repository config has no version');
  if (config.version > REPOSITORY_FORMAT_VERSION) {
    throw new PermanentError(
      `the repository uses format v${String(config.version)}; this holdfast reads up to v${String(REPOSITORY_FORMAT_VERSION)}: upgrade holdfast`,
    );
  }
  const chunker = config.chunker;
  if (
    typeof config.id !== 'string' ||
    typeof config.packSize !== 'number' ||
    typeof config.compressionLevel !== 'number' ||
    typeof chunker !== 'object' ||
    ![chunker.minSize, chunker.avgSize, chunker.maxSize, chunker.normalization].every(Number.isInteger)
  ) {
    throw new IntegrityError('the repository config is malformed');
  }
  return config as RepositoryConfig;
}
