/**
 * Walking, sizing and hashing directory trees: the repository size after each step and the check that a
 * restore gave back exactly the bytes that were backed up.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** The regular files under `dir`, as `/`-separated paths relative to it, sorted. Symlinks are not followed. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** The sum of the sizes of the regular files under `dir` (what the repository costs on disk, before blocks). */
export async function directorySize(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  let total = 0;
  for (const entry of entries) {
    if (entry.isFile()) {
      total += (await lstat(join(entry.parentPath, entry.name))).size;
    }
  }
  return total;
}

/** SHA-256 of a file's content, lower-case hex. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** Size and SHA-256 of one file, as a manifest records it. */
export interface FileDigest {
  /** `/`-separated path relative to the tree's root. */
  readonly path: string;
  readonly size: number;
  /** SHA-256, lower-case hex. */
  readonly sha256: string;
}

/** How a tree differs from what was expected. Empty lists: identical. */
export interface TreeComparison {
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly different: readonly string[];
  /** Bytes read to compare. */
  readonly bytesRead: number;
}

/** Compares every regular file under `dir` with `expected` by size, then SHA-256 of the content. */
export async function compareTree(dir: string, expected: readonly FileDigest[]): Promise<TreeComparison> {
  const actual = new Set(await listFiles(dir));
  const missing: string[] = [];
  const different: string[] = [];
  let bytesRead = 0;
  for (const file of expected) {
    if (!actual.delete(file.path)) {
      missing.push(file.path);
      continue;
    }
    const path = join(dir, file.path);
    const { size } = await lstat(path);
    if (size !== file.size) {
      different.push(file.path);
      continue;
    }
    bytesRead += size;
    if ((await hashFile(path)) !== file.sha256) {
      different.push(file.path);
    }
  }
  return { missing, unexpected: [...actual].sort(), different, bytesRead };
}

/** Whether a comparison found no difference. */
export function treesMatch(comparison: TreeComparison): boolean {
  return comparison.missing.length + comparison.unexpected.length + comparison.different.length === 0;
}

/** A few lines naming what differs, for a failure message. */
export function describeComparison(comparison: TreeComparison): string {
  const show = (label: string, paths: readonly string[]): string =>
    paths.length === 0
      ? ''
      : `  ${label}: ${paths.length} (${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ', ...' : ''})\n`;
  return (
    show('missing', comparison.missing) +
    show('unexpected', comparison.unexpected) +
    show('different content', comparison.different)
  ).trimEnd();
}

/**
 * Where a restored tree's root is inside `target`: restic restores under the backed-up absolute path,
 * other tools directly into the target. Found as the directory holding `probe`, a path every copy of the
 * tree has; undefined when no copy of it is there.
 */
export async function findTreeRoot(target: string, probe: string): Promise<string | undefined> {
  for (const path of await listFiles(target)) {
    if (path === probe) {
      return target;
    }
    if (path.endsWith(`/${probe}`)) {
      return join(target, path.slice(0, -probe.length - 1));
    }
  }
  return undefined;
}
