/**
 * Options of the Azure Blob adapter: where the repository lives (container and key prefix), how to
 * authenticate (one of five credential forms, or a `ContainerClient` of your own), and how to upload.
 * {@link resolveAzureBlobOptions} checks them all before anything is sent, so a mistake is a
 * `ValidationError` naming the option, never a confusing service error later. Messages never repeat a
 * key, a SAS token or a connection string.
 */
import { assertSafeRelativePath, ValidationError } from '@holdfast/engine';
import { containerClientFromCredentials } from './azure-blob-credentials.ts';
import type {
  AnonymousCredential,
  ContainerClient,
  newPipeline,
  StoragePipelineOptions,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';

/**
 * A Microsoft Entra ID credential: the `TokenCredential` of `@azure/core-auth`, which every credential of
 * `@azure/identity` implements (`DefaultAzureCredential`, `ManagedIdentityCredential`,
 * `ClientSecretCredential`...). Typed from the SDK's own signature, so this package needs neither
 * `@azure/core-auth` nor `@azure/identity`.
 */
export type AzureTokenCredential = Exclude<
  NonNullable<Parameters<typeof newPipeline>[0]>,
  StorageSharedKeyCredential | AnonymousCredential
>;

/** A storage account connection string, as the Azure portal shows it under "Access keys". */
export interface AzureBlobConnectionStringCredentials {
  /** `DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net`, or one
   * with `BlobEndpoint=...;SharedAccessSignature=...`. */
  readonly connectionString: string;
}

/** A storage account's name and one of its two access keys (Shared Key authorization). */
export interface AzureBlobAccountKeyCredentials {
  /** The storage account's name (3–24 lowercase letters and digits). */
  readonly accountName: string;
  /** One of the account's access keys (base64). */
  readonly accountKey: string;
  /** The Blob service endpoint. Default: `https://<accountName>.blob.core.windows.net`. Set it for sovereign
   * clouds, custom domains and emulators (`http://127.0.0.1:10000/devstoreaccount1`). */
  readonly endpoint?: string | undefined;
}

/** A shared access signature as the container's URL with the SAS as its query (the portal's "Blob SAS URL"
 * of a container). */
export interface AzureBlobSasUrlCredentials {
  /** `https://<account>.blob.core.windows.net/<container>?sv=...&sig=...`. It names the container, so
   * `container` may be omitted. For an account SAS, use {@link AzureBlobSasTokenCredentials}. */
  readonly sasUrl: string;
}

/** A shared access signature as a token, with the account URL it is for. */
export interface AzureBlobSasTokenCredentials {
  /** The Blob service endpoint: `https://<account>.blob.core.windows.net`. */
  readonly accountUrl: string;
  /** The SAS query string (`sv=...&sig=...`, with or without the leading `?`): an account SAS, or a
   * service SAS for the container. */
  readonly sasToken: string;
}

/** A Microsoft Entra ID credential, with the account URL it is for. */
export interface AzureBlobTokenCredentials {
  /** The Blob service endpoint over HTTPS (the SDK refuses bearer tokens over plain HTTP). */
  readonly accountUrl: string;
  /** For example `new DefaultAzureCredential()` from `@azure/identity`. The identity needs the
   * "Storage Blob Data Contributor" role on the container (or an equivalent custom role). */
  readonly tokenCredential: AzureTokenCredential;
}

/** How the adapter authenticates: exactly one of these forms. */
export type AzureBlobCredentials =
  | AzureBlobConnectionStringCredentials
  | AzureBlobAccountKeyCredentials
  | AzureBlobSasUrlCredentials
  | AzureBlobSasTokenCredentials
  | AzureBlobTokenCredentials;

/** Options of {@link AzureBlobObjectStore} and {@link AzureBlobExportDestination}. */
export interface AzureBlobOptions {
  /**
   * The container (3–63 lowercase letters, digits and single hyphens). It must exist: the adapter never
   * creates or deletes containers. May be omitted when `containerClient` or a `sasUrl` names it.
   */
  readonly container?: string | undefined;
  /** A key prefix inside the container (`repos/alice/`): the adapter sees and writes only blobs under it.
   * A missing trailing `/` is added. Default: none (the whole container). */
  readonly prefix?: string | undefined;
  /** How to authenticate. Give this or `containerClient`. */
  readonly credentials?: AzureBlobCredentials | undefined;
  /** A `ContainerClient` of your own (its pipeline, retries and credential are used as they are). Give this
   * or `credentials`. */
  readonly containerClient?: ContainerClient | undefined;
  /**
   * Pipeline options of the client the adapter builds from `credentials` (proxy, keep-alive, retries,
   * user agent). Default: the SDK's, except `retryOptions: { maxTries: 1 }`: the engine retries
   * throttled and transient failures itself, honouring `Retry-After`, so the SDK should not retry too.
   */
  readonly clientOptions?: StoragePipelineOptions | undefined;
  /** Bytes per block of a staged upload (64 KiB to 4000 MiB). Objects up to one block are sent in one
   * request. Default: 8 MiB. */
  readonly blockSize?: number | undefined;
  /** Blocks of one upload sent at once (1 to 64). One upload holds up to `uploadConcurrency + 1` blocks in
   * memory. Default: 2. */
  readonly uploadConcurrency?: number | undefined;
  /** Keys per list request (1 to 5000, Azure's maximum). Default: 5000. */
  readonly listPageSize?: number | undefined;
}

/** 1 MiB. */
const MiB = 1024 * 1024;

/** The default block size of staged uploads. */
export const DEFAULT_BLOCK_SIZE = 8 * MiB;
/** The smallest block size the adapter accepts (smaller blocks exhaust the 50,000-block limit early). */
export const MIN_BLOCK_SIZE = 64 * 1024;
/** Azure's largest block (service version 2019-12-12 and later). */
export const MAX_BLOCK_SIZE = 4000 * MiB;
/** Azure's largest number of committed blocks in one blob. */
export const MAX_BLOCKS = 50_000;
/** Azure's largest list page. */
export const MAX_LIST_PAGE_SIZE = 5000;
/** Azure's longest blob name, in characters. */
export const MAX_BLOB_NAME_LENGTH = 1024;

/** Options checked and with their defaults applied. */
export interface ResolvedAzureBlobOptions {
  /** The container's client. */
  readonly client: ContainerClient;
  /** The container's URL without its query (which may hold a SAS): safe for names and locations. */
  readonly containerUrl: string;
  /** `''` or a prefix ending in `/`. */
  readonly prefix: string;
  readonly blockSize: number;
  readonly uploadConcurrency: number;
  readonly listPageSize: number;
}

/** A container name Azure accepts, or one of the special containers. */
const containerNamePattern = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$|^\$root$|^\$web$/;

/**
 * Checks `options` and builds the container client. Throws `ValidationError` naming the first mistake.
 * Makes no request.
 */
export function resolveAzureBlobOptions(options: AzureBlobOptions): ResolvedAzureBlobOptions {
  if (typeof options !== 'object' || (options as unknown) === null) {
    throw new ValidationError('Azure Blob: options are required');
  }
  const { container, credentials, containerClient } = options;
  if (container !== undefined && (typeof container !== 'string' || !containerNamePattern.test(container))) {
    throw new ValidationError(
      `Azure Blob: container ${JSON.stringify(container)} is not a valid container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit)`,
    );
  }
  let client: ContainerClient;
  if (credentials !== undefined && containerClient === undefined) {
    client = containerClientFromCredentials(credentials, container, options.clientOptions);
  } else if (containerClient !== undefined && credentials === undefined) {
    if (options.clientOptions !== undefined) {
      throw new ValidationError(
        'Azure Blob: `clientOptions` apply only to a client built from `credentials`; configure your own `containerClient` instead',
      );
    }
    client = containerClient;
  } else {
    throw new ValidationError('Azure Blob: give exactly one of `credentials` and `containerClient`');
  }
  if (container !== undefined && client.containerName !== container) {
    throw new ValidationError(
      `Azure Blob: container ${JSON.stringify(container)} differs from the container the client names (${JSON.stringify(client.containerName)})`,
    );
  }
  const url = new URL(client.url);
  url.search = '';
  url.hash = '';
  const blockSize = integerOption(options.blockSize, DEFAULT_BLOCK_SIZE, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE, 'blockSize');
  return {
    client,
    containerUrl: url.toString().replace(/\/$/, ''),
    prefix: normalizePrefix(options.prefix),
    blockSize,
    uploadConcurrency: integerOption(options.uploadConcurrency, 2, 1, 64, 'uploadConcurrency'),
    listPageSize: integerOption(options.listPageSize, MAX_LIST_PAGE_SIZE, 1, MAX_LIST_PAGE_SIZE, 'listPageSize'),
  };
}

/** `''`, or the prefix as a safe relative path ending in `/`. */
function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return '';
  if (typeof prefix !== 'string') throw new ValidationError('Azure Blob: prefix must be a string');
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  try {
    assertSafeRelativePath(trimmed, 'prefix');
  } catch (error) {
    throw new ValidationError(`Azure Blob: ${(error as Error).message}`, { cause: error });
  }
  if (trimmed.length + 1 >= MAX_BLOB_NAME_LENGTH) {
    throw new ValidationError(`Azure Blob: prefix is longer than ${MAX_BLOB_NAME_LENGTH - 2} characters`);
  }
  return `${trimmed}/`;
}

/** An integer option within bounds, or its default. */
function integerOption(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ValidationError(`Azure Blob: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
