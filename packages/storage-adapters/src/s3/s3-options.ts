/**
 * Options of the S3 adapter, and the S3 client they make. Credentials come from the SDK's default chain
 * (environment, shared files, instance or container roles) unless given; S3-compatible services
 * (MinIO, Wasabi, Cloudflare R2, Backblaze B2...) need `endpoint` and usually `forcePathStyle`.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ValidationError } from '@holdfast/engine';

/** Object Lock retention applied to every object written (the bucket must have Object Lock enabled). */
export interface S3ObjectLock {
  /** `GOVERNANCE` (users with a special permission can shorten it) or `COMPLIANCE` (nobody can). */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  /** Days each object stays undeletable after it is written. */
  readonly days: number;
}

export interface S3StoreOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket (`repos/alice/`): the store sees only keys under it. Default: none. */
  readonly prefix?: string | undefined;
  /** AWS region. Default: the SDK's (environment or profile), else `us-east-1`. */
  readonly region?: string | undefined;
  /** Endpoint of an S3-compatible service (`https://s3.eu-central-1.wasabisys.com`). */
  readonly endpoint?: string | undefined;
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible services and MinIO need. */
  readonly forcePathStyle?: boolean | undefined;
  /** Explicit credentials; default: the SDK's default provider chain. */
  readonly credentials?:
    | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined }
    | undefined;
  /** A client of your own (its config wins over region, endpoint and credentials above). */
  readonly client?: S3Client | undefined;
  /** Server-side encryption for every object written. */
  readonly serverSideEncryption?: 'AES256' | 'aws:kms' | 'aws:kms:dsse' | undefined;
  /** The KMS key for `aws:kms`. */
  readonly kmsKeyId?: string | undefined;
  /** Storage class of every object written (`STANDARD`, `STANDARD_IA`, `INTELLIGENT_TIERING`...). */
  readonly storageClass?: string | undefined;
  /** Object Lock retention for every object written; see `docs/storage/s3.md`. */
  readonly objectLock?: S3ObjectLock | undefined;
  /** Bytes per part of a multipart upload (5 MiB to 5 GiB). Default 16 MiB. */
  readonly partSize?: number | undefined;
}

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;

/** Checks options; a `ValidationError` names the first mistake. */
export function validateS3Options(options: S3StoreOptions): void {
  if (typeof options.bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
    throw new ValidationError(`S3: ${JSON.stringify(options.bucket)} is not a valid bucket name`);
  }
  const prefix = options.prefix ?? '';
  if (prefix.startsWith('/') || prefix.split('/').some((part) => part === '..')) {
    throw new ValidationError(`S3: the prefix ${JSON.stringify(prefix)} must be relative (no leading "/", no "..")`);
  }
  if (options.endpoint !== undefined && !URL.canParse(options.endpoint)) {
    throw new ValidationError(`S3: the endpoint ${JSON.stringify(options.endpoint)} is not a URL`);
  }
  const part = options.partSize ?? DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(part) || part < MIN_PART_SIZE || part > 5 * 1024 ** 3) {
    throw new ValidationError('S3: partSize must be from 5 MiB to 5 GiB');
  }
  if (options.kmsKeyId !== undefined && options.serverSideEncryption === undefined) {
    throw new ValidationError('S3: kmsKeyId needs serverSideEncryption "aws:kms"');
  }
  const lock = options.objectLock;
  if (lock !== undefined) {
    if (!(['GOVERNANCE', 'COMPLIANCE'] as readonly string[]).includes(lock.mode)) {
      throw new ValidationError('S3: objectLock.mode is GOVERNANCE or COMPLIANCE');
    }
    if (!Number.isSafeInteger(lock.days) || lock.days < 1) {
      throw new ValidationError('S3: objectLock.days is a whole number of days, at least 1');
    }
  }
}

/** The client for these options: checksums only where S3 requires them (see ENVIRONMENT notes in the docs). */
export function s3ClientOf(options: S3StoreOptions): S3Client {
  if (options.client !== undefined) return options.client;
  const config: S3ClientConfig = {
    region: options.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    // Streamed bodies with the default "WHEN_SUPPORTED" are sent with aws-chunked framing, which some
    // S3-compatible servers store verbatim (corrupting the object); MD5 is sent where S3 needs it.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The engine retries (with backoff that honours Retry-After); the SDK tries once.
    maxAttempts: 1,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.forcePathStyle === undefined ? {} : { forcePathStyle: options.forcePathStyle }),
    ...(options.credentials === undefined
      ? {}
      : {
          credentials: {
            accessKeyId: options.credentials.accessKeyId,
            secretAccessKey: options.credentials.secretAccessKey,
            ...(options.credentials.sessionToken === undefined
              ? {}
              : { sessionToken: options.credentials.sessionToken }),
          },
        }),
  };
  return new S3Client(config);
}
