/**
 * Random folder trees and random mutations of them, for round-trip property tests: empty files, files
 * larger than a pack, deep paths, unicode and odd names, symlinks; edits, appends, truncations, renames,
 * moves, deletions and re-creations.
 */
import {
  appendFile,
  mkdir,
  readdir,
  rename,
  rm,
  stat,
  symlink,
  truncate,
  writeFile,
  lstat,
  open,
} from 'node:fs/promises';
import { join } from 'node:path';
import type { Random } from './random.ts';

const NAMES = [
  'a',
  'notes.txt',
  'Ünïcödé',
  '日本語のファイル',
  'emoji 😀 file',
  'with space',
  '-dash',
  '#hash%percent',
  '.hidden',
  'UPPER',
  'upper',
  'x'.repeat(120),
  'tab\there',
];

export async function listAll(root: string): Promise<{ files: string[]; folders: string[] }> {
  const files: string[] = [];
  const folders: string[] = [];
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        folders.push(path);
        await visit(join(dir, entry.name), path);
      } else files.push(path);
    }
  };
  await visit(root, '');
  return { files: files.sort(), folders: folders.sort() };
}

function freshName(random: Random): string {
  return `${random.pick(NAMES)}-${String(random.int(0, 1_000_000))}`;
}

function fileSize(random: Random, bigSize: number): number {
  const roll = random.next();
  if (roll < 0.15) return 0;
  if (roll < 0.7) return random.int(1, 2000);
  if (roll < 0.95) return random.int(2000, 100_000);
  return random.int(bigSize, bigSize * 2);
}

/** Fills `root` with a random tree. `bigSize`: the size of the rare big files (make it exceed a pack). */
export async function createRandomTree(
  root: string,
  random: Random,
  options: { items: number; bigSize: number },
): Promise<void> {
  await mkdir(root, { recursive: true });
  const folders = [''];
  // A deep path.
  let deep = '';
  for (let i = 0; i < 12; i++) deep = deep === '' ? `level-${String(i)}` : `${deep}/level-${String(i)}`;
  await mkdir(join(root, deep), { recursive: true });
  folders.push(deep);
  for (let i = 0; i < options.items; i++) {
    const parent = random.pick(folders);
    const path = parent === '' ? freshName(random) : `${parent}/${freshName(random)}`;
    const roll = random.next();
    if (roll < 0.2) {
      await mkdir(join(root, path), { recursive: true });
      folders.push(path);
    } else if (roll < 0.24) {
      await symlink(random.pick(['../elsewhere', 'target.txt', '/etc/hostname']), join(root, path));
    } else {
      await writeFile(join(root, path), random.bytes(fileSize(random, options.bigSize)));
    }
  }
}

/** Applies one random mutation; returns what it did. */
export async function mutate(root: string, random: Random, bigSize: number): Promise<string> {
  const { files, folders } = await listAll(root);
  const regular: string[] = [];
  for (const file of files) if ((await lstat(join(root, file))).isFile()) regular.push(file);
  const kind = random.pick(['edit', 'append', 'truncate', 'rename', 'move', 'delete', 'recreate', 'create', 'rmdir']);
  const anyFolder = (): string => random.pick(['', ...folders]);
  if (regular.length === 0 || kind === 'create') {
    const path = join(anyFolder(), freshName(random));
    await writeFile(join(root, path), random.bytes(fileSize(random, bigSize)));
    return `create ${path}`;
  }
  const file = random.pick(regular);
  const full = join(root, file);
  const size = (await stat(full)).size;
  switch (kind) {
    case 'edit': {
      // Same size, different bytes: only the version (mtime) tells it changed.
      const handle = await open(full, 'r+');
      try {
        const at = size === 0 ? 0 : random.int(0, size - 1);
        await handle.write(random.bytes(Math.min(64, Math.max(1, size - at))), 0, undefined, at);
      } finally {
        await handle.close();
      }
      return `edit ${file}`;
    }
    case 'append':
      await appendFile(full, random.bytes(random.int(1, 5000)));
      return `append ${file}`;
    case 'truncate':
      await truncate(full, random.int(0, size));
      return `truncate ${file}`;
    case 'rename': {
      const to = join(file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '', freshName(random));
      await rename(full, join(root, to));
      return `rename ${file} -> ${to}`;
    }
    case 'move': {
      const to = join(anyFolder(), freshName(random));
      await rename(full, join(root, to));
      return `move ${file} -> ${to}`;
    }
    case 'delete':
      await rm(full);
      return `delete ${file}`;
    case 'recreate':
      await rm(full);
      await writeFile(full, random.bytes(fileSize(random, bigSize)));
      return `recreate ${file}`;
    case 'rmdir': {
      const folder = folders.filter((f) => !f.startsWith('level-0'));
      if (folder.length === 0) return 'rmdir (none)';
      const victim = random.pick(folder);
      await rm(join(root, victim), { recursive: true });
      return `rmdir ${victim}`;
    }
    default:
      return 'nothing';
  }
}
