/**
 * Item paths: the `/`-separated, root-relative paths that sources yield, snapshots store and restore
 * targets receive. Paths inside a snapshot are never trusted (DESIGN.md "Restore plan"), so every path
 * crossing a port boundary goes through {@link assertSafeRelativePath} first.
 *
 * A safe path is one or more names joined by `/`. A name is never empty, `.` or `..`, and never holds
 * NUL or a backslash. The backslash is refused although POSIX allows it in a name: on Windows it is a
 * separator, so `..\\..\\x` from a snapshot would climb out of a restore target there, and a name that
 * means one thing on one system and another elsewhere is not worth the risk. The root itself is the empty
 * path `''`, which is not a safe relative path (nothing can be written *at* the root) but which
 * {@link splitItemPath} and {@link joinItemPath} accept as "no segments".
 *
 * These functions are pure and cheap (no allocation beyond the result), so callers may use them on every
 * item of a walk or restore.
 */
import { ValidationError } from '../errors/index.ts';

/** Why a single name is unsafe, or `undefined` when it is safe. */
function nameProblem(name: string): string | undefined {
  if (name === '') return 'has an empty segment';
  if (name === '.' || name === '..') return `has a "${name}" segment`;
  if (name.includes('\0')) return 'contains a NUL character';
  if (name.includes('\\')) return 'contains a backslash';
  return undefined;
}

/** Why `path` is unsafe, or `undefined` when it is a safe relative path. */
function pathProblem(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (path.startsWith('/')) return 'is absolute';
  if (path.endsWith('/')) return 'ends with "/"';
  for (const name of path.split('/')) {
    const problem = nameProblem(name);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * Whether `path` is a safe relative item path (see the module note): non-empty, no leading or trailing
 * `/`, no empty, `.` or `..` segment, no NUL, no backslash.
 *
 * @example
 * ```ts
 * isSafeRelativePath('Documents/report.pdf'); // true
 * isSafeRelativePath('../etc/passwd'); // false
 * ```
 */
export function isSafeRelativePath(path: string): boolean {
  return pathProblem(path) === undefined;
}

/**
 * Throws `ValidationError` unless `path` is a safe relative item path (see {@link isSafeRelativePath}).
 * The message names `what` (`'key'`, `'item path'`) and the path, JSON-quoted so control characters
 * show.
 *
 * @example
 * ```ts
 * assertSafeRelativePath(item.path, 'item path'); // throws ValidationError: item path "a/../b" has a ".." segment
 * ```
 */
export function assertSafeRelativePath(path: string, what = 'path'): void {
  const problem = pathProblem(path);
  if (problem !== undefined) throw new ValidationError(`${what} ${JSON.stringify(path)} ${problem}`);
}

/**
 * Throws `ValidationError` unless `name` is one safe path segment: a safe relative path without `/`.
 * Used for file names such as an export's name.
 */
export function assertSafeItemName(name: string, what = 'name'): void {
  const problem = name.includes('/') ? 'contains "/"' : nameProblem(name);
  if (problem !== undefined) throw new ValidationError(`${what} ${JSON.stringify(name)} ${problem}`);
}

/**
 * The names of a path, root first; `''` (the root) gives `[]`. Throws `ValidationError` for an unsafe
 * path.
 *
 * @example
 * ```ts
 * splitItemPath('a/b/c'); // ['a', 'b', 'c']
 * ```
 */
export function splitItemPath(path: string): string[] {
  if (path === '') return [];
  assertSafeRelativePath(path);
  return path.split('/');
}

/**
 * Joins paths or names with `/`, skipping `''` parts (the root). Every other part must be a safe
 * relative path (`ValidationError` otherwise), so the result is safe, or `''` when every part was.
 *
 * @example
 * ```ts
 * joinItemPath('', 'Documents', 'a/b.txt'); // 'Documents/a/b.txt'
 * ```
 */
export function joinItemPath(...parts: readonly string[]): string {
  const kept: string[] = [];
  for (const part of parts) {
    if (part === '') continue;
    assertSafeRelativePath(part);
    kept.push(part);
  }
  return kept.join('/');
}

/**
 * The path of the folder holding `path`: `''` for a top-level item. Throws `ValidationError` for an unsafe
 * path, including the root `''`, which has no parent.
 *
 * @example
 * ```ts
 * parentPath('a/b/c'); // 'a/b'
 * parentPath('a'); // ''
 * ```
 */
export function parentPath(path: string): string {
  assertSafeRelativePath(path);
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/**
 * The last name of `path`. Throws `ValidationError` for an unsafe path, including the root `''`.
 *
 * @example
 * ```ts
 * baseName('a/b/c.txt'); // 'c.txt'
 * ```
 */
export function baseName(path: string): string {
  assertSafeRelativePath(path);
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Maps a UTF-16 code unit at a difference so that comparing units orders by code point. */
function codePointOrderUnit(unit: number): number {
  if (unit < 0xd800) return unit;
  // Surrogates (supplementary code points) sort after U+E000..U+FFFF, as their code points do.
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * Compares two names (or paths) by the byte order of their UTF-8 encodings, which is Unicode code point
 * order, without encoding them. Use it wherever an order must be the same on every machine (a walk's
 * siblings, a tree's entries); JavaScript's default string order differs for characters outside the
 * Basic Multilingual Plane.
 *
 * @example
 * ```ts
 * ['😀', '\uffff', 'a'].sort(compareItemNames); // ['a', '\uffff', '😀']
 * ```
 */
export function compareItemNames(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x !== y) return codePointOrderUnit(x) - codePointOrderUnit(y);
  }
  return a.length - b.length;
}
