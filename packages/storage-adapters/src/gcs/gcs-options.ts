/**
 * Options of the GCS adapter, and the bucket handle they resolve to. Credentials come in four forms, of
 * which at most one may be given:
 *
 * - nothing: Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, the gcloud user, the
 *   metadata server of GCE / GKE / Cloud Run), found by the SDK;
 * - `credentials`: a service-account key, the parsed JSON key file;
 * - `keyFilename`: the path of such a key file, read (and checked) when the store is made;
 * - `storage` (a `Storage` of your own) or `bucket` as a `Bucket` of your own: used as they are, with
 *   their own credentials, endpoint and retry settings.
 *
 * A client the adapter makes has the SDK's automatic retries off (`retryOptions.autoRetry: false`), so
 * the engine's retry policy (`RetryingObjectStore`: backoff that honours `Retry-After`) is the only one in
 * force and a throttled call is not retried twice over. A client of your own keeps its settings; give it
 * `retryOptions: { autoRetry: false }` for the same behaviour (see `docs/storage/gcs.md`).
 */
import { readFileSync } from 'node:fs';
import { Storage, type StorageOptions } from '@google-cloud/storage';
import { ValidationError } from '@holdfast/engine';
import { packageVersion } from '../package-info.ts';
import type { GcsBucketHandle, GcsStorageHandle } from './gcs-bucket-handle.ts';

/** A service-account key: the JSON key file, parsed. Only `client_email` and `private_key` are required. */
export interface GcsServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
  readonly project_id?: string | undefined;
  readonly [field: string]: unknown;
}

/** Options shared by {@link GcsObjectStore} and {@link GcsExportDestination}. */
export interface GcsOptions {
  /**
   * The bucket's name, or a `Bucket` of your own (`storage.bucket('name')`), which is then used as it is
   * (no other credential option may be given).
   */
  readonly bucket: string | GcsBucketHandle;
  /**
   * Object-name prefix inside the bucket (`repos/alice`): the adapter sees only names under it. A `/` is
   * added when missing. Default: none (the whole bucket).
   */
  readonly prefix?: string | undefined;
  /** A service-account key (the parsed JSON key file). */
  readonly credentials?: GcsServiceAccountKey | undefined;
  /**
   * The path of a service-account JSON key file, read when the store or destination is made. Only
   * `"type": "service_account"` keys are accepted (other credential kinds: pass `storage`).
   */
  readonly keyFilename?: string | undefined;
  /** A `Storage` client of your own (its credentials, endpoint and retry settings are used as they are). */
  readonly storage?: GcsStorageHandle | undefined;
  /** The project, when ADC cannot tell it (the adapter makes no project-scoped calls). */
  readonly projectId?: string | undefined;
  /**
   * Endpoint of the JSON API, for a regional or private endpoint, an emulator or a test fake
   * (`http://127.0.0.1:4443`). Default: `https://storage.googleapis.com`.
   */
  readonly apiEndpoint?: string | undefined;
  /**
   * Authenticate requests to `apiEndpoint`. Default: false for an `http:` endpoint (an emulator or fake),
   * true for an `https:` one. (The SDK's own default, false for every custom endpoint, would send
   * anonymous requests to a regional endpoint.)
   */
  readonly useAuthWithCustomEndpoint?: boolean | undefined;
  /**
   * Bodies of this many bytes or more are written with a resumable upload (a session, then chunks); smaller
   * ones in one multipart request. A stream of unknown size is buffered up to this many bytes to decide.
   * Default 8 MiB; 0 sends everything through resumable uploads.
   */
  readonly resumableThreshold?: number | undefined;
  /** Bytes per request of a resumable upload: a multiple of 256 KiB. Default 8 MiB. */
  readonly chunkSize?: number | undefined;
}

/** The values {@link resolveGcsOptions} settled on. */
export interface ResolvedGcsOptions {
  readonly bucket: GcsBucketHandle;
  readonly bucketName: string;
  /** The prefix, ending with `/` unless empty. */
  readonly prefix: string;
  readonly resumableThreshold: number;
  readonly chunkSize: number;
}

