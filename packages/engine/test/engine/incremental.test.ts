/**
 * Incremental backups: a source with a change feed (MemorySource, in both of its deletion styles) is
 * walked in full once, then changed; the next backup applies only the changes to the parent's tree. The
 * result must be exactly the snapshot a full walk of the same state gives (the same root tree id), must
 * restore to the source's current files, and must read only what changed.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsRestoreTarget } from '../../src/fs/index.ts';
import { MemoryObjectStore, MemorySource, type MemorySourceOptions } from '../../src/memory/index.ts';
import type { Source, Walk, WalkOptions } from '../../src/ports/index.ts';
import type { Repository } from '../../src/repository/repository.ts';
import type { Snapshot } from '../../src/repository/snapshot-record.ts';
import { contents } from '../cli/cli-harness.ts';
import { Random } from './support/random.ts';
import { initSmallRepository, tempDir } from './support/repo.ts';

const LONG_AGO = () => new Date('2024-06-01T00:00:00Z');
const ANA = 'ana';

let work: Awaited<ReturnType<typeof tempDir>>;
let repo: Repository;
let restores = 0;

beforeEach(async () => {
  work = await tempDir('incremental');
  repo = await initSmallRepository(new MemoryObjectStore());
});
afterEach(async () => {
  await repo.close();
  await work.cleanup();
});

function seeded(options: MemorySourceOptions = {}): MemorySource {
  const source = new MemorySource({ now: LONG_AGO, ...options });
  source.addEntity(ANA, 'Ana');
  source.write(ANA, 'docs/report.txt', 'quarterly numbers '.repeat(2000));
  source.write(ANA, 'docs/notes.txt', 'notes');
  source.write(ANA, 'docs/old/2019.txt', 'an old year');
  source.write(ANA, 'photos/cat.jpg', 'meow '.repeat(5000));
  source.write(ANA, 'photos/trip/day1.jpg', 'sea '.repeat(3000));
  source.write(ANA, 'photos/trip/day2.jpg', 'hills '.repeat(3000));
  source.write(ANA, 'top.txt', 'top level');
  source.mkdir(ANA, 'empty');
  return source;
}

/** Restores a snapshot into a new folder and returns its files. */
async function restored(snapshot: Snapshot): Promise<Record<string, string>> {
  const into = join(work.path, `restore-${String(restores++)}`);
  await repo.restore(snapshot, new FsRestoreTarget(into));
  return contents(into);
}

function expected(source: MemorySource): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, bytes] of source.files(ANA)) out[path] = Buffer.from(bytes).toString('base64');
  return out;
}

/** Backs up incrementally, then in full from the same state, and checks they agree. */
async function incrementalMatchesFull(source: MemorySource): Promise<Snapshot> {
  const incremental = await repo.backup(source, ANA);
  expect(incremental.stats.walk).toBe('incremental');
  const full = await repo.backup(source, ANA, { parent: null });
  expect(full.stats.walk).toBe('full');
  expect(incremental.tree).toBe(full.tree);
  expect(incremental.stats.items).toBe(full.stats.items);
  expect(incremental.stats.totalBytes).toBe(full.stats.totalBytes);
  expect(await restored(incremental)).toEqual(expected(source));
  return incremental;
}

describe.each([
  { style: 'deletions by id (Box-like)', options: {} },
  {
    style: 'deletions by path, case-insensitive (Dropbox-like)',
    options: { deletions: 'path', caseInsensitive: true },
  },
] as const)('incremental backup with $style', ({ options }) => {
  it('applies edits, additions, renames, moves, copies and deletions', async () => {
    const source = seeded(options);
    const first = await repo.backup(source, ANA);
    expect(first.stats.walk).toBe('full');
    expect(first.cursor).toBeDefined();

    source.write(ANA, 'docs/notes.txt', 'notes, edited');
    source.write(ANA, 'new/deep/file.txt', 'brand new');
    source.move(ANA, 'top.txt', 'docs/top-renamed.txt');
    source.move(ANA, 'photos/trip', 'docs/trip-2024');
    source.copy(ANA, 'docs/old', 'archive');
    source.remove(ANA, 'photos/cat.jpg');
    source.remove(ANA, 'empty');
    const reads = source.contentReads;
    const second = await incrementalMatchesFull(source);
    // The full backup after it read nothing new either, but the incremental one is what is measured:
    // it ran first and read only the edited file, the new file and the copied file.
    expect(second.stats.newFiles + second.stats.changedFiles).toBe(3);
    expect(second.stats.deletedItems).toBeGreaterThanOrEqual(2);
    expect(source.contentReads - reads).toBeGreaterThanOrEqual(3);
  });

  it('reads only what changed: a rename or a folder move reads nothing', async () => {
    const source = seeded(options);
    await repo.backup(source, ANA);
    source.move(ANA, 'photos', 'pictures');
    source.move(ANA, 'docs/report.txt', 'report-final.txt');
    const reads = source.contentReads;
    const snapshot = await repo.backup(source, ANA);
    expect(snapshot.stats.walk).toBe('incremental');
    expect(source.contentReads - reads).toBe(0);
    expect(snapshot.stats.bytesRead).toBe(0);
    expect(await restored(snapshot)).toEqual(expected(source));
  });

  it('records an unchanged entity as the same tree', async () => {
    const source = seeded(options);
    const first = await repo.backup(source, ANA);
    const second = await repo.backup(source, ANA);
    expect(second.stats.walk).toBe('incremental');
    expect(second.tree).toBe(first.tree);
    expect(second.stats).toMatchObject({
      items: first.stats.items,
      totalBytes: first.stats.totalBytes,
      unchangedFiles: 7,
      newFiles: 0,
      changedFiles: 0,
      deletedItems: 0,
      bytesRead: 0,
    });
  });

  it.each([7, 11, 23])('agrees with a full walk after many random changes (seed %i)', async (seed) => {
    const source = seeded(options);
    const random = new Random(seed);
    await repo.backup(source, ANA);
    for (let round = 0; round < 6; round++) {
      for (let step = 0; step < 15; step++) mutate(source, random, `${String(round)}-${String(step)}`);
      await incrementalMatchesFull(source);
    }
  });
});

