/**
 * Temp folders for the fs port tests: a fresh folder per test, removed afterwards, and the Source
 * suite's fixture trees written to disk.
 */
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceFixtureItem, SourceFixtureMutations } from '../../src/testing/index.ts';

/** A fresh empty temp folder. */
export async function tempFolder(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `holdfast-${label}-`));
}

/** Removes a temp folder and everything in it. */
export async function removeFolder(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
}

/** Writes a Source fixture tree under `root`. */
export async function writeFixture(root: string, fixture: readonly SourceFixtureItem[]): Promise<void> {
  for (const item of fixture) {
    const path = join(root, item.path);
    if (item.type === 'folder') await mkdir(path);
    else if (item.type === 'file') await writeFile(path, item.content ?? new Uint8Array(0));
    else await symlink(item.linkTarget ?? '', path);
  }
}

/** Mutations of a fixture on disk: files are rewritten in place, as an editor saving over them would. */
export function fsMutations(root: string): SourceFixtureMutations {
  return {
    write: async (path, content) => writeFile(join(root, path), content),
    remove: async (path) => unlink(join(root, path)),
  };
}
