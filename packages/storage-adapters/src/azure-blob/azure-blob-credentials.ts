/**
 * Builds the `ContainerClient` for each credential form of {@link AzureBlobCredentials}. Every form is
 * checked first (a `ValidationError` names the option and never repeats a secret); no request is made.
 *
 * Clients built here try each request once (`retryOptions: { maxTries: 1 }`) unless `clientOptions` says
 * otherwise: retrying is the engine's job (it backs off and honours `Retry-After`), and two layers of
 * retries multiply each other's attempts.
 */
import {
  AnonymousCredential,
  BlobServiceClient,
  ContainerClient,
  StorageSharedKeyCredential,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import { ValidationError } from '@holdfast/engine';
import { packageVersion } from '../package-info.ts';
import type { AzureBlobCredentials, AzureTokenCredential } from './azure-blob-options.ts';

/** The credential forms, by the property that tells each apart. */
const forms = ['connectionString', 'accountKey', 'sasUrl', 'sasToken', 'tokenCredential'] as const;

/**
 * The container client for `credentials`. `container` is required except with a `sasUrl`, which names its
 * container.
 */
export function containerClientFromCredentials(
  credentials: AzureBlobCredentials,
  container: string | undefined,
  clientOptions: StoragePipelineOptions | undefined,
): ContainerClient {
  if (typeof credentials !== 'object' || (credentials as unknown) === null) {
    throw new ValidationError('Azure Blob: credentials must be an object');
  }
  const given = forms.filter((form) => form in credentials);
  if (given.length !== 1) {
    throw new ValidationError(
      given.length === 0
        ? 'Azure Blob: credentials need one of `connectionString`, `accountName` + `accountKey`, `sasUrl`, `accountUrl` + `sasToken`, `accountUrl` + `tokenCredential`'
        : `Azure Blob: credentials mix several forms (${given.map((form) => `\`${form}\``).join(', ')}); give one`,
    );
  }
  const pipeline: StoragePipelineOptions = {
    retryOptions: { maxTries: 1 },
    userAgentOptions: { userAgentPrefix: `holdfast/${packageVersion}` },
    ...clientOptions,
  };
  if ('connectionString' in credentials) {
    return fromConnectionString(credentials.connectionString, container, pipeline);
  }
  if ('accountKey' in credentials) {
    const { accountName, accountKey, endpoint } = credentials;
    if (typeof accountName !== 'string' || !/^[a-z0-9]{3,24}$/.test(accountName)) {
      throw new ValidationError(
        `Azure Blob: credentials.accountName ${JSON.stringify(accountName)} is not a storage account name (3-24 lowercase letters and digits)`,
      );
    }
    if (
      typeof accountKey !== 'string' ||
      !/^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(accountKey)
    ) {
      throw new ValidationError('Azure Blob: credentials.accountKey is not an account key (a base64 string)');
    }
    const url =
      endpoint === undefined ? `https://${accountName}.blob.core.windows.net` : checkedUrl(endpoint, 'endpoint');
    return accountContainer(url, new StorageSharedKeyCredential(accountName, accountKey), container, pipeline);
  }
  if ('sasUrl' in credentials) {
    return sasContainer(checkedSasUrl(credentials.sasUrl), pipeline);
  }
  if ('sasToken' in credentials) {
    const token = typeof credentials.sasToken === 'string' ? credentials.sasToken.replace(/^\?/, '') : '';
    if (!/(?:^|&)sig=[^&]+/.test(token)) {
      throw new ValidationError('Azure Blob: credentials.sasToken is not a SAS token (no `sig=` parameter)');
    }
    const url = checkedUrl(credentials.accountUrl, 'accountUrl');
    return accountContainer(`${url}?${token}`, new AnonymousCredential(), container, pipeline);
  }
  const { tokenCredential } = credentials;
  if (typeof (tokenCredential as Partial<AzureTokenCredential> | null)?.getToken !== 'function') {
    throw new ValidationError('Azure Blob: credentials.tokenCredential must be a TokenCredential (with getToken)');
  }
  const url = checkedUrl(credentials.accountUrl, 'accountUrl');
  if (!url.startsWith('https:')) {
    throw new ValidationError(
      'Azure Blob: credentials.accountUrl must be https with a tokenCredential (the SDK sends bearer tokens only over TLS)',
    );
  }
  return accountContainer(url, tokenCredential, container, pipeline);
}

/** A client from a connection string; the SDK's parse errors become a `ValidationError` without the string. */
function fromConnectionString(
  connectionString: unknown,
  container: string | undefined,
  pipeline: StoragePipelineOptions,
): ContainerClient {
  if (typeof connectionString !== 'string' || connectionString.trim() === '') {
    throw new ValidationError('Azure Blob: credentials.connectionString is empty');
  }
  if (container === undefined)
    throw new ValidationError('Azure Blob: `container` is required with a connection string');
  try {
    return new ContainerClient(connectionString, container, pipeline);
  } catch (error) {
    throw new ValidationError(
      'Azure Blob: credentials.connectionString could not be parsed (it needs AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature)',
      { cause: error },
    );
  }
}

/** The container `container` (required) of the account whose Blob endpoint is `url` (its query, a SAS, kept). */
function accountContainer(
  url: string,
  credential: StorageSharedKeyCredential | AnonymousCredential | AzureTokenCredential,
  container: string | undefined,
  pipeline: StoragePipelineOptions,
): ContainerClient {
  if (container === undefined) {
    throw new ValidationError(
      'Azure Blob: `container` is required: these credentials name an account, not a container',
    );
  }
  return new BlobServiceClient(url, credential, pipeline).getContainerClient(container);
}

/**
 * The container a SAS URL names. The SDK reads the container from the path (the first segment, or the
 * second for IP hosts and emulators, whose first is the account); a URL whose path does not end with that
 * name is an account URL, refused.
 */
function sasContainer(sasUrl: string, pipeline: StoragePipelineOptions): ContainerClient {
  let client: ContainerClient | undefined;
  try {
    client = new ContainerClient(sasUrl, new AnonymousCredential(), pipeline);
  } catch {
    client = undefined; // The SDK throws for some account URLs.
  }
  const path = new URL(sasUrl).pathname.replace(/\/$/, '');
  if (client === undefined || !path.endsWith(`/${encodeURIComponent(client.containerName)}`)) {
    throw new ValidationError(
      'Azure Blob: credentials.sasUrl must be a container URL (`https://<account>.blob.core.windows.net/<container>?sv=...`); for an account SAS give `accountUrl` and `sasToken`',
    );
  }
  return client;
}

/** An http(s) URL without query or fragment, without its trailing `/`. Not secret, so the message shows it. */
function checkedUrl(value: unknown, name: string): string {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ValidationError(`Azure Blob: credentials.${name} ${JSON.stringify(value)} is not an http(s) URL`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ValidationError(
      `Azure Blob: credentials.${name} must not have a query or fragment (a SAS goes in \`sasToken\` or \`sasUrl\`)`,
    );
  }
  return url.toString().replace(/\/$/, '');
}

/** A SAS URL: http(s) with a `sig=` parameter. Secret, so no message repeats it. */
function checkedSasUrl(value: unknown): string {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ValidationError('Azure Blob: credentials.sasUrl is not an http(s) URL');
  }
  if (!url.searchParams.has('sig')) {
    throw new ValidationError('Azure Blob: credentials.sasUrl has no SAS (no `sig=` parameter in its query)');
  }
  return url.toString();
}
