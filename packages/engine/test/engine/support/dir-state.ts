/**
 * The observable state of a folder (every path with its type, content hash, size, mtime in ms, mode and
 * link target), to compare a restore with the source as it was at backup time.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface ItemState {
  readonly type: 'file' | 'folder' | 'symlink';
  readonly sha256?: string;
  readonly size?: number;
  readonly mtimeMs?: number;
  readonly mode?: number;
  readonly link?: string;
}

export async function dirState(root: string): Promise<Map<string, ItemState>> {
  const state = new Map<string, ItemState>();
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const path = prefix === '' ? name : `${prefix}/${name}`;
      const info = await lstat(full);
      if (info.isSymbolicLink()) state.set(path, { type: 'symlink', link: await readlink(full) });
      else if (info.isDirectory()) {
        state.set(path, { type: 'folder' });
        await visit(full, path);
      } else {
        const content = await readFile(full);
        state.set(path, {
          type: 'file',
          sha256: createHash('sha256').update(content).digest('hex'),
          size: content.length,
          mtimeMs: Math.round(info.mtimeMs), // the engine keeps modification times to the millisecond
          mode: info.mode & 0o777,
        });
      }
    }
  };
  await visit(root, '');
  return state;
}

/** The differences between two states, as readable lines (empty when equal). */
export function stateDifferences(expected: Map<string, ItemState>, actual: Map<string, ItemState>): string[] {
  const lines: string[] = [];
  for (const [path, want] of expected) {
    const got = actual.get(path);
    if (got === undefined) lines.push(`missing ${path}`);
    else if (JSON.stringify(want) !== JSON.stringify(got)) {
      lines.push(`differs ${path}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
    }
  }
  for (const path of actual.keys()) if (!expected.has(path)) lines.push(`unexpected ${path}`);
  return lines;
}
