/**
 * The part of `@google-cloud/storage` the GCS adapter uses, typed structurally (STYLE.md §4): a `Bucket`
 * of the SDK satisfies {@link GcsBucketHandle}, and so can a test double or a wrapper of your own.
 * Optional option fields omit `| undefined` on purpose: they are passed to the SDK, whose option types
 * (under `exactOptionalPropertyTypes`) do not accept an explicit `undefined`.
 */
import type { Readable, Writable } from 'node:stream';

/** The fields of a GCS object resource the adapter reads. */
export interface GcsObjectMetadata {
  readonly name?: string | undefined;
  /** Bytes, as a decimal string (the JSON API's `uint64` encoding). */
  readonly size?: string | number | undefined;
  /** RFC 3339 time of the last write. */
  readonly updated?: string | undefined;
}

/** Preconditions of a write (`ifGenerationMatch: 0`: only if no live object has the name). */
export interface GcsPreconditions {
  readonly ifGenerationMatch?: number;
}

/** The options of `File.createWriteStream` the adapter passes (single-request uploads only). */
export interface GcsWriteStreamOptions {
  readonly resumable?: boolean;
  readonly validation?: boolean;
  readonly metadata?: {
    readonly contentType?: string;
    readonly md5Hash?: string;
    readonly crc32c?: string;
  };
  readonly preconditionOpts?: GcsPreconditions;
}

/** The options of `File.createResumableUpload` the adapter passes. */
export interface GcsResumableUploadOptions {
  readonly metadata?: { readonly contentType?: string; readonly contentLength?: number };
  readonly preconditionOpts?: GcsPreconditions;
}

/** One object of a bucket: the subset of the SDK's `File` the adapter calls. */
export interface GcsFileHandle {
  readonly name: string;
  /** Reads the object (`start`/`end` inclusive; a range disables the SDK's checksum validation). */
  createReadStream(options?: { start?: number; end?: number }): Readable;
  /** Single-request (multipart) upload when `resumable: false`. */
  createWriteStream(options?: GcsWriteStreamOptions): Writable;
  /** Starts a resumable upload session and resolves with its session URI. */
  createResumableUpload(options?: GcsResumableUploadOptions): Promise<[string, ...unknown[]]>;
  getMetadata(): Promise<[GcsObjectMetadata, ...unknown[]]>;
  delete(options?: { ignoreNotFound?: boolean }): Promise<unknown>;
}

/** The list query the adapter sends (`objects.list`). */
export interface GcsListQuery {
  readonly prefix?: string;
  readonly maxResults?: number;
  readonly pageToken?: string;
  readonly autoPaginate?: boolean;
}

/** A listed object: its name and resource. */
export interface GcsListedFile {
  readonly name: string;
  readonly metadata: GcsObjectMetadata;
}

/** A bucket: the subset of the SDK's `Bucket` the adapter calls. */
export interface GcsBucketHandle {
  readonly name: string;
  file(name: string): GcsFileHandle;
  /** One page of `objects.list` (with `autoPaginate: false`) and the query of the next page, if any. */
  getFiles(query: GcsListQuery): Promise<[GcsListedFile[], ({ readonly pageToken?: string } | null)?, ...unknown[]]>;
}

/** A client: the subset of the SDK's `Storage` the adapter calls. */
export interface GcsStorageHandle {
  bucket(name: string): GcsBucketHandle;
}
