/**
 * `@holdfast/storage-adapters`: storage adapters for the Holdfast engine (S3 and S3-compatible, Azure
 * Blob, GCS, Box, Dropbox), each behind a subpath export so a partner installs only the SDKs it uses.
 *
 * @packageDocumentation
 */
export { packageName, packageVersion } from './package-info.ts';
