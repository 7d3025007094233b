/**
 * The RestoreTarget conformance suite: what every target (fs, Box, Dropbox, a partner's) must do for a
 * restore to be right and safe. `create` returns an empty target and a way to read a file's bytes back
 * (the port has no read: restoring never needs one). Case bodies are in `restore-target-cases.ts`.
 */
import type { RestoreTarget } from '../ports/index.ts';
import { restoreTargetCases } from './restore-target-cases.ts';
import { type ConformanceSuiteOptions, registerSuite } from './suite.ts';

/** The titles of the RestoreTarget conformance tests, by key. Name them in `skip` (with a reason). */
export const restoreTargetTests = {
  capabilities: 'declares a name and capabilities with valid values',
  createFolderNested: 'createFolder creates nested folders',
  createFolderIdempotent: 'createFolder of an existing folder resolves',
  createFolderConflict: 'createFolder where a file is in the way rejects with ConflictError',
  writeFile: 'writeFile writes the content, and stat reports a file of its size',
  writeEmpty: 'writeFile writes an empty file',
  writeLarge: 'writeFile writes a 10 MiB file streamed in odd-sized chunks',
  writeNested: 'writeFile writes into a nested folder',
  writeNoOverwrite: 'writeFile without overwrite onto a file rejects with ConflictError and keeps the file',
  writeOverwrite: 'writeFile with overwrite replaces the file whole',
  writeOntoFolder: 'writeFile onto a folder rejects with ConflictError, with or without overwrite',
  writeFailing: 'a writeFile whose stream fails leaves no file',
  writeFailingOverwrite: 'a writeFile whose stream fails leaves the existing file intact',
  modifiedAt: 'writeFile honours modifiedAt when capabilities.modificationTimes says so',
  statMissing: 'stat of a missing path is undefined',
  list: 'list yields the entries of a folder with their types and sizes',
  listRoot: 'list of the root ("") yields the top-level entries',
  listMissing: 'list of a missing folder or of a file rejects with NotFoundError',
  removeFile: 'remove removes a file',
  removeFolder: 'remove removes a folder and everything in it',
  removeMissing: 'remove of a missing path resolves',
  unsafePaths: 'unsafe paths are refused with ValidationError by every method',
  symlinks: 'createSymlink exists exactly when capabilities.symlinks, and refuses an existing path',
  caseSensitivity: 'names differing only in case are distinct exactly when capabilities.caseSensitive',
  unicode: 'unicode names with spaces round-trip through writeFile, stat and list',
  abort: 'a writeFile with an aborted signal rejects with CanceledError and writes nothing',
} as const;

/** The title of one RestoreTarget conformance test. */
export type RestoreTargetTestName = (typeof restoreTargetTests)[keyof typeof restoreTargetTests];

/** What a test of the RestoreTarget suite works on. */
export interface RestoreTargetContext {
  /** An empty target, for this test alone. */
  readonly target: RestoreTarget;
  /** The bytes of the file at `path` in the target, read by the test's own means. */
  readonly read: (path: string) => Promise<Uint8Array>;
}

/** Options of {@link describeRestoreTarget}. */
export interface RestoreTargetSuiteOptions extends ConformanceSuiteOptions<
  RestoreTargetContext,
  RestoreTargetTestName
> {
  /** Makes an empty target for one test. */
  readonly create: () => Promise<RestoreTargetContext>;
}

/**
 * Registers the RestoreTarget conformance suite (a vitest `describe`) for one implementation.
 *
 * @example
 * ```ts
 * describeRestoreTarget({
 *   name: 'FsRestoreTarget',
 *   create: async () => {
 *     const root = await mkdtemp(join(tmpdir(), 'restore-'));
 *     return { target: await FsRestoreTarget.open(root), read: async (path) => readFile(join(root, path)) };
 *   },
 * });
 * ```
 */
export function describeRestoreTarget(options: RestoreTargetSuiteOptions): void {
  registerSuite('RestoreTarget conformance', restoreTargetTests, options, restoreTargetCases);
}
