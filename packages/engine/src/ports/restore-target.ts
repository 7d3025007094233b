/**
 * RestoreTarget: where restored items are written (a local folder, a Box user's files, a Dropbox member).
 * The engine decides what to write, in what order and whether to overwrite; the target only does it.
 * Paths are relative to the target's root, `/`-separated, already checked by the engine (no `..`, no
 * absolute paths); a target MUST still refuse any path that would leave its root (`ValidationError`).
 */
import type { ByteStream, CallOptions } from './common.ts';
import type { ContentHash } from './source.ts';

/** What a target holds at a path. */
export interface TargetEntry {
  readonly path: string;
  readonly type: 'file' | 'folder' | 'symlink' | 'other';
  readonly size?: number | undefined;
  /** ISO 8601 UTC. */
  readonly modifiedAt?: string | undefined;
  /** The target's own hash of the content, if it has one cheaply (Box sha1). */
  readonly contentHash?: ContentHash | undefined;
}

/** Options of {@link RestoreTarget.writeFile}. */
export interface WriteFileOptions extends CallOptions {
  /** The content's size in bytes. */
  readonly size: number;
  /** Replace an existing file at the path. Without it, an existing file is a `ConflictError`. */
  readonly overwrite: boolean;
  /** Set the file's modification time (ISO 8601) where the target can. */
  readonly modifiedAt?: string | undefined;
  /** Set POSIX permission bits where the target can. */
  readonly mode?: number | undefined;
}

/** What a target can do. Every field has a documented default. */
export interface RestoreTargetCapabilities {
  /** Names that differ only in case are different items. Default: true. */
  readonly caseSensitive: boolean;
  /** `createSymlink` is supported. Default: false. */
  readonly symlinks: boolean;
  /** `writeFile` honours `modifiedAt`. Default: false. */
  readonly modificationTimes: boolean;
}

/** The defaults of {@link RestoreTargetCapabilities}. */
export const defaultRestoreTargetCapabilities: RestoreTargetCapabilities = {
  caseSensitive: true,
  symlinks: false,
  modificationTimes: false,
};

/** A place to restore items into. */
export interface RestoreTarget {
  /** A short description for messages and logs, without secrets. */
  readonly name: string;
  readonly capabilities: RestoreTargetCapabilities;

  /** What exists at `path` now, or `undefined` if nothing does. Never follows a final symlink. */
  stat(path: string, options?: CallOptions): Promise<TargetEntry | undefined>;

  /**
   * The entries directly inside the folder at `path` (`''` for the root). Rejects with `NotFoundError`
   * if there is no folder there.
   */
  list(path: string, options?: CallOptions): AsyncIterable<TargetEntry>;

  /**
   * Makes sure a folder exists at `path`, creating missing parents. Resolves if one exists already;
   * rejects with `ConflictError` if a non-folder is in the way.
   */
  createFolder(path: string, options?: CallOptions): Promise<void>;

  /**
   * Writes a file. The parent folder exists (the engine creates it first). Atomic where the target can
   * be: a failed or cancelled write does not leave a partial file at `path`, and an overwritten file is
   * replaced whole. Rejects with `ConflictError` if the path holds a folder, or a file and `overwrite` is
   * false.
   */
  writeFile(path: string, content: ByteStream, options: WriteFileOptions): Promise<void>;

  /** Creates a symlink (only when `capabilities.symlinks`). Rejects with `ConflictError` if the path exists. */
  createSymlink?(path: string, linkTarget: string, options?: CallOptions): Promise<void>;

  /** Removes the file, symlink or (recursively) folder at `path`; resolves if nothing is there. */
  remove(path: string, options?: CallOptions): Promise<void>;
}
