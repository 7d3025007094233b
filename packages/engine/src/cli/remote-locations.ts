/**
 * Repository and export locations given as URLs: `s3://bucket/prefix`, `azure://container/prefix`,
 * `gs://bucket/prefix`. The adapter for a scheme is imported from `@holdfast/storage-adapters` only when a
 * URL of that scheme is used, so the CLI needs the cloud SDKs only for the clouds it talks to. Endpoints
 * and credentials come from documented environment variables (`docs/storage/`), never from the URL.
 *
 * The engine does not depend on the adapters' types: each module is typed here by the part the CLI uses.
 */
import type { ExportDestination, ObjectStore } from '../ports/index.ts';
import { RetryingObjectStore } from '../stores/retrying-object-store.ts';
import { CliError } from './cli-error.ts';
import { exitCodes } from './exit-codes.ts';

export type RemoteScheme = 's3' | 'azure' | 'gs';

export interface RemoteLocation {
  readonly scheme: RemoteScheme;
  /** Bucket or container. */
  readonly bucket: string;
  /** Key prefix inside it, without a leading `/`; `''` for none. */
  readonly prefix: string;
}

type Env = Readonly<Record<string, string | undefined>>;

interface AdapterModule {
  readonly store: (options: Record<string, unknown>) => ObjectStore;
  readonly destination: (options: Record<string, unknown>) => ExportDestination;
}

/** Parses `scheme://bucket/prefix`; undefined for anything that is not one of the three schemes. */
export function parseRemoteLocation(location: string): RemoteLocation | undefined {
  const match = /^(s3|azure|gs):\/\/([^/]+)(?:\/(.*))?$/i.exec(location);
  if (match === null) return undefined;
  const scheme = (match[1] ?? '').toLowerCase() as RemoteScheme;
  const bucket = match[2] ?? '';
  const prefix = (match[3] ?? '').replace(/^\/+/, '');
  return { scheme, bucket, prefix };
}

/** The store at a remote location, wrapped to retry throttling and transient failures. */
export async function openRemoteStore(location: RemoteLocation, env: Env): Promise<ObjectStore> {
  const adapter = await loadAdapter(location.scheme);
  return new RetryingObjectStore(adapter.store(optionsFor(location, env)));
}

/** The export destination at a remote location. */
export async function openRemoteDestination(location: RemoteLocation, env: Env): Promise<ExportDestination> {
  const adapter = await loadAdapter(location.scheme);
  return adapter.destination(optionsFor(location, env));
}

const MODULES: Readonly<
  Record<
    RemoteScheme,
    { readonly path: string; readonly store: string; readonly destination: string; readonly sdk: string }
  >
> = {
  s3: {
    path: '@holdfast/storage-adapters/s3',
    store: 'S3ObjectStore',
    destination: 'S3ExportDestination',
    sdk: '@aws-sdk/client-s3',
  },
  azure: {
    path: '@holdfast/storage-adapters/azure-blob',
    store: 'AzureBlobObjectStore',
    destination: 'AzureBlobExportDestination',
    sdk: '@azure/storage-blob',
  },
  gs: {
    path: '@holdfast/storage-adapters/gcs',
    store: 'GcsObjectStore',
    destination: 'GcsExportDestination',
    sdk: '@google-cloud/storage',
  },
};

async function loadAdapter(scheme: RemoteScheme): Promise<AdapterModule> {
  const entry = MODULES[scheme];
  let module: Record<string, unknown>;
  try {
    module = (await import(entry.path)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(
      exitCodes.usage,
      'USAGE',
      `${scheme}:// locations need @holdfast/storage-adapters and ${entry.sdk}: install them next to holdfast ` +
        `(npm install @holdfast/storage-adapters ${entry.sdk}) (${(error as Error).message})`,
      { cause: error },
    );
  }
  const Store = module[entry.store] as (new (options: Record<string, unknown>) => ObjectStore) | undefined;
  const Destination = module[entry.destination] as
    (new (options: Record<string, unknown>) => ExportDestination) | undefined;
  if (Store === undefined || Destination === undefined) {
    throw new CliError(
      exitCodes.usage,
      'USAGE',
      `${entry.path} has no ${entry.store}: update @holdfast/storage-adapters`,
    );
  }
  return { store: (options) => new Store(options), destination: (options) => new Destination(options) };
}

/** Adapter options from the location and the environment (see `docs/storage/*.md`). */
export function optionsFor(location: RemoteLocation, env: Env): Record<string, unknown> {
  const defined = (entries: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined && value !== ''));
  switch (location.scheme) {
    case 's3':
      return defined({
        bucket: location.bucket,
        prefix: location.prefix,
        region: env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'],
        endpoint: env['HOLDFAST_S3_ENDPOINT'] ?? env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL'],
        forcePathStyle: flagOf(env['HOLDFAST_S3_FORCE_PATH_STYLE']),
        storageClass: env['HOLDFAST_S3_STORAGE_CLASS'],
        serverSideEncryption: env['HOLDFAST_S3_SSE'],
        kmsKeyId: env['HOLDFAST_S3_SSE_KMS_KEY_ID'],
        objectLock:
          env['HOLDFAST_S3_OBJECT_LOCK_DAYS'] === undefined
            ? undefined
            : {
                mode: env['HOLDFAST_S3_OBJECT_LOCK_MODE'] ?? 'GOVERNANCE',
                days: Number(env['HOLDFAST_S3_OBJECT_LOCK_DAYS']),
              },
        // Credentials: the AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, roles).
      });
    case 'azure':
      return defined({ container: location.bucket, prefix: location.prefix, credentials: azureCredentials(env) });
    case 'gs':
      return defined({
        bucket: location.bucket,
        prefix: location.prefix,
        apiEndpoint: env['HOLDFAST_GCS_ENDPOINT'],
        projectId: env['GOOGLE_CLOUD_PROJECT'],
      });
  }
}

/**
 * One credential form, the first the environment gives: a connection string, then an account name and
 * key (with `HOLDFAST_AZURE_ENDPOINT` for Azurite or a sovereign cloud), then a container SAS URL.
 */
function azureCredentials(env: Env): Record<string, string> {
  const connectionString = env['AZURE_STORAGE_CONNECTION_STRING'];
  if (connectionString !== undefined && connectionString !== '') return { connectionString };
  const accountName = env['AZURE_STORAGE_ACCOUNT'];
  const accountKey = env['AZURE_STORAGE_KEY'];
  if (accountName !== undefined && accountKey !== undefined) {
    const endpoint = env['HOLDFAST_AZURE_ENDPOINT'];
    return { accountName, accountKey, ...(endpoint === undefined ? {} : { endpoint }) };
  }
  const sasUrl = env['AZURE_STORAGE_SAS_URL'];
  if (sasUrl !== undefined) return { sasUrl };
  throw new CliError(
    exitCodes.usage,
    'USAGE',
    'azure:// locations need credentials: set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT and ' +
      'AZURE_STORAGE_KEY, or AZURE_STORAGE_SAS_URL (see docs/storage/azure-blob.md)',
  );
}

function flagOf(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return /^(1|true|yes)$/i.test(value);
}
