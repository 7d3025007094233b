/**
 * `@holdfast/storage-adapters/s3`: repositories and exports in Amazon S3 or an S3-compatible service
 * (MinIO, Wasabi, Cloudflare R2, Backblaze B2...). Needs `@aws-sdk/client-s3`. See `docs/storage/s3.md`.
 *
 * @packageDocumentation
 */
export { S3ExportDestination } from './s3-export-destination.ts';
export { s3Error } from './s3-errors.ts';
export { S3ObjectStore } from './s3-object-store.ts';
export { DEFAULT_PART_SIZE, MIN_PART_SIZE, type S3ObjectLock, type S3StoreOptions } from './s3-options.ts';
