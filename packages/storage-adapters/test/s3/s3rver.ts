/**
 * A real S3-compatible server for the tests: s3rver in a child process on a free port, with its data in
 * a temp folder. It runs with `--openssl-legacy-provider` (its paginated listing uses a legacy cipher,
 * and without it answers 500) and is stopped, and its folder removed, by `stop`.
 *
 * The tests reach it through a small proxy in this process, which does three things:
 * - it serialises writes to one key. S3 makes every PUT atomic (concurrent writers of a key leave one
 *   of their objects, whole); s3rver writes the file in place, so two concurrent writers interleave.
 *   The proxy restores S3's documented behaviour rather than hiding an adapter fault: the adapter
 *   sends one PutObject (or one CompleteMultipartUpload) per put either way.
 * - it can answer a share of requests with S3's throttling error (503 SlowDown, Retry-After) instead of
 *   forwarding them, for the throttling-storm tests (`throttle`).
 * - with `startS3rver({ objectLock: true })` (off by default), it emulates S3 Object Lock retention,
 *   which s3rver does not implement: see `object-lock-emulation.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  forwarder,
  objectLockEmulation,
  type Emulation,
  type Handler,
  type ObjectLockEmulation,
  type Upstream,
} from './object-lock-emulation.ts';

export type {
  EmulatedDelete,
  EmulatedObject,
  EmulatedRefusal,
  EmulatedRetention,
  ObjectLockEmulation,
} from './object-lock-emulation.ts';

export interface S3rver {
  /** The proxy in front of s3rver: what adapters under test talk to. */
  readonly endpoint: string;
  /** s3rver itself, without the proxy: for child processes run synchronously (benchmarks). */
  readonly directEndpoint: string;
  /**
   * From now on answer every `every`-th request (1-based count, 0 turns it off) with 503 SlowDown and
   * `Retry-After: 0`. Returns how many were throttled so far.
   */
  readonly throttle: (every: number) => void;
  readonly throttled: () => number;
  /** Requests the proxy has seen. */
  readonly requests: () => number;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** A client for the tests' own calls (bucket creation, inspection). */
  readonly client: S3Client;
  /** The Object Lock emulation, when started with `{ objectLock: true }`. */
  readonly objectLock: ObjectLockEmulation | undefined;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface S3rverOptions {
  /** Emulate S3 Object Lock retention in the proxy (see the header of this file). Default false. */
  readonly objectLock?: boolean | undefined;
}

/** Retention as S3 records it on an object version. */
const bin = fileURLToPath(new URL('../../node_modules/s3rver/bin/s3rver.js', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

export async function startS3rver(
  options: S3rverOptions & { readonly objectLock: true },
): Promise<S3rver & { readonly objectLock: ObjectLockEmulation }>;
export async function startS3rver(options?: S3rverOptions): Promise<S3rver>;
export async function startS3rver(options: S3rverOptions = {}): Promise<S3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'holdfast-s3rver-'));
  // The proxy listens first, so the free port found for s3rver cannot be the one it takes.
  const upstream = { host: '127.0.0.1', port: 0 };
  const proxy = await startProxy(upstream, options.objectLock === true);
  const port = await freePort();
  upstream.port = port;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', bin, '-d', directory, '-a', '127.0.0.1', '-p', String(port), '--no-vhost-buckets'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = proxy.endpoint;
  // S3rver's fixed credentials.
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`s3rver exited (${String(child.exitCode)}): ${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${String(port)}`);
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (attempt > 200) throw new Error(`s3rver did not start on ${endpoint}: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    endpoint,
    directEndpoint: `http://127.0.0.1:${String(port)}`,
    throttle: proxy.throttle,
    throttled: proxy.throttled,
    requests: proxy.requests,
    credentials,
    client,
    objectLock: proxy.objectLock?.controls,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    stop: async () => {
      client.destroy();
      await proxy.close();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

interface Proxy {
  readonly endpoint: string;
  readonly throttle: (every: number) => void;
  readonly throttled: () => number;
  readonly requests: () => number;
  readonly objectLock: Emulation | undefined;
  readonly close: () => Promise<void>;
}

async function startProxy(upstream: Upstream, objectLock: boolean): Promise<Proxy> {
  const writes = new Map<string, Promise<void>>();
  let every = 0;
  let seen = 0;
  let throttled = 0;
  const forward = forwarder(upstream);
  const emulation = objectLock ? objectLockEmulation(upstream) : undefined;
  const handle: Handler = emulation?.handle ?? (async (request, response) => forward(request, response));
  const server = createHttpServer((request, response) => {
    seen++;
    if (every > 0 && seen % every === 0) {
      throttled++;
      request.resume();
      response.writeHead(503, { 'content-type': 'application/xml', 'retry-after': '0' });
      response.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      );
      return;
    }
    // A write of a whole object: PUT without partNumber, or POST completing a multipart upload.
    const path = (request.url ?? '').split('?')[0] ?? '';
    const query = (request.url ?? '').split('?')[1] ?? '';
    const isWrite =
      (request.method === 'PUT' && !query.includes('partNumber')) ||
      (request.method === 'POST' && query.includes('uploadId'));
    if (!isWrite) {
      void handle(request, response);
      return;
    }
    const before = writes.get(path) ?? Promise.resolve();
    const mine = before.then(() => handle(request, response));
    writes.set(path, mine);
    void mine.finally(() => {
      if (writes.get(path) === mine) writes.delete(path);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    throttle: (n) => {
      every = n;
    },
    throttled: () => throttled,
    requests: () => seen,
    objectLock: emulation,
    close: async () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
