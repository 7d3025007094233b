/**
 * The {@link TargetEntry} of an lstat result, shared by the fs restore target's `stat` and `list`.
 */
import type { Stats } from 'node:fs';
import type { TargetEntry } from '../ports/index.ts';

/** What an lstat says is at `path`: type, size (files and symlinks) and modification time (ISO, ms). */
export function targetEntryOf(path: string, info: Stats): TargetEntry {
  const type = info.isFile() ? 'file' : info.isDirectory() ? 'folder' : info.isSymbolicLink() ? 'symlink' : 'other';
  // Rounded, not truncated: utimes(2) from a Date goes through floating-point seconds, so a time set to
  // .123 s can read back as .122999999 s.
  const time = new Date(Math.round(info.mtimeMs));
  return {
    path,
    type,
    ...(type === 'file' || type === 'symlink' ? { size: info.size } : {}),
    ...(Number.isNaN(time.getTime()) ? {} : { modifiedAt: time.toISOString() }),
  };
}
