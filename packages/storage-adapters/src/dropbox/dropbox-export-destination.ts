/**
 * DropboxExportDestination: delivers an export (a zip stream of unknown size) into a folder of a team
 * member's Dropbox (or one account's), through an upload session (see {@link uploadStream}), committed
 * with `mode: add`, `autorename: false` and `strict_conflict`: a name already taken is a `ConflictError`
 * and nothing is overwritten. Atomic: until the session's `finish` succeeds nothing is at the name, so a
 * failed or cancelled export leaves nothing and the same name can be written again.
 *
 * The location reported is `dropbox://<path>` (the member's Dropbox path of the export, as this
 * destination named it), with the member id in front in team mode: `dropbox://dbmid:…/Exports/x.zip`.
 * No token or secret ever appears in it.
 */
import {
  assertSafeItemName,
  ValidationError,
  type ByteStream,
  type ExportDestination,
  type ExportDestinationCapabilities,
  type ExportLocation,
  type ExportWriteOptions,
} from '@holdfast/engine';
import type { DropboxClient } from './dropbox-client.ts';
import { clientOf, type DropboxConnectionOptions } from './dropbox-connection.ts';
import { dropboxPath, normaliseRoot } from './dropbox-paths.ts';
import { uploadSizesOf } from './dropbox-restore-target.ts';
import { uploadStream, type DropboxUploadSizes } from './dropbox-upload.ts';

/** Options of {@link DropboxExportDestination}. */
export interface DropboxExportDestinationOptions extends DropboxConnectionOptions {
  /** The team member whose Dropbox receives exports; omit for a user connection. */
  readonly member?: string | undefined;
  /** The folder exports go into (`/Holdfast exports`); created when missing. Default: the root. */
  readonly folder?: string | undefined;
  /** Largest export sent in one `files/upload` call. Default 8 MiB. */
  readonly uploadThreshold?: number | undefined;
  /** Bytes per upload-session request. Default 8 MiB; 4 MiB to 148 MiB. */
  readonly partSize?: number | undefined;
}

/** Largest file an upload session takes: 2^41 - 2^22 bytes (files.stone). */
export const DROPBOX_MAX_FILE_SIZE = 2 ** 41 - 2 ** 22;

/**
 * An {@link ExportDestination} in a Dropbox folder.
 *
 * @example
 * ```ts
 * const destination = new DropboxExportDestination({ client, member: 'dbmid:AAH…', folder: '/Exports' });
 * const { location } = await repository.export('latest', destination, { name: 'ana-2026-11-23.zip' });
 * ```
 */
export class DropboxExportDestination implements ExportDestination {
  /** `dropbox:<member>:<folder>` (or `dropbox:user:…`). No secrets. */
  readonly name: string;
  readonly capabilities: ExportDestinationCapabilities = { maxSize: DROPBOX_MAX_FILE_SIZE };
  readonly client: DropboxClient;
  readonly member: string | undefined;
  /** The folder exports go into (`''`: the root). */
  readonly folder: string;
  readonly #sizes: DropboxUploadSizes;

  constructor(options: DropboxExportDestinationOptions) {
    if (options.member !== undefined && (typeof options.member !== 'string' || options.member === '')) {
      throw new ValidationError('Dropbox: member must be a team member id');
    }
    this.member = options.member;
    this.folder = normaliseRoot(options.folder, 'folder');
    this.#sizes = uploadSizesOf(options);
    this.client = clientOf(options);
    this.name = `dropbox:${this.member ?? 'user'}:${this.folder === '' ? '/' : this.folder}`;
  }

  /** Uploads the export under `name` in the folder; a taken name is a `ConflictError`. */
  async write(name: string, content: ByteStream, options: ExportWriteOptions = {}): Promise<ExportLocation> {
    if (typeof name !== 'string') throw new ValidationError('Dropbox: the export name must be a string');
    assertSafeItemName(name, 'Dropbox: export name');
    if (options.signal?.aborted === true) throw options.signal.reason;
    const path = dropboxPath(this.folder, name);
    const { metadata } = await uploadStream(this.client, path, content, { mode: 'add' }, this.#sizes, {
      member: this.member,
      signal: options.signal,
    });
    // The path as written here: Dropbox's `path_display` may have other casing in its folders.
    return { location: `dropbox://${this.member ?? ''}${path}`, size: metadata.size };
  }
}
