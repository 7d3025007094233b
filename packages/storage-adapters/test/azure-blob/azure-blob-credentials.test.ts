/**
 * Every credential form against a real Azurite: connection strings (with a key, with a SAS), an account
 * name and key, a container SAS URL, an account SAS token, a client of the caller's own, and an Entra ID
 * token credential (Azurite over HTTPS with `--oauth basic`, which checks a token's claims but not its
 * signature). Then option validation, whose messages must never repeat a secret.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import {
  AccountSASPermissions,
  ContainerClient,
  ContainerSASPermissions,
  generateAccountSASQueryParameters,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { isHoldfastError, type ValidationError } from '@holdfast/engine';
import {
  chunkedStream,
  collect,
  collectBytes,
  expectBytes,
  expectHoldfastError,
  testBytes,
  utf8,
} from '@holdfast/engine/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureBlobObjectStore, type AzureBlobOptions, type AzureTokenCredential } from '../../src/azure-blob/index.ts';
import { AZURITE_ACCOUNT, AZURITE_KEY, type Azurite, startAzurite } from './azurite.ts';

/** Puts, reads, lists and deletes through `store`: the credentials work for every call the engine makes. */
async function roundTrip(store: AzureBlobObjectStore): Promise<void> {
  const bytes = testBytes(70_000, 3);
  await store.put('config', utf8('config'));
  await store.put('data/ab/abcdef', chunkedStream(bytes), { size: bytes.length });
  expectBytes(
    await collectBytes(await store.get('data/ab/abcdef', { range: { offset: 100, length: 1000 } })),
    bytes.subarray(100, 1100),
  );
  expect((await store.head('config')).size).toBe(6);
  expect((await collect(store.list(''))).map((info) => info.key).sort()).toEqual(['config', 'data/ab/abcdef']);
  await store.delete('config');
  await expectHoldfastError(store.head('config'), 'NOT_FOUND');
}

/** SAS validity for the tests: from an hour ago (clock skew) to a day ahead. */
function window(): { startsOn: Date; expiresOn: Date } {
  return { startsOn: new Date(Date.now() - 3_600_000), expiresOn: new Date(Date.now() + 86_400_000) };
}

describe('credentials against Azurite over HTTP', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  }, 60_000);
  afterAll(async () => {
    await (azurite as Azurite | undefined)?.stop();
  });

  /** A fresh container's name. */
  async function container(): Promise<string> {
    return (await azurite.newContainer()).containerName;
  }

  it('a connection string with the account key', async () => {
    await roundTrip(
      new AzureBlobObjectStore({
        container: await container(),
        credentials: { connectionString: azurite.connectionString },
      }),
    );
  });

  it('an account name and key, with the endpoint', async () => {
    const credentials = { accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, endpoint: azurite.endpoint };
    await roundTrip(new AzureBlobObjectStore({ container: await container(), prefix: 'r/', credentials }));
  });

  it('a container SAS URL, which names the container itself; the store name holds no SAS', async () => {
    const name = await container();
    const sas = generateBlobSASQueryParameters(
      { containerName: name, permissions: ContainerSASPermissions.parse('racwdl'), ...window() },
      azurite.credential,
    ).toString();
    const store = new AzureBlobObjectStore({ credentials: { sasUrl: `${azurite.endpoint}/${name}?${sas}` } });
    expect(store.containerClient.containerName).toBe(name);
    expect(store.name).toBe(`azure-blob:${azurite.endpoint}/${name}/`);
    await roundTrip(store);
  });

  it('an account SAS token with the account URL, and as a connection string', async () => {
    const sasToken = generateAccountSASQueryParameters(
      {
        services: 'b',
        resourceTypes: 'sco',
        permissions: AccountSASPermissions.parse('rwdlac'),
        ...window(),
      },
      azurite.credential,
    ).toString();
    await roundTrip(
      new AzureBlobObjectStore({
        container: await container(),
        credentials: { accountUrl: azurite.endpoint, sasToken: `?${sasToken}` },
      }),
    );
    const connectionString = `BlobEndpoint=${azurite.endpoint};SharedAccessSignature=${sasToken}`;
    await roundTrip(new AzureBlobObjectStore({ container: await container(), credentials: { connectionString } }));
  });

  it('a read-only SAS reads but cannot write (AuthError); an expired SAS is AuthError', async () => {
    const name = await container();
    await (await azurite.newContainer()).getBlockBlobClient('x').upload('x', 1); // another container, untouched
    await azurite.service.getContainerClient(name).getBlockBlobClient('config').upload('config', 6);
    const readOnly = generateBlobSASQueryParameters(
      { containerName: name, permissions: ContainerSASPermissions.parse('rl'), ...window() },
      azurite.credential,
    ).toString();
    const store = new AzureBlobObjectStore({ credentials: { sasUrl: `${azurite.endpoint}/${name}?${readOnly}` } });
    expect(new TextDecoder().decode(await collectBytes(await store.get('config')))).toBe('config');
    const error = await expectHoldfastError(store.put('other', utf8('x')), 'AUTH');
    expect(error.message).not.toContain(readOnly);
    await expectHoldfastError(store.delete('config'), 'AUTH');

    const expired = generateBlobSASQueryParameters(
      {
        containerName: name,
        permissions: ContainerSASPermissions.parse('racwdl'),
        startsOn: new Date(Date.now() - 2 * 86_400_000),
        expiresOn: new Date(Date.now() - 86_400_000),
      },
      azurite.credential,
    ).toString();
    const stale = new AzureBlobObjectStore({ credentials: { sasUrl: `${azurite.endpoint}/${name}?${expired}` } });
    await expectHoldfastError(stale.head('config'), 'AUTH');
  });

  it('a ContainerClient of the caller’s own', async () => {
    const client = new ContainerClient(azurite.connectionString, await container());
    const store = new AzureBlobObjectStore({ containerClient: client, prefix: 'mine' });
    expect(store.containerClient).toBe(client);
    await roundTrip(store);
  });
});

