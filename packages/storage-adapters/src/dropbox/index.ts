/**
 * `@holdfast/storage-adapters/dropbox`: Dropbox for the Holdfast engine. {@link DropboxSource} backs up the
 * members of a Dropbox team (or one account), incrementally through `list_folder` cursors;
 * {@link DropboxRestoreTarget} restores into a member's Dropbox; {@link DropboxExportDestination} delivers
 * exports to a Dropbox folder. They talk to Dropbox through {@link DropboxClient} (raw `fetch`: streamed
 * downloads, single-flight token refresh, throttling that honours `Retry-After`); the `dropbox` SDK is an
 * optional peer dependency used for its types only. See `docs/connectors/dropbox.md`.
 *
 * @example
 * ```ts
 * import { DropboxClient, DropboxSource } from '@holdfast/storage-adapters/dropbox';
 *
 * const client = new DropboxClient({ credentials: { appKey, appSecret, refreshToken } });
 * const source = new DropboxSource({ client });
 * for await (const member of source.listEntities()) await repository.backup(source, member.id);
 * ```
 *
 * @packageDocumentation
 */
export { DropboxSource, type DropboxSourceOptions } from './dropbox-source.ts';
export { DropboxRestoreTarget, uploadSizesOf, type DropboxRestoreTargetOptions } from './dropbox-restore-target.ts';
export {
  DROPBOX_MAX_FILE_SIZE,
  DropboxExportDestination,
  type DropboxExportDestinationOptions,
} from './dropbox-export-destination.ts';
export {
  backoff,
  DropboxClient,
  headerSafeJson,
  type DropboxCallOptions,
  type DropboxClientStats,
  type DropboxDownload,
} from './dropbox-client.ts';
export { clientOf, type DropboxConnectionOptions } from './dropbox-connection.ts';
export {
  DROPBOX_BASE_URLS,
  type DropboxBaseUrls,
  type DropboxClientOptions,
  type DropboxConcurrencyOptions,
  type DropboxRetryOptions,
} from './dropbox-options.ts';
export {
  DropboxTokenProvider,
  sharedTokenProvider,
  type DropboxCredentials,
  type DropboxTokenProviderOptions,
} from './dropbox-token-provider.ts';
export {
  createDropboxPkce,
  dropboxAuthorizeUrl,
  exchangeDropboxCode,
  MemoryTokenStore,
  type DropboxAuthorizeUrlOptions,
  type DropboxCodeExchangeOptions,
  type DropboxCodeExchangeResult,
  type DropboxPkce,
  type DropboxTokens,
  type TokenStore,
} from './dropbox-oauth.ts';
export {
  DROPBOX_CONTENT_HASH_ALGORITHM,
  DROPBOX_HASH_BLOCK_SIZE,
  DropboxContentHasher,
  dropboxContentHash,
  dropboxContentHashOf,
} from './dropbox-content-hash.ts';
export {
  DropboxApiError,
  dropboxError,
  dropboxErrorFacts,
  dropboxErrorTable,
  dropboxStatusOf,
  hasDropboxTag,
  type DropboxErrorClass,
  type DropboxErrorFacts,
  type DropboxErrorRule,
} from './dropbox-errors.ts';
export { decodeWalkCursor, encodeWalkCursor, type DropboxWalkCursor } from './dropbox-cursor.ts';
export { DepthFirstListing } from './dropbox-depth-first.ts';
export { entryOf, itemOf, type DropboxEntry, type DropboxListedMetadata } from './dropbox-metadata.ts';
export {
  DEFAULT_UPLOAD_SIZES,
  dropboxTimestamp,
  uploadStream,
  type DropboxCommit,
  type DropboxUploadSizes,
} from './dropbox-upload.ts';
