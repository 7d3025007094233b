/**
 * Helpers for the engine scenarios on the Dropbox mock: a repository in memory with small chunks and
 * packs, a member's Dropbox seeded with a small tree, the tree a member holds now (exact casing, with
 * bytes) and the tree a snapshot restores to (through FsRestoreTarget into a temp folder), so a test can
 * say "restores identical to the mock's current tree".
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  FsRestoreTarget,
  MemoryObjectStore,
  PassphraseKeyProvider,
  Repository,
  testingKdfParams,
  type ObjectStore,
  type Snapshot,
} from '@holdfast/engine';
import { testBytes } from '@holdfast/engine/testing';
import type { MockAccount, MockItem } from './dropbox-mock/index.ts';

/** A repository with 16 KiB chunks and 256 KiB packs, so small trees still make many chunks and packs. */
export async function smallRepository(store: ObjectStore = new MemoryObjectStore()): Promise<Repository> {
  return Repository.init(store, {
    keyProvider: new PassphraseKeyProvider('correct horse battery staple', { kdf: testingKdfParams }),
    chunker: { minSize: 4096, avgSize: 16_384, maxSize: 65_536 },
    packSize: 256 * 1024,
  });
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Seeds a member's Dropbox with nested folders, unicode names, an empty file and folder, a 1 MiB file. */
export function seed(account: MockAccount): void {
  const ns = account.namespace;
  ns.writeFile('/Docs/report.txt', text('quarterly numbers '.repeat(2000)), {
    mode: 'add',
    clientModified: '2024-03-01T10:00:00Z',
  });
  ns.writeFile('/Docs/notes.txt', text('notes'), { mode: 'add' });
  ns.writeFile('/Docs/Old/2019.txt', text('an old year'), { mode: 'add' });
  ns.writeFile('/Docs/Old/Deeper/deep.txt', text('deep'), { mode: 'add' });
  ns.writeFile('/Photos/cat.jpg', testBytes(1024 * 1024, 1), { mode: 'add' });
  ns.writeFile('/Photos/Trip 2024/day 1.jpg', testBytes(70_000, 2), { mode: 'add' });
  ns.writeFile('/Photos/Trip 2024/day 2.jpg', testBytes(90_000, 3), { mode: 'add' });
  ns.writeFile('/Ünïcødé 日本/😀.txt', text('emoji'), { mode: 'add' });
  ns.writeFile('/empty.txt', new Uint8Array(0), { mode: 'add' });
  ns.createFolder('/Empty folder');
  ns.writeFile('/top.txt', text('top level'), { mode: 'add' });
}

/** What a tree holds: `folder/` entries and files with their bytes, base64. */
export type TreeState = Record<string, string>;

/** The tree `account` holds now, under `root` (exact casing). */
export function mockTree(account: MockAccount, root = ''): TreeState {
  const ns = account.namespace;
  const start = root === '' ? ns.root : ns.resolve(root);
  if (start?.kind !== 'folder') throw new Error(`no folder ${root}`);
  const out: TreeState = {};
  const visit = (item: MockItem, path: string): void => {
    if (item.kind === 'folder') {
      if (path !== '') out[`${path}/`] = '';
      for (const child of item.children.values()) visit(child, path === '' ? child.name : `${path}/${child.name}`);
    } else {
      out[path] = Buffer.from(item.content).toString('base64');
    }
  };
  visit(start, '');
  return out;
}

/** The tree a folder on disk holds (same form as {@link mockTree}). */
export async function diskTree(root: string): Promise<TreeState> {
  const out: TreeState = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = relative(root, join(entry.parentPath, entry.name));
    if (entry.isDirectory()) out[`${path}/`] = '';
    else out[path] = (await readFile(join(root, path))).toString('base64');
  }
  return out;
}

/** Restores `snapshot` into a new temp folder and returns its tree. */
export async function restoredTree(repository: Repository, snapshot: Snapshot): Promise<TreeState> {
  const into = await mkdtemp(join(tmpdir(), 'holdfast-dropbox-restore-'));
  try {
    const result = await repository.restore(snapshot, await FsRestoreTarget.open(join(into, 'r')));
    if (result.errors.length > 0) throw new Error(`restore errors: ${JSON.stringify(result.errors)}`);
    return await diskTree(join(into, 'r'));
  } finally {
    await rm(into, { recursive: true, force: true });
  }
}

/** Files (not folders) of a tree state. */
export function filesOf(state: TreeState): string[] {
  return Object.keys(state)
    .filter((path) => !path.endsWith('/'))
    .sort();
}
