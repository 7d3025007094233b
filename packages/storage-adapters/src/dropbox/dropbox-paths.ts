/**
 * Paths between Holdfast and Dropbox. Holdfast paths are relative (`Documents/a.txt`, `''` the root);
 * Dropbox paths are absolute within a member's Dropbox (`/Documents/a.txt`, `''` the root), compared
 * without regard to case (`path_lower`). A root folder option (`/Backups/Ana`) places a source's walk or a
 * target's writes under that folder: every relative path is joined below it and nothing outside it is
 * ever named.
 */
import { assertSafeRelativePath, ValidationError } from '@holdfast/engine';

/**
 * Checks a root folder option (`/Team/Ana`, `Team/Ana` or `''`/`/` for the whole Dropbox) and returns it
 * as Dropbox writes it: `''` or `/Team/Ana` (no trailing slash).
 */
export function normaliseRoot(root: string | undefined, what: string): string {
  if (root === undefined || root === '' || root === '/') return '';
  if (typeof root !== 'string') throw new ValidationError(`Dropbox: ${what} must be a string`);
  const trimmed = root.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  assertSafeRelativePath(trimmed, `Dropbox: ${what}`);
  return `/${trimmed}`;
}

/** The Dropbox path of a relative path under `root` (`''` is the root itself). */
export function dropboxPath(root: string, path: string): string {
  return path === '' ? root : `${root}/${path}`;
}

/**
 * The relative path of a Dropbox `path_lower` under `rootLower`, or `undefined` when it is the root
 * itself or outside it.
 */
export function relativeLower(pathLower: string, rootLower: string): string | undefined {
  if (rootLower === '') return pathLower.startsWith('/') && pathLower.length > 1 ? pathLower.slice(1) : undefined;
  if (!pathLower.startsWith(`${rootLower}/`)) return undefined;
  return pathLower.slice(rootLower.length + 1);
}

/** The parent of a relative path (`''` for a top-level one). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** `folder/name`, or `name` in the root. */
export function joinPath(folder: string, name: string): string {
  return folder === '' ? name : `${folder}/${name}`;
}

/** Throws `ValidationError` unless `path` is a safe relative path (a target's or destination's input). */
export function checkRelative(path: string, what: string): void {
  if (typeof path !== 'string') throw new ValidationError(`Dropbox: ${what} must be a string`);
  assertSafeRelativePath(path, `Dropbox: ${what}`);
}
