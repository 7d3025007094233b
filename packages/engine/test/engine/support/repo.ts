/** Test repositories: small chunks and packs so small data sets exercise multi-chunk files and many packs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassphraseKeyProvider, testingKdfParams } from '../../../src/keys/index.ts';
import type { ObjectStore } from '../../../src/ports/index.ts';
import { Repository } from '../../../src/repository/repository.ts';

export const SMALL_CHUNKS = { minSize: 4096, avgSize: 16_384, maxSize: 65_536, normalization: 1 };
export const SMALL_PACK = 64 * 1024;

export function testKeys(passphrase = 'correct horse battery staple'): PassphraseKeyProvider {
  return new PassphraseKeyProvider(passphrase, { kdf: testingKdfParams });
}

export async function initSmallRepository(store: ObjectStore): Promise<Repository> {
  return Repository.init(store, { keyProvider: testKeys(), chunker: SMALL_CHUNKS, packSize: SMALL_PACK });
}

/** A temp dir removed by the returned cleanup. */
export async function tempDir(label: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `holdfast-${label}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
