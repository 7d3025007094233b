/**
 * GcsExportDestination: delivers exports (zip streams) as objects `<prefix><name>` of a GCS bucket.
 *
 * An export must never replace another: the write checks first (`objects.get`, so a taken name fails
 * before the zip is read) and then uploads with the precondition `ifGenerationMatch=0`, which GCS checks
 * atomically when the upload completes, so two exports racing for a name cannot clobber each other
 * (`412` → `ConflictError`). Uploads are atomic as in {@link GcsObjectStore}: a failed or cancelled write
 * leaves nothing under the name.
 */
import {
  assertSafeItemName,
  type ByteStream,
  ConflictError,
  type ExportDestination,
  type ExportDestinationCapabilities,
  type ExportLocation,
  type ExportWriteOptions,
  isHoldfastError,
  ValidationError,
} from '@holdfast/engine';
import { raceAbort, throwIfAborted } from './gcs-abort.ts';
import type { GcsBucketHandle } from './gcs-bucket-handle.ts';
import { gcsError } from './gcs-errors.ts';
import { checkKey } from './gcs-object-store.ts';
import { MAX_OBJECT_SIZE, type GcsOptions, resolveGcsOptions } from './gcs-options.ts';
import { uploadObject } from './gcs-upload.ts';

/** Options of {@link GcsExportDestination}: the bucket, prefix and credentials, as for the object store. */
export type GcsExportDestinationOptions = GcsOptions;

/**
 * An {@link ExportDestination} in a GCS bucket; `location` is the object's `gs://` URI.
 *
 * @example
 * ```ts
 * const destination = new GcsExportDestination({ bucket: 'acme-exports', prefix: 'ana' });
 * const result = await repository.export('latest', destination);
 * console.log(result.location.location); // gs://acme-exports/ana/holdfast-….zip
 * ```
 */
export class GcsExportDestination implements ExportDestination {
  /** `gcs:<bucket>/<prefix>`. */
  readonly name: string;
  /** GCS stores objects up to 5 TiB. */
  readonly capabilities: ExportDestinationCapabilities = { maxSize: MAX_OBJECT_SIZE };
  readonly bucketName: string;
  readonly prefix: string;
  readonly #bucket: GcsBucketHandle;
  readonly #resumableThreshold: number;
  readonly #chunkSize: number;

  /** Throws `ValidationError` for options that cannot work. */
  constructor(options: GcsExportDestinationOptions) {
    const resolved = resolveGcsOptions(options);
    this.#bucket = resolved.bucket;
    this.bucketName = resolved.bucketName;
    this.prefix = resolved.prefix;
    this.#resumableThreshold = resolved.resumableThreshold;
    this.#chunkSize = resolved.chunkSize;
    this.name = `gcs:${resolved.bucketName}/${resolved.prefix}`;
  }

  /**
   * Uploads `content` as `<prefix><name>` and returns its `gs://` URI. Rejects with `ValidationError` for a
   * name that is not one safe file name, `ConflictError` when the name is taken (checked before reading
   * the content, and atomically at the end), `IntegrityError` when `size` was given and the content
   * differs, `CanceledError` on abort. Errors of `content` propagate unchanged.
   */
  async write(name: string, content: ByteStream, options: ExportWriteOptions = {}): Promise<ExportLocation> {
    const what = `export ${JSON.stringify(name)}`;
    assertSafeItemName(name, 'export name');
    if (/[\r\n]/.test(name)) throw new ValidationError(`${what}: GCS object names cannot hold line breaks`);
    const { signal } = options;
    throwIfAborted(signal, what);
    checkKey(name, this.prefix, what);
    const objectName = this.prefix + name;
    const file = this.#bucket.file(objectName);
    let exists: boolean;
    try {
      await raceAbort(() => file.getMetadata(), signal, what);
      exists = true;
    } catch (error) {
      const translated = gcsError(error, what, signal);
      if (!isHoldfastError(translated, 'NOT_FOUND')) throw translated;
      exists = false;
    }
    if (exists) throw new ConflictError(`GCS ${what}: gs://${this.bucketName}/${objectName} exists`);
    const size = await uploadObject(file, content, {
      what,
      contentType: options.contentType ?? 'application/zip',
      size: options.size,
      ifGenerationMatch: 0,
      resumableThreshold: this.#resumableThreshold,
      chunkSize: this.#chunkSize,
      signal,
    });
    return { location: `gs://${this.bucketName}/${objectName}`, size };
  }
}
