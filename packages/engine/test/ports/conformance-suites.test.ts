/**
 * Tests of the conformance suites themselves: skips are checked, and the cases catch broken
 * implementations (each case is run directly against a store, source, target or destination with one
 * deliberate bug, and must fail).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors/index.ts';
import { FsRestoreTarget, FsSource, fsSourceEntityId } from '../../src/fs/index.ts';
import { MemoryObjectStore } from '../../src/memory/index.ts';
import type {
  ByteStream,
  ExportDestination,
  ExportLocation,
  GetOptions,
  ListOptions,
  ObjectInfo,
  PutOptions,
  Walk,
  WriteFileOptions,
} from '../../src/ports/index.ts';
import { exportDestinationCases } from '../../src/testing/export-destination-suite.ts';
import {
  collect,
  collectBytes,
  describeObjectStore,
  type objectStoreTests,
  skippedTestTitle,
} from '../../src/testing/index.ts';
import { objectStoreListCases } from '../../src/testing/object-store-list-cases.ts';
import { objectStoreCases } from '../../src/testing/object-store-cases.ts';
import { restoreTargetCases } from '../../src/testing/restore-target-cases.ts';
import { sourceCases } from '../../src/testing/source-cases.ts';
import { skipReasons } from '../../src/testing/suite.ts';
import { removeFolder, tempFolder, writeFixture } from './fs-fixtures.ts';

describe('conformance suite skips', () => {
  it('map each skipped title to its reason', () => {
    const reasons = skipReasons('suite', ['a', 'b', 'c'], [{ tests: ['a', 'c'], reason: 'the service cannot' }]);
    expect([...reasons]).toEqual([
      ['a', 'the service cannot'],
      ['c', 'the service cannot'],
    ]);
    expect(skippedTestTitle('title', 'why')).toBe('title [skipped: why]');
  });

  it('throw for a test the suite does not have, or a skip without a reason', () => {
    expect(() => skipReasons('suite', ['a'], [{ tests: ['typo'], reason: 'x' }])).toThrow('has no such test');
    expect(() => skipReasons('suite', ['a'], [{ tests: ['a'], reason: ' ' }])).toThrow('needs a reason');
    expect(() => {
      describeObjectStore({
        name: 'typo',
        create: async () => Promise.resolve({ store: new MemoryObjectStore() }),
        skip: [{ tests: ['stores a 20 MiB objekt' as typeof objectStoreTests.largeStream], reason: 'too big' }],
      });
    }).toThrow('cannot skip "stores a 20 MiB objekt"');
  });
});

/** A stream of the given chunks. */
async function* toStream(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array, void, undefined> {
  await Promise.resolve();
  yield* chunks;
}

/** A memory store with one bug. */
type StoreBug = 'range-length' | 'empty-missing' | 'partial-put' | 'duplicate-list' | 'folder-prefix' | 'shares-buffer';

class BrokenStore extends MemoryObjectStore {
  readonly bug: StoreBug;
  constructor(bug: StoreBug) {
    super();
    this.bug = bug;
  }
  readonly #shared = new Map<string, Uint8Array>();

  override async put(key: string, body: Uint8Array | ByteStream, options?: PutOptions): Promise<void> {
    if (this.bug === 'shares-buffer' && body instanceof Uint8Array) this.#shared.set(key, body);
    if (this.bug !== 'partial-put' || body instanceof Uint8Array) return super.put(key, body, options);
    const chunks: Uint8Array[] = [];
    try {
      for await (const chunk of body) chunks.push(chunk);
    } finally {
      await super.put(key, Buffer.concat(chunks), options);
    }
  }

  override async get(key: string, options: GetOptions = {}): Promise<ByteStream> {
    const shared = this.#shared.get(key);
    if (shared !== undefined) return toStream([shared]);
    if (this.bug === 'empty-missing' && this.size === 0) return toStream([]);
    const range = options.range;
    if (this.bug === 'range-length' && range !== undefined) return super.get(key, { range: { offset: range.offset } });
    return super.get(key, options);
  }

  override async *list(prefix: string, options?: ListOptions): AsyncGenerator<ObjectInfo, void, undefined> {
    const folderPrefix = this.bug === 'folder-prefix' ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : prefix;
    for await (const info of super.list(folderPrefix, options)) {
      yield info;
      if (this.bug === 'duplicate-list') yield info;
    }
  }
}

describe('the ObjectStore cases catch', () => {
  const cases = { ...objectStoreCases, ...objectStoreListCases };
  it.each([
    ['a range length ignored', 'range-length', 'rangeMiddle'],
    ['an empty stream for a missing key', 'empty-missing', 'getMissing'],
    ['a failed put leaving a partial object', 'partial-put', 'failedPut'],
    ['a key listed twice', 'duplicate-list', 'listAll'],
    ['a mid-name prefix treated as its folder', 'folder-prefix', 'listMidSegmentPrefix'],
    ["a store sharing the caller's buffer", 'shares-buffer', 'copies'],
  ] as const)('%s', async (_label, bug, key) => {
    await expect(cases[key](async () => Promise.resolve({ store: new BrokenStore(bug) }))).rejects.toThrow();
  });
});

describe('the Source cases catch', () => {
  /** An FsSource whose walk yields each folder after its contents, or each item twice. */
  class BrokenSource extends FsSource {
    readonly bug: 'contents-first' | 'twice';
    constructor(root: string, bug: 'contents-first' | 'twice') {
      super(root);
      this.bug = bug;
    }
    override async walk(entityId: string): Promise<Walk> {
      const walk = await super.walk(entityId);
      const items = (await collect(walk.entries)).filter((entry) => entry.kind === 'item');
      const bug = this.bug;
      return {
        ...walk,
        entries: (async function* () {
          await Promise.resolve();
          if (bug === 'twice') yield* [...items, ...items];
          else yield* [...items].reverse();
        })(),
      };
    }
  }

  it.each([
    ['contents before their folder', 'contents-first', 'depthFirst'],
    ['items yielded twice', 'twice', 'fullWalk'],
  ] as const)('%s', async (_label, bug, key) => {
    const root = await tempFolder('broken-source');
    try {
      const run = sourceCases[key](async (fixture) => {
        await writeFixture(root, fixture);
        return { source: new BrokenSource(root, bug), entityId: fsSourceEntityId };
      });
      await expect(run).rejects.toThrow();
    } finally {
      await removeFolder(root);
    }
  });
});

describe('the RestoreTarget and ExportDestination cases catch', () => {
  it('a target that overwrites without being asked', async () => {
    class Clobbering extends FsRestoreTarget {
      override async writeFile(path: string, content: ByteStream, options: WriteFileOptions): Promise<void> {
        return super.writeFile(path, content, { ...options, overwrite: true });
      }
    }
    const root = await tempFolder('broken-target');
    try {
      const context = { target: new Clobbering(root), read: async (path: string) => readFile(join(root, path)) };
      await expect(restoreTargetCases.writeNoOverwrite(async () => Promise.resolve(context))).rejects.toThrow();
    } finally {
      await removeFolder(root);
    }
  });

  it('a destination that overwrites an existing export', async () => {
    const files = new Map<string, Uint8Array>();
    const destination: ExportDestination = {
      name: 'broken',
      capabilities: {},
      async write(name: string, content: ByteStream): Promise<ExportLocation> {
        const bytes = await collectBytes(content);
        files.set(name, bytes);
        return { location: name, size: bytes.length };
      },
    };
    const read = async (location: string): Promise<Uint8Array> => {
      const bytes = files.get(location);
      if (bytes === undefined) throw new NotFoundError(location);
      return Promise.resolve(bytes);
    };
    await expect(exportDestinationCases.conflict(async () => Promise.resolve({ destination, read }))).rejects.toThrow();
  });
});
