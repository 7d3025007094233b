/**
 * BoxExportDestination: delivers exports (zip streams) as files in a Box folder, chosen by id or by path
 * (made when missing) in a user's files.
 *
 * An export must never replace another: the name is checked before the zip is read (a taken name fails at
 * once), and the upload is of a new file, which Box refuses with 409 if the name was taken meanwhile
 * (`ConflictError`). The zip, whose size is not known in advance, is spooled first (memory, then a temp
 * file: bounded memory) and then uploaded whole, in one request or, from `chunkedUploadThreshold`, through
 * a chunked upload session; a failed or cancelled write leaves nothing. The location is
 * `box://file/<file id>`.
 */
import {
  assertSafeItemName,
  type ByteStream,
  CanceledError,
  ConflictError,
  type ExportDestination,
  type ExportDestinationCapabilities,
  type ExportLocation,
  type ExportWriteOptions,
  IntegrityError,
  ValidationError,
} from '@holdfast/engine';
import type { BoxActor } from './box-api.ts';
import { type BoxConnection, type BoxConnectionInput, connectionOf } from './box-connection.ts';
import { BoxFolderIndex, type FolderLookup } from './box-folder-index.ts';
import type { BoxWriteOptions } from './box-restore-target.ts';
import { spool } from './box-spool.ts';
import { DEFAULT_CHUNKED_THRESHOLD, uploadSpooled } from './box-upload.ts';

/** Options of {@link BoxExportDestination}. */
export interface BoxExportDestinationOptions extends BoxWriteOptions {
  /** The folder's id. One of this or `folderPath`; neither: the user's root. */
  readonly folderId?: string | undefined;
  /** The folder's path under the user's root (`Holdfast exports/2026`), made when missing. */
  readonly folderPath?: string | undefined;
}

/** Box accepts files up to 150 GB (Enterprise Plus; other plans 5 to 50 GB: Box refuses larger ones). */
export const BOX_MAX_FILE_SIZE = 150 * 1000 ** 3;

/**
 * A Box folder as an {@link ExportDestination}; see the module note.
 *
 * @example
 * ```ts
 * const destination = new BoxExportDestination({ connection, userId: '4242', folderPath: 'Holdfast exports' });
 * const { location } = await repository.export('latest', destination, { name: 'ana-2026-11-23.zip' });
 * // location.location === 'box://file/1234567890'
 * ```
 */
export class BoxExportDestination implements ExportDestination {
  readonly name: string;
  readonly capabilities: ExportDestinationCapabilities = { maxSize: BOX_MAX_FILE_SIZE };
  readonly connection: BoxConnection;
  readonly #actor: BoxActor;
  readonly #index: BoxFolderIndex;
  readonly #folderId: string | undefined;
  readonly #folderNames: readonly string[];
  readonly #threshold: number;
  readonly #spool: { directory?: string | undefined; memoryLimit?: number | undefined };

  constructor(options: BoxConnectionInput & BoxExportDestinationOptions) {
    this.connection = connectionOf(options);
    if (options.folderId !== undefined && options.folderPath !== undefined) {
      throw new ValidationError('BoxExportDestination takes folderId or folderPath, not both');
    }
    if (options.folderId !== undefined && !/^\d+$/.test(options.folderId)) {
      throw new ValidationError(`folderId ${JSON.stringify(options.folderId)} is not a Box folder id`);
    }
    const folderPath = (options.folderPath ?? '').replace(/^\/+|\/+$/g, '');
    this.#folderNames = folderPath === '' ? [] : folderPath.split('/');
    for (const name of this.#folderNames) assertSafeItemName(name, 'folderPath segment');
    this.#folderId = options.folderId;
    this.#actor = this.connection.actor(options.userId);
    this.#index = new BoxFolderIndex(this.connection.api, this.#actor);
    this.#threshold = options.chunkedUploadThreshold ?? DEFAULT_CHUNKED_THRESHOLD;
    this.#spool = { directory: options.spoolDirectory, memoryLimit: options.memorySpoolLimit };
    const where = options.folderId === undefined ? `/${folderPath}` : `/folder:${options.folderId}`;
    this.name = options.name ?? `${this.connection.label}/user:${options.userId ?? 'self'}${where}`;
  }

  /**
   * Uploads `content` as `name` in the folder. Rejects with `ValidationError` for a name that is not one
   * safe file name, `ConflictError` when the name is taken (checked before reading the content, and by Box
   * at the end), `IntegrityError` when `size` was given and the content differs, `CanceledError` on abort.
   * Errors of `content` propagate unchanged.
   */
  async write(name: string, content: ByteStream, options: ExportWriteOptions = {}): Promise<ExportLocation> {
    assertSafeItemName(name, 'export name');
    const { signal } = options;
    const what = `export ${JSON.stringify(name)}`;
    if (signal?.aborted === true) throw new CanceledError(`Box ${what}: cancelled`, { cause: signal.reason });
    const folder = await this.#folder(signal);
    if (folder.kind !== 'folder') {
      throw new ConflictError(
        `Box ${what}: ${folder.kind === 'blocked' ? `${JSON.stringify(folder.at)} is not a folder` : 'the folder is missing'}`,
      );
    }
    const existing = await this.#index.child(folder.id, name, signal);
    if (existing !== undefined) throw new ConflictError(`Box ${what}: the name is taken in folder ${folder.id}`);
    const spooled = await spool(content, { signal, what, ...this.#spool });
    try {
      if (options.size !== undefined && options.size !== spooled.size) {
        throw new IntegrityError(`Box ${what}: the content has ${spooled.size} bytes, not ${options.size}`);
      }
      const file = await uploadSpooled(this.connection.api, spooled, {
        actor: this.#actor,
        parentId: folder.id,
        name,
        chunkedThreshold: this.#threshold,
        signal,
      });
      this.#index.note(folder.id, file);
      return { location: `box://file/${file.id}`, size: spooled.size };
    } finally {
      await spooled.dispose();
    }
  }

  async #folder(signal: AbortSignal | undefined): Promise<FolderLookup> {
    if (this.#folderId !== undefined) return { kind: 'folder', id: this.#folderId };
    return this.#index.folder('0', this.#folderNames, { create: true, signal });
  }
}
