/**
 * Incremental backups of the MOCK Box under random changes, with Box's event-stream quirks on (events
 * repeated, pages out of order): after each round of random edits, creations, renames, moves, copies,
 * trashings and restores, the incremental snapshot must be exactly the snapshot a full walk of the same
 * state gives (the same root tree id). Seeded, so a failure replays.
 */
import { describe, expect, it } from 'vitest';
import { testBytes } from '@holdfast/engine/testing';
import { BoxSource } from '../../src/box/index.ts';
import { keyOf, type MockItem, type MockUser } from './box-mock/box-mock-store.ts';
import { newRepository } from './box-engine-support.ts';
import { mockConnection, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);

/** xorshift32: the same numbers for the same seed. */
function random(seed: number): (below: number) => number {
  let x = seed || 1;
  return (below) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % below;
  };
}

/** One random change to the user's tree. */
function randomChange(user: MockUser, next: (below: number) => number, step: number): void {
  const { store } = mock;
  const live = [...store.items.values()].filter(
    (item) => item.ownerId === user.id && item.root !== true && store.isLive(item),
  );
  const folders = [store.item(store.rootKey(user.id))!, ...live.filter((item) => item.type === 'folder')];
  const files = live.filter((item) => item.type === 'file');
  const trashed = [...store.items.values()].filter((item) => item.ownerId === user.id && item.status === 'trashed');
  const pick = <T>(list: readonly T[]): T | undefined => (list.length === 0 ? undefined : list[next(list.length)]);
  const folder = pick(folders)!;
  const key = (item: MockItem): string => keyOf(item.type, item.id);
  const fresh = (base: string): string => `${base}-${String(step)}`;
  const under = (candidate: MockItem, ancestor: MockItem): boolean => {
    for (let at: MockItem | undefined = candidate; at !== undefined; at = store.parentOf(at))
      if (at === ancestor) return true;
    return false;
  };
  switch (next(9)) {
    case 0: {
      const file = pick(files);
      if (file !== undefined) store.newVersion(user.id, key(file), testBytes(100 + next(3000), step));
      break;
    }
    case 1:
      store.createFile(user.id, key(folder), fresh('file'), testBytes(50 + next(2000), step + 7));
      break;
    case 2:
      store.createFolder(user.id, key(folder), fresh('folder'));
      break;
    case 3: {
      const item = pick(live);
      if (item !== undefined) store.rename(user.id, key(item), fresh(item.type));
      break;
    }
    case 4: {
      const item = pick(live);
      if (item !== undefined && !under(folder, item) && store.childNamed(key(folder), item.name) === undefined)
        store.move(user.id, key(item), key(folder));
      break;
    }
    case 5: {
      const item = pick(live.filter((candidate) => candidate.type === 'folder'));
      if (item !== undefined && !under(folder, item)) store.copy(user.id, key(item), key(folder), fresh('copy'));
      break;
    }
    case 6:
    case 7: {
      const item = pick(live);
      if (item !== undefined) store.trash(user.id, key(item));
      break;
    }
    default: {
      const item = pick(trashed);
      const parent = item === undefined ? undefined : store.parentOf(item);
      const clash =
        parent === undefined || item === undefined
          ? undefined
          : store.childNamed(keyOf('folder', parent.id), item.name);
      if (item !== undefined && clash === undefined) store.restore(user.id, key(item));
    }
  }
}

describe('incremental Box backups under random changes and event quirks', () => {
  it.each([11, 29, 47])(
    'seed %i: every incremental snapshot equals the full one',
    { timeout: 120_000 },
    async (seed) => {
      const next = random(seed);
      const user = mock.addUser(`Random ${String(seed)}`);
      for (let step = 0; step < 30; step += 1) randomChange(user, next, step);
      const source = new BoxSource({ connection });
      const repository = await newRepository();
      try {
        await repository.backup(source, user.id);
        for (let round = 1; round <= 4; round += 1) {
          for (let step = 0; step < 12; step += 1) randomChange(user, next, round * 100 + step);
          mock.settings.eventQuirks = round % 2 === 0 ? { duplicateEvery: 3, reverse: true } : { duplicateEvery: 2 };
          const incremental = await repository.backup(source, user.id);
          mock.settings.eventQuirks = {};
          const full = await repository.backup(source, user.id, { parent: null });
          expect(incremental.stats.walk, `round ${String(round)}`).toBe('incremental');
          expect(incremental.tree, `round ${String(round)}`).toBe(full.tree);
          expect(incremental.stats.failedItems).toBe(0);
        }
      } finally {
        await repository.close();
      }
    },
  );
});