export const KIB = 1024;
export const MIB = 1024 * KIB;
/** Resumable chunks (but the last) are multiples of this (the JSON API's rule). */
export const CHUNK_GRANULARITY = 256 * KIB;
export const DEFAULT_RESUMABLE_THRESHOLD = 8 * MIB;
export const DEFAULT_CHUNK_SIZE = 8 * MIB;
/** The largest chunk the adapter will hold in memory. */
export const MAX_CHUNK_SIZE = 1024 * MIB;
/** The largest object GCS stores: 5 TiB. */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 4;
/** The longest object name GCS accepts, in UTF-8 bytes. */
export const MAX_OBJECT_NAME_BYTES = 1024;

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** Checks `options` and makes (or takes) the bucket handle. Throws `ValidationError` naming the first mistake. */
export function resolveGcsOptions(options: GcsOptions): ResolvedGcsOptions {
  const ownBucket = typeof options.bucket === 'string' ? undefined : options.bucket;
  const bucketName = ownBucket === undefined ? (options.bucket as string) : ownBucket.name;
  if (typeof bucketName !== 'string' || !BUCKET_NAME.test(bucketName) || bucketName.includes('..')) {
    throw new ValidationError(
      `GCS: ${JSON.stringify(bucketName)} is not a bucket name (3-222 characters: lowercase letters, digits, "-", "_", ".")`,
    );
  }
  const given = (['credentials', 'keyFilename', 'storage'] as const).filter((field) => options[field] !== undefined);
  if (given.length > 1) {
    throw new ValidationError(
      `GCS: give at most one of credentials, keyFilename and storage (got ${given.join(', ')})`,
    );
  }
  if (ownBucket !== undefined) {
    const clientOptions = [...given, ...(['projectId', 'apiEndpoint', 'useAuthWithCustomEndpoint'] as const)].filter(
      (field) => options[field] !== undefined,
    );
    if (clientOptions.length > 0) {
      throw new ValidationError(
        `GCS: bucket is a Bucket of your own, so ${clientOptions.join(', ')} cannot apply; configure its Storage instead`,
      );
    }
  }
  if (options.storage !== undefined) {
    const clientOptions = (['projectId', 'apiEndpoint', 'useAuthWithCustomEndpoint'] as const).filter(
      (field) => options[field] !== undefined,
    );
    if (clientOptions.length > 0) {
      throw new ValidationError(`GCS: storage is a client of your own, so ${clientOptions.join(', ')} cannot apply`);
    }
  }
  const key = serviceAccountKeyOf(options);
  const endpoint = checkEndpoint(options.apiEndpoint);
  const prefix = normalizePrefix(options.prefix);
  const resumableThreshold = options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD;
  if (!Number.isSafeInteger(resumableThreshold) || resumableThreshold < 0 || resumableThreshold > MAX_CHUNK_SIZE) {
    throw new ValidationError(`GCS: resumableThreshold must be a whole number of bytes from 0 to ${MAX_CHUNK_SIZE}`);
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (
    !Number.isSafeInteger(chunkSize) ||
    chunkSize < CHUNK_GRANULARITY ||
    chunkSize > MAX_CHUNK_SIZE ||
    chunkSize % CHUNK_GRANULARITY !== 0
  ) {
    throw new ValidationError(`GCS: chunkSize must be a multiple of 256 KiB (262144 bytes), at most 1 GiB`);
  }
  const bucket =
    ownBucket ?? (options.storage ?? new Storage(storageOptions(options, key, endpoint))).bucket(bucketName);
  return { bucket, bucketName, prefix, resumableThreshold, chunkSize };
}

/** The options of the `Storage` client the adapter makes. */
function storageOptions(
  options: GcsOptions,
  key: GcsServiceAccountKey | undefined,
  endpoint: URL | undefined,
): StorageOptions {
  return {
    userAgent: `holdfast/${packageVersion}`,
    retryOptions: { autoRetry: false },
    ...(options.projectId === undefined ? {} : { projectId: options.projectId }),
    // SDK 8 deprecates `credentials` (and `keyFilename`) because they load any kind of credential
    // configuration, and some kinds run commands or fetch URLs. The adapter reads key files itself and
    // passes only a validated service-account key; other kinds go through a Storage with an authClient.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    ...(key === undefined ? {} : { credentials: credentialBody(key) }),
    ...(endpoint === undefined
      ? {}
      : {
          apiEndpoint: endpoint.origin + endpoint.pathname.replace(/\/+$/, ''),
          useAuthWithCustomEndpoint: options.useAuthWithCustomEndpoint ?? endpoint.protocol === 'https:',
        }),
  };
}

/** The key as the SDK takes it: every field of the key file, without `undefined` values. */
function credentialBody(key: GcsServiceAccountKey): NonNullable<StorageOptions['credentials']> {
  return Object.fromEntries(Object.entries(key).filter(([, value]) => value !== undefined));
}

/** The service-account key of `credentials` or of the file `keyFilename`, checked; undefined for neither. */
function serviceAccountKeyOf(options: GcsOptions): GcsServiceAccountKey | undefined {
  if (options.credentials !== undefined) return checkServiceAccountKey(options.credentials, 'credentials');
  const file: unknown = options.keyFilename;
  if (file === undefined) return undefined;
  if (typeof file !== 'string' || file.trim() === '') {
    throw new ValidationError('GCS: keyFilename must be the path of a service-account key file');
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ValidationError(
      `GCS: cannot read the key file ${JSON.stringify(file)} (${typeof code === 'string' ? code : 'error'})`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError(`GCS: the key file ${JSON.stringify(file)} is not JSON (only JSON key files are read)`);
  }
  return checkServiceAccountKey(parsed, `the key file ${JSON.stringify(file)}`);
}

function checkServiceAccountKey(value: unknown, label: string): GcsServiceAccountKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`GCS: ${label} must be a service-account key (the parsed JSON key file)`);
  }
  const key = value as Record<string, unknown>;
  const type = key['type'];
  if (type !== undefined && type !== 'service_account') {
    throw new ValidationError(
      `GCS: ${label} is a ${JSON.stringify(type)} credential; only service-account keys are accepted here ` +
        '(for other kinds, pass a Storage made with an authClient of your own)',
    );
  }
  if (typeof key['client_email'] !== 'string' || key['client_email'] === '') {
    throw new ValidationError(`GCS: ${label} has no client_email`);
  }
  const privateKey = key['private_key'];
  if (typeof privateKey !== 'string' || !privateKey.includes('PRIVATE KEY')) {
    throw new ValidationError(`GCS: ${label} has no private_key (a PEM "-----BEGIN PRIVATE KEY-----")`);
  }
  return key as GcsServiceAccountKey;
}

function checkEndpoint(endpoint: string | undefined): URL | undefined {
  if (endpoint === undefined) return undefined;
  const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '') {
    throw new ValidationError(`GCS: apiEndpoint ${JSON.stringify(endpoint)} is not an http(s) URL without a query`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError('GCS: apiEndpoint must not carry credentials');
  }
  return url;
}

function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return '';
  if (typeof prefix !== 'string') throw new ValidationError('GCS: prefix must be a string');
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const segments = trimmed.split('/');
  if (
    prefix.startsWith('/') ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..') ||
    /[\r\n\0]/.test(prefix)
  ) {
    throw new ValidationError(
      `GCS: the prefix ${JSON.stringify(prefix)} must be relative, without empty, "." or ".." segments or line breaks`,
    );
  }
  if (Buffer.byteLength(prefix) > MAX_OBJECT_NAME_BYTES / 2) {
    throw new ValidationError(`GCS: the prefix is longer than ${MAX_OBJECT_NAME_BYTES / 2} bytes`);
  }
  return `${trimmed}/`;
}
