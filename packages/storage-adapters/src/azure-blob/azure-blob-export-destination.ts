/**
 * AzureBlobExportDestination: delivers exports (zips) as block blobs `<prefix><name>` in a container.
 *
 * A write first checks that the name is free (one HEAD, so a taken name fails before any byte is read),
 * then uploads like the object store (one Put Blob, or staged blocks and one Put Block List) with
 * `If-None-Match: *` on the final write: of two exports racing for one name, the second fails with
 * `ConflictError` and the first stays whole. A failed or cancelled write commits nothing, so the name
 * stays free. The location is the blob's URL without any SAS: hand out access with a SAS of your own.
 */
import type { ContainerClient } from '@azure/storage-blob';
import {
  assertSafeItemName,
  ConflictError,
  type ByteStream,
  type ExportDestination,
  type ExportDestinationCapabilities,
  type ExportLocation,
  type ExportWriteOptions,
  ValidationError,
} from '@holdfast/engine';
import { azureBlobError, throwIfAborted } from './azure-blob-errors.ts';
import {
  type AzureBlobOptions,
  MAX_BLOB_NAME_LENGTH,
  MAX_BLOCKS,
  resolveAzureBlobOptions,
  type ResolvedAzureBlobOptions,
} from './azure-blob-options.ts';
import { uploadBlockBlob } from './azure-blob-upload.ts';

/**
 * An {@link ExportDestination} in an Azure Blob Storage container (the container must exist).
 *
 * @example
 * ```ts
 * const destination = new AzureBlobExportDestination({
 *   container: 'exports',
 *   credentials: { accountName: 'holdfastexports', accountKey: process.env.AZURE_STORAGE_KEY ?? '' },
 * });
 * const { location } = await repository.export(snapshot, destination);
 * ```
 */
export class AzureBlobExportDestination implements ExportDestination {
  /** `azure-blob:<container URL>/<prefix>`, without any SAS. */
  readonly name: string;
  /**
   * `maxSize`: 50,000 blocks of `blockSize` bytes (about 390 GiB at 8 MiB) for a stream of unknown size;
   * a write that passes `size` raises its block size as needed, up to Azure's limit (about 190 TiB).
   */
  readonly capabilities: ExportDestinationCapabilities;
  /** The container's client. */
  readonly containerClient: ContainerClient;
  /** `''` or the prefix exports are written under, ending in `/`. */
  readonly prefix: string;
  readonly #options: ResolvedAzureBlobOptions;

  /** Checks `options` (`ValidationError` for the first mistake) and builds the client. Sends nothing. */
  constructor(options: AzureBlobOptions) {
    this.#options = resolveAzureBlobOptions(options);
    this.containerClient = this.#options.client;
    this.prefix = this.#options.prefix;
    this.name = `azure-blob:${this.#options.containerUrl}/${this.prefix}`;
    this.capabilities = { maxSize: MAX_BLOCKS * this.#options.blockSize };
  }

  /**
   * Writes `content` to the blob `<prefix><name>` atomically; `location` is the blob's URL (no SAS).
   * Rejects with `ValidationError` for a name that is not one safe file name, `ConflictError` when the
   * name exists (checked before reading the content, and again by the final write), `IntegrityError` when
   * `size` was given and the content differs, `CanceledError` on abort; errors of `content` propagate
   * unchanged. Nothing is left under `name` when it rejects.
   */
  async write(name: string, content: ByteStream, options: ExportWriteOptions = {}): Promise<ExportLocation> {
    const what = `export ${JSON.stringify(name)}`;
    assertSafeItemName(name, 'export name');
    if (name.endsWith('.'))
      throw new ValidationError(`export name ${JSON.stringify(name)} ends with "." (Azure trims it)`);
    const blobName = this.prefix + name;
    if (blobName.length > MAX_BLOB_NAME_LENGTH) {
      throw new ValidationError(`export name ${JSON.stringify(name)} is too long for an Azure blob name`);
    }
    const { signal } = options;
    throwIfAborted(signal, what);
    const blob = this.containerClient.getBlockBlobClient(blobName);
    let exists: boolean;
    try {
      exists = await blob.exists(signal === undefined ? {} : { abortSignal: signal });
    } catch (error) {
      throw azureBlobError(error, what, signal);
    }
    if (exists) throw new ConflictError(`Azure Blob ${what}: the blob ${blobName} exists`);
    const size = await uploadBlockBlob(blob, content, {
      what,
      blockSize: this.#options.blockSize,
      concurrency: this.#options.uploadConcurrency,
      signal,
      size: options.size,
      conditions: { ifNoneMatch: '*' },
      headers: {
        // The browser saves a download of the blob under the export's own name.
        blobContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
        ...(options.contentType === undefined ? {} : { blobContentType: options.contentType }),
      },
    });
    return { location: urlWithoutQuery(blob.url), size };
  }
}

/** `url` without its query (which may hold a SAS) and fragment. */
function urlWithoutQuery(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString();
}
