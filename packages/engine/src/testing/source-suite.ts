/**
 * The Source conformance suite: what every source (fs, Box, Dropbox, a partner's) must yield for the
 * engine's incremental diff and restore to be right. Each test hands `create` a fixture tree; the adapter
 * builds an entity holding exactly that tree (on disk, in an emulator, in an HTTP mock shaped like the
 * service's API) and returns the source and the entity's id. Case bodies are in `source-cases.ts`.
 */
import type { Source } from '../ports/index.ts';
import { noSymlinksCase, sourceCases } from './source-cases.ts';
import { type ConformanceSuiteOptions, registerSuite } from './suite.ts';

/** The titles of the Source conformance tests, by key. Name them in `skip` (with a reason). */
export const sourceTests = {
  capabilities: 'declares a name and capabilities with valid values',
  listEntities: 'listEntities yields the entity, and every entity once',
  unknownEntity: 'walk of an unknown entity rejects with NotFoundError',
  fullWalk: 'a full walk yields every item exactly once, with its type and no errors',
  sizes: 'files have their sizes',
  depthFirst: 'the walk is depth first: a folder before its contents, each subtree contiguous',
  safePaths: 'item paths are safe relative paths and the root is never yielded',
  uniqueIds: 'item ids are unique within a walk',
  metadata: 'optional fields are well formed (ISO 8601 UTC times, integer mode, hex hashes)',
  content: 'openContent yields exactly the bytes of each file (and matches a sha1/sha256 contentHash)',
  largeContent: 'openContent streams a 9 MiB file exactly',
  emptyFiles: 'empty files have size 0 and empty content',
  unicodeNames: 'unicode names and names with spaces come back exactly',
  largeFolder: 'a folder with 250 items is walked completely',
  deepNesting: 'items 12 folders deep are walked',
  stableIds: 'ids are the same in two walks',
  stableVersions: 'versions are the same in two walks when nothing changed',
  versionChanges: 'the version of a file changes when its content changes',
  addedItems: 'an item added after a walk is in the next walk',
  removedItems: 'a removed file is not in the next walk, and openContent of it rejects with NotFoundError',
  symlinks: 'symlinks are recorded with their target and never followed (a service without any yields none)',
  cursor: 'cursor() is a string or undefined after the walk; without a change feed, `since` still walks in full',
  abort: 'a walk with an aborted signal rejects, or its entries end, with CanceledError',
} as const;

/** The title of one Source conformance test. */
export type SourceTestName = (typeof sourceTests)[keyof typeof sourceTests];

/** One item of a fixture tree. Parents come before their contents. */
export interface SourceFixtureItem {
  /** Safe relative path within the entity. */
  readonly path: string;
  readonly type: 'file' | 'folder' | 'symlink';
  /** A file's bytes (default: empty). */
  readonly content?: Uint8Array | undefined;
  /** A symlink's target (only the symlinks test uses symlinks). */
  readonly linkTarget?: string | undefined;
}

/** Changes to the entity after it was created, for the tests that need a second walk to differ. */
export interface SourceFixtureMutations {
  /** Creates or replaces the file at `path` (its folder exists) with `content`. */
  write(path: string, content: Uint8Array): Promise<void>;
  /** Removes the file at `path`. */
  remove(path: string): Promise<void>;
}

/** What a test of the Source suite works on. */
export interface SourceContext {
  readonly source: Source;
  /** The entity holding exactly the fixture. */
  readonly entityId: string;
  /**
   * Changes the entity between walks. Without it, the tests that need it fail and say so: skip them with
   * the reason the service cannot be changed from a test.
   */
  readonly mutate?: SourceFixtureMutations | undefined;
}

/** Options of {@link describeSource}. */
export interface SourceSuiteOptions extends ConformanceSuiteOptions<SourceContext, SourceTestName> {
  /** Builds an entity holding exactly `fixture` (folders before their contents) for one test. */
  readonly create: (fixture: readonly SourceFixtureItem[]) => Promise<SourceContext>;
  /**
   * Whether the service has symlinks at all. Default true. With `false` (Box), the symlinks test walks a
   * fixture of files and folders and checks that no item is reported as a symlink or carries a link
   * target, instead of asking `create` for symlinks the service cannot hold: nothing is skipped.
   */
  readonly symlinks?: boolean | undefined;
}

/**
 * Registers the Source conformance suite (a vitest `describe`) for one implementation.
 *
 * @example
 * ```ts
 * describeSource({
 *   name: 'FsSource',
 *   create: async (fixture) => {
 *     const root = await writeFixture(fixture);
 *     return { source: new FsSource(root), entityId: fsSourceEntityId, mutate: fsMutations(root) };
 *   },
 * });
 * ```
 */
export function describeSource(options: SourceSuiteOptions): void {
  registerSuite('Source conformance', sourceTests, options, {
    ...sourceCases,
    ...(options.symlinks === false ? { symlinks: noSymlinksCase } : {}),
  });
}
