/**
 * A real Azurite (the Azure Storage emulator, npm `azurite`) for the Azure Blob tests: one blob service
 * per test file, on a port the OS picks, in memory, stopped in `afterAll`. Its account is Azurite's
 * well-known development account, whose key Microsoft publishes (it is not a secret).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobServiceClient, type ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';

/** Azurite's development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
/** Azurite's development account key, published in Azurite's README. */
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite blob service. */
export interface Azurite {
  /** The blob endpoint of the development account: `http://127.0.0.1:<port>/devstoreaccount1`. */
  readonly endpoint: string;
  /** A connection string for the development account. */
  readonly connectionString: string;
  /** The development account's key as a credential. */
  readonly credential: StorageSharedKeyCredential;
  /** A client of the account (the SDK tries each request once). */
  readonly service: BlobServiceClient;
  /** Creates a container with a fresh name and returns its client. */
  newContainer(): Promise<ContainerClient>;
  /** Stops the process and removes its workspace. */
  stop(): Promise<void>;
}

/** Options of {@link startAzurite}. */
export interface AzuriteOptions {
  /** Serve HTTPS with this certificate and key (PEM files); the caller makes the process trust the cert. */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
  /** Accept Entra ID bearer tokens (Azurite's `--oauth basic`: claims are checked, signatures are not). */
  readonly oauth?: boolean | undefined;
}

/**
 * Starts `azurite-blob` with the Node running the tests, on port 0, and resolves once it has said where it
 * listens and has answered a request.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const main = join(dirname(createRequire(import.meta.url).resolve('azurite/package.json')), 'dist/src/blob/main.js');
  const workspace = await mkdtemp(join(tmpdir(), 'holdfast-azurite-'));
  const args = [
    main,
    ...['--blobHost', '127.0.0.1', '--blobPort', '0'],
    ...['--inMemoryPersistence', '--skipApiVersionCheck', '--silent', '--disableTelemetry'],
    ...(options.tls === undefined ? [] : ['--cert', options.tls.cert, '--key', options.tls.key]),
    ...(options.oauth === true ? ['--oauth', 'basic'] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (!exited) child.kill('SIGKILL'); // In memory: nothing to flush, and no keep-alive wait.
    await exit;
    await rm(workspace, { recursive: true, force: true });
  };
  try {
    const origin = await listeningOrigin(child);
    const endpoint = `${origin}/${AZURITE_ACCOUNT}`;
    const protocol = origin.slice(0, origin.indexOf(':'));
    const connectionString = `DefaultEndpointsProtocol=${protocol};AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;
    const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
    const service = new BlobServiceClient(endpoint, credential, { retryOptions: { maxTries: 1 } });
    await service.getProperties(); // It answers.
    return {
      endpoint,
      connectionString,
      credential,
      service,
      async newContainer() {
        const container = service.getContainerClient(`t-${randomUUID()}`);
        await container.create();
        return container;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The origin from Azurite's "successfully listens on http://127.0.0.1:<port>" line. */
async function listeningOrigin(child: ChildProcessByStdio<null, Readable, Readable>): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (data: Buffer): void => {
      output += data.toString('utf8');
      const match = /successfully listens on (https?:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] === undefined) return;
      child.stdout.off('data', onData);
      child.stdout.resume(); // Keep draining, so Azurite never blocks on a full pipe.
      resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (data: Buffer) => (output += data.toString('utf8')));
    child.once('exit', (code, signal) => {
      reject(new Error(`azurite-blob exited (${String(code ?? signal)}) before listening:\n${output}`));
    });
    child.once('error', reject);
  });
}