describe('incremental backup fall-backs', () => {
  it('walks in full when the cursor is too old', async () => {
    const source = seeded();
    await repo.backup(source, ANA);
    source.write(ANA, 'docs/notes.txt', 'changed while the cursor expired');
    source.expireCursors();
    const snapshot = await repo.backup(source, ANA);
    expect(snapshot.stats.walk).toBe('full');
    expect(await restored(snapshot)).toEqual(expected(source));
  });

  it('walks in full when the feed names an item outside any folder', async () => {
    const source = seeded();
    await repo.backup(source, ANA);
    source.write(ANA, 'docs/notes.txt', 'edited');
    const broken = new OrphanInjectingSource(source);
    const snapshot = await repo.backup(broken, ANA);
    expect(snapshot.stats.walk).toBe('full');
    expect(snapshot.status).toBe('complete');
    expect(await restored(snapshot)).toEqual(expected(source));
  });

  it('does not need the cursor-less path for a case-only rename on a case-insensitive source', async () => {
    const source = seeded({ deletions: 'path', caseInsensitive: true });
    await repo.backup(source, ANA);
    source.move(ANA, 'docs', 'Docs');
    const snapshot = await incrementalMatchesFull(source);
    expect(Object.keys(await restored(snapshot)).some((path) => path.startsWith('Docs/'))).toBe(true);
  });
});

/** One random change: write, edit, move, copy or remove something that exists. */
function mutate(source: MemorySource, random: Random, tag: string): void {
  const files = [...source.files(ANA).keys()];
  const folders = [...new Set(files.map((path) => path.split('/').slice(0, -1).join('/')).filter((p) => p !== ''))];
  const pick = <T>(list: T[]): T | undefined => (list.length === 0 ? undefined : random.pick(list));
  switch (random.int(0, 5)) {
    case 0: {
      const folder = pick(folders) ?? '';
      source.write(ANA, `${folder === '' ? '' : `${folder}/`}new-${tag}.txt`, `created ${tag}`);
      return;
    }
    case 1: {
      const file = pick(files);
      if (file !== undefined) source.write(ANA, file, `edited ${tag} ${'x'.repeat(random.int(0, 40_000))}`);
      return;
    }
    case 2: {
      const file = pick(files);
      if (file !== undefined) source.move(ANA, file, `moved-${tag}.txt`);
      return;
    }
    case 3: {
      const folder = pick(folders);
      if (folder !== undefined && !folder.includes('/')) source.move(ANA, folder, `folder-${tag}`);
      return;
    }
    case 4: {
      const folder = pick(folders);
      if (folder !== undefined) source.copy(ANA, folder, `copy-${tag}`);
      return;
    }
    default: {
      const target = random.int(0, 1) === 0 ? pick(files) : pick(folders);
      if (target !== undefined) source.remove(ANA, target);
    }
  }
}

/** Wraps a source and adds, to incremental walks, an item whose folder exists nowhere. */
class OrphanInjectingSource implements Source {
  readonly #inner: MemorySource;
  readonly name: string;
  readonly capabilities;
  readonly contentReads = 0;

  constructor(inner: MemorySource) {
    this.#inner = inner;
    this.name = inner.name;
    this.capabilities = inner.capabilities;
  }

  listEntities(): AsyncIterable<{ id: string; name: string }> {
    return this.#inner.listEntities();
  }

  async walk(entityId: string, options: WalkOptions = {}): Promise<Walk> {
    const walk = await this.#inner.walk(entityId, options);
    if (walk.mode === 'full') return walk;
    return {
      mode: 'incremental',
      entries: (async function* () {
        yield* walk.entries;
        yield {
          kind: 'item',
          item: { id: 'ghost', path: 'no/such/folder/ghost.txt', type: 'file', size: 1, version: '1' },
        };
      })(),
      cursor: () => walk.cursor(),
    };
  }

  openContent: Source['openContent'] = async (entityId, item, options) =>
    this.#inner.openContent(entityId, item, options);
}

describe('full walks of a case-insensitive source', () => {
  it('reuse the content of a folder renamed only in case', async () => {
    const source = seeded({ deletions: 'path', caseInsensitive: true });
    const first = await repo.backup(source, ANA);
    source.move(ANA, 'photos', 'Photos');
    source.expireCursors(); // the next walk is full, diffed against the snapshot that says `photos`
    const reads = source.contentReads;
    const full = await repo.backup(source, ANA);
    expect(full.stats.walk).toBe('full');
    expect(source.contentReads - reads).toBe(0);
    expect(full.stats).toMatchObject({ unchangedFiles: 7, newFiles: 0, deletedItems: 0 });
    expect(full.tree).not.toBe(first.tree);
    expect(await restored(full)).toEqual(expected(source));
  });
});