describe('an Entra ID token credential against Azurite over HTTPS', () => {
  let azurite: Azurite;
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'holdfast-azurite-tls-'));
    const [cert, key] = [join(workspace, 'cert.pem'), join(workspace, 'key.pem')];
    const openssl = spawnSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1'],
      ],
      { encoding: 'utf8' },
    );
    expect(openssl.status, openssl.stderr).toBe(0);
    // This test process trusts the test certificate (and keeps trusting the usual roots).
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), await readFile(cert, 'utf8')]);
    azurite = await startAzurite({ tls: { cert, key }, oauth: true });
  }, 60_000);
  afterAll(async () => {
    await (azurite as Azurite | undefined)?.stop();
    await rm(workspace, { recursive: true, force: true });
  });

  /** A token with the claims Azurite checks (issuer, audience, lifetime); its signature is not checked. */
  function token(expiresInSeconds: number): AzureTokenCredential {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const jwt = [
      part({ alg: 'RS256', typ: 'JWT' }),
      part({
        aud: 'https://storage.azure.com',
        iss: 'https://sts.windows.net/ab1f708d-50f6-404c-a006-d71b2ac7a606/',
        iat: now - 120,
        nbf: now - 120,
        exp: now + expiresInSeconds,
        oid: '11059fcc-5514-4800-b5f8-49808b9cfab6',
      }),
      Buffer.from('not checked by azurite').toString('base64url'),
    ].join('.');
    return { getToken: async () => ({ token: jwt, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  }

  it('works for every call', async () => {
    const container = (await azurite.newContainer()).containerName;
    await roundTrip(
      new AzureBlobObjectStore({
        container,
        credentials: { accountUrl: azurite.endpoint, tokenCredential: token(3600) },
      }),
    );
  });

  it('an expired token is AuthError', async () => {
    const container = (await azurite.newContainer()).containerName;
    const store = new AzureBlobObjectStore({
      container,
      credentials: { accountUrl: azurite.endpoint, tokenCredential: token(-60) },
    });
    await expectHoldfastError(store.put('config', utf8('x')), 'AUTH');
  });
});

describe('option validation', () => {
  const secretKey = AZURITE_KEY;
  const sasSecret = 'sv=2025-11-05&sr=c&sp=racwdl&se=2099-01-01&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D';
  const connectionString = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${secretKey};EndpointSuffix=core.windows.net`;
  const token: AzureTokenCredential = { getToken: async () => null };
  const cases: [string, unknown, string][] = [
    ['no credentials nor client', { container: 'backups' }, 'give exactly one of `credentials` and `containerClient`'],
    [
      'both credentials and a client',
      {
        container: 'backups',
        credentials: { connectionString },
        containerClient: new ContainerClient(connectionString, 'backups'),
      },
      'give exactly one of',
    ],
    ['an empty credentials object', { container: 'backups', credentials: {} }, 'credentials need one of'],
    [
      'two credential forms',
      { container: 'backups', credentials: { connectionString, sasUrl: 'https://x' } },
      'mix several forms',
    ],
    [
      'a bad container name',
      { container: 'Backups_1', credentials: { connectionString } },
      'not a valid container name',
    ],
    [
      'a container name too short',
      { container: 'ab', credentials: { connectionString } },
      'not a valid container name',
    ],
    ['no container with a connection string', { credentials: { connectionString } }, '`container` is required'],
    [
      'an unparseable connection string',
      { container: 'backups', credentials: { connectionString: `AccountKey=${secretKey}` } },
      'could not be parsed',
    ],
    [
      'a bad account name',
      { container: 'backups', credentials: { accountName: 'My_Account', accountKey: secretKey } },
      'not a storage account name',
    ],
    [
      'an account key that is not base64',
      { container: 'backups', credentials: { accountName: 'acct', accountKey: `${secretKey}!` } },
      'not an account key',
    ],
    [
      'an endpoint that is not a URL',
      { container: 'backups', credentials: { accountName: 'acct', accountKey: secretKey, endpoint: 'acct.blob' } },
      'is not an http(s) URL',
    ],
    [
      'no container with an account key',
      { credentials: { accountName: 'acct', accountKey: secretKey } },
      '`container` is required',
    ],
    [
      'a SAS URL without a signature',
      { credentials: { sasUrl: 'https://acct.blob.core.windows.net/backups?sv=1' } },
      'no SAS',
    ],
    [
      'a SAS URL of the account',
      { credentials: { sasUrl: `https://acct.blob.core.windows.net/?${sasSecret}` } },
      'must be a container URL',
    ],
    [
      'a SAS URL of the emulator account',
      { credentials: { sasUrl: `http://127.0.0.1:10000/devstoreaccount1?${sasSecret}` } },
      'must be a container URL',
    ],
    [
      'a SAS URL naming another container',
      { container: 'other', credentials: { sasUrl: `https://acct.blob.core.windows.net/backups?${sasSecret}` } },
      'differs from the container',
    ],
    [
      'a SAS token without a signature',
      { container: 'backups', credentials: { accountUrl: 'https://acct.blob.core.windows.net', sasToken: 'sv=1' } },
      'not a SAS token',
    ],
    [
      'an account URL with a query',
      {
        container: 'backups',
        credentials: { accountUrl: `https://acct.blob.core.windows.net?${sasSecret}`, sasToken: sasSecret },
      },
      'must not have a query',
    ],
    [
      'a token credential over http',
      {
        container: 'backups',
        credentials: { accountUrl: 'http://127.0.0.1:10000/devstoreaccount1', tokenCredential: token },
      },
      'must be https',
    ],
    [
      'a token credential without getToken',
      { container: 'backups', credentials: { accountUrl: 'https://acct.blob.core.windows.net', tokenCredential: {} } },
      'must be a TokenCredential',
    ],
    [
      'clientOptions with an own client',
      { containerClient: new ContainerClient(connectionString, 'backups'), clientOptions: {} },
      '`clientOptions` apply only',
    ],
    [
      'a prefix with ..',
      { container: 'backups', prefix: 'repos/../x/', credentials: { connectionString } },
      'prefix "repos/../x" has a ".." segment',
    ],
    [
      'an absolute prefix',
      { container: 'backups', prefix: '/repos/', credentials: { connectionString } },
      'prefix "/repos" is absolute',
    ],
    [
      'a block size too small',
      { container: 'backups', blockSize: 1024, credentials: { connectionString } },
      'blockSize must be an integer from 65536 to 4194304000',
    ],
    [
      'a block size too large',
      { container: 'backups', blockSize: 5000 * 1024 * 1024, credentials: { connectionString } },
      'blockSize must be',
    ],
    [
      'a fractional concurrency',
      { container: 'backups', uploadConcurrency: 1.5, credentials: { connectionString } },
      'uploadConcurrency must be',
    ],
    [
      'a list page above 5000',
      { container: 'backups', listPageSize: 5001, credentials: { connectionString } },
      'listPageSize must be an integer from 1 to 5000',
    ],
  ];

  it.each(cases)('refuses %s, without repeating a secret', (_label, options, expected) => {
    let error: unknown;
    try {
      new AzureBlobObjectStore(options as AzureBlobOptions);
    } catch (caught) {
      error = caught;
    }
    expect(isHoldfastError(error, 'VALIDATION'), String(error)).toBe(true);
    const { message } = error as ValidationError;
    expect(message).toContain(expected);
    expect(message).not.toContain(secretKey);
    expect(message).not.toMatch(/sig=\w/); // naming the parameter is fine, its value is not
    expect(message).not.toContain('c2VjcmV0');
  });

  it('accepts a prefix without its trailing slash, and the development storage shortcut', () => {
    const store = new AzureBlobObjectStore({
      container: 'backups',
      prefix: 'repos/alice',
      credentials: { connectionString: 'UseDevelopmentStorage=true' },
    });
    expect(store.prefix).toBe('repos/alice/');
    expect(store.name).toBe('azure-blob:http://127.0.0.1:10000/devstoreaccount1/backups/repos/alice/');
  });
});
