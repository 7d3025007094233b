/**
 * `@holdfast/storage-adapters/gcs`: Google Cloud Storage for the Holdfast engine, through
 * `@google-cloud/storage` (an optional peer dependency): {@link GcsObjectStore} keeps a repository in a
 * bucket, {@link GcsExportDestination} delivers exports to one. See `docs/storage/gcs.md`.
 *
 * @example
 * ```ts
 * import { GcsObjectStore } from '@holdfast/storage-adapters/gcs';
 *
 * const store = new GcsObjectStore({ bucket: 'acme-backups', prefix: 'repos/ana', keyFilename: '/etc/holdfast/sa.json' });
 * ```
 *
 * @packageDocumentation
 */
export { GcsObjectStore, type GcsObjectStoreOptions } from './gcs-object-store.ts';
export { GcsExportDestination, type GcsExportDestinationOptions } from './gcs-export-destination.ts';
export {
  CHUNK_GRANULARITY,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_RESUMABLE_THRESHOLD,
  type GcsOptions,
  type GcsServiceAccountKey,
} from './gcs-options.ts';
export {
  gcsError,
  gcsErrorFacts,
  gcsErrorTable,
  GcsHttpError,
  type GcsErrorClass,
  type GcsErrorFacts,
  type GcsErrorRule,
} from './gcs-errors.ts';
export type {
  GcsBucketHandle,
  GcsFileHandle,
  GcsListedFile,
  GcsListQuery,
  GcsObjectMetadata,
  GcsPreconditions,
  GcsResumableUploadOptions,
  GcsStorageHandle,
  GcsWriteStreamOptions,
} from './gcs-bucket-handle.ts';
