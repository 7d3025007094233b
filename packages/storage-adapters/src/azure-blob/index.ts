/**
 * `@holdfast/storage-adapters/azure-blob`: a Holdfast repository, and export deliveries, in Azure Blob
 * Storage. Needs the optional peer dependency `@azure/storage-blob`. See `docs/storage/azure-blob.md`.
 *
 * @example
 * ```ts
 * import { AzureBlobObjectStore } from '@holdfast/storage-adapters/azure-blob';
 *
 * const store = new AzureBlobObjectStore({
 *   container: 'backups',
 *   prefix: 'repos/alice/',
 *   credentials: { connectionString: process.env.AZURE_STORAGE_CONNECTION_STRING ?? '' },
 * });
 * ```
 *
 * @packageDocumentation
 */
export { AzureBlobObjectStore } from './azure-blob-object-store.ts';
export { AzureBlobExportDestination } from './azure-blob-export-destination.ts';
export {
  DEFAULT_BLOCK_SIZE,
  MAX_BLOCK_SIZE,
  MAX_BLOCKS,
  MIN_BLOCK_SIZE,
  type AzureBlobAccountKeyCredentials,
  type AzureBlobConnectionStringCredentials,
  type AzureBlobCredentials,
  type AzureBlobOptions,
  type AzureBlobSasTokenCredentials,
  type AzureBlobSasUrlCredentials,
  type AzureBlobTokenCredentials,
  type AzureTokenCredential,
} from './azure-blob-options.ts';
export {
  azureBlobError,
  azureBlobErrorTable,
  type AzureBlobErrorClass,
  type AzureBlobErrorRow,
} from './azure-blob-errors.ts';
