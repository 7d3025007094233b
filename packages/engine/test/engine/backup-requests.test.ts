/** A snapshot records the store requests its backup made: what it cost on a pay-per-request store. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import { Repository } from '../../src/repository/repository.ts';
import { RequestCountingObjectStore } from '../../src/stores/request-counting-object-store.ts';
import { SMALL_CHUNKS, SMALL_PACK, tempDir, testKeys } from './support/repo.ts';

describe('backup request counts', () => {
  it('match what the store saw, for a first and an unchanged backup', async () => {
    const dir = await tempDir('requests');
    try {
      await mkdir(join(dir.path, 'docs'));
      for (let i = 0; i < 20; i++)
        await writeFile(join(dir.path, 'docs', `f${String(i)}.txt`), `file ${String(i)} `.repeat(2000));
      const counting = new RequestCountingObjectStore(new MemoryObjectStore());
      const repo = await Repository.init(counting, {
        keyProvider: testKeys(),
        chunker: SMALL_CHUNKS,
        packSize: SMALL_PACK,
      });

      for (const label of ['first', 'unchanged']) {
        counting.reset();
        const snapshot = await repo.backup(new FsSource(dir.path), fsSourceEntityId);
        const requests = snapshot.stats.requests;
        expect(requests, label).toBeDefined();
        // Everything but the lock's removal, which follows the record.
        expect(requests).toEqual({ ...counting.counts, delete: counting.counts.delete - 1 });
        if (label === 'first') expect(requests?.put).toBeGreaterThan(3);
        else expect(requests?.put).toBe(2); // the lock and the snapshot record: no data, no tree changed
      }
      await repo.close();
    } finally {
      await dir.cleanup();
    }
  });
});
