/**
 * A {@link Source} of many small files that exist only as a function of their index: `folders` folders of
 * `filesPerFolder` files each, every file 64–512 bytes of text derived from its index. Nothing is held in
 * memory: items are made as the walk reaches them and content as `openContent` is read, so the process's
 * memory is the engine's, not the data set's. Versions never change, so a second backup of the same source
 * is a no-change backup.
 */
import type { Source, SourceItem, WalkEntry } from './engine-api.ts';

/** The one entity. */
export const syntheticEntityId = 'synthetic';

const modifiedAt = '2025-01-01T00:00:00.000Z';

/** Options of {@link createSyntheticSource}. */
export interface SyntheticSourceOptions {
  readonly folders: number;
  readonly filesPerFolder: number;
  /** Makes the error `walk` and `openContent` reject with for an unknown entity or item (the engine's NotFoundError). */
  readonly notFound: (message: string) => Error;
}

/** The synthetic source. */
export function createSyntheticSource(options: SyntheticSourceOptions): Source {
  const { folders, filesPerFolder, notFound } = options;
  const files = folders * filesPerFolder;
  const fileIndex = (item: SourceItem): number => {
    const index = item.id.startsWith('file-') ? Number(item.id.slice(5)) : Number.NaN;
    if (!Number.isInteger(index) || index < 0 || index >= files) {
      throw notFound(`no file ${item.id} in the synthetic source`);
    }
    return index;
  };
  const checkEntity = (entityId: string): void => {
    if (entityId !== syntheticEntityId) {
      throw notFound(`no entity ${entityId} in the synthetic source`);
    }
  };

  function* entries(): Generator<WalkEntry> {
    for (let folder = 0; folder < folders; folder++) {
      const folderName = `folder-${String(folder).padStart(4, '0')}`;
      yield { kind: 'item', item: { id: folderName, path: folderName, type: 'folder', modifiedAt } };
      for (let file = 0; file < filesPerFolder; file++) {
        const index = folder * filesPerFolder + file;
        const item: SourceItem = {
          id: `file-${index}`,
          path: `${folderName}/item-${String(index).padStart(7, '0')}.txt`,
          type: 'file',
          size: contentSize(index),
          version: '1',
          modifiedAt,
        };
        yield { kind: 'item', item };
      }
    }
  }

  return {
    name: `synthetic:${folders}x${filesPerFolder}`,
    capabilities: { changeFeed: false },
    listEntities: () => asAsync([{ id: syntheticEntityId, name: 'synthetic many-items source' }]),
    walk(entityId) {
      checkEntity(entityId);
      return Promise.resolve({ mode: 'full', entries: asAsync(entries()), cursor: () => undefined });
    },
    openContent(entityId, item) {
      checkEntity(entityId);
      return Promise.resolve(asAsync([fileContent(fileIndex(item))]));
    },
  };
}

/** An async view of a synchronous iterable: nothing here waits, but the port is asynchronous. */
function asAsync<T>(iterable: Iterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = iterable[Symbol.iterator]();
      return { next: () => Promise.resolve(iterator.next()) };
    },
  };
}

/** The size of file `index`: 64–512 bytes, spread by a hash of the index. */
export function contentSize(index: number): number {
  return 64 + (mix(index) % 449);
}

/**
 * The content of file `index`: a line naming it, then lines of hex digits from a xorshift32 PRNG seeded by
 * the index. A fresh buffer per call (the engine may keep it while it works), carved from Node's shared
 * 8 KiB pool so a million small files are not a million allocations.
 */
export function fileContent(index: number): Uint8Array {
  const size = contentSize(index);
  const bytes = Buffer.allocUnsafe(size);
  const headerLength = bytes.write(`synthetic item ${index}\n`, 'latin1');
  let state = mix(index ^ 0x5bd1e995) || 1;
  for (let position = headerLength; position < size; position++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[position] = position % 65 === 64 ? 0x0a : (hexDigits[state & 15] ?? 0x30);
  }
  return bytes;
}

const hexDigits = Buffer.from('0123456789abcdef', 'latin1');

/** A 32-bit integer hash (murmur3's finaliser), unsigned. */
function mix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
