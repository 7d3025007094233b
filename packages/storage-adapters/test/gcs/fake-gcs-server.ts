/**
 * A FAKE of the Google Cloud Storage JSON API v1, for tests. No GCS emulator can be installed on our
 * machines (fake-gcs-server is Go, Firebase's emulator needs Java 21 and a download; see
 * `/work/shared/ENVIRONMENT.md`), so the GCS adapter is tested against this small node:http server. It is
 * shaped from the published JSON API reference (objects insert / get / list / delete, "Perform resumable
 * uploads", "HTTP status and error codes for JSON", "Data validation and change detection") and, where the
 * reference is silent, from Google's own `googleapis/storage-testbench`. It is not a copy of either.
 *
 * What it implements, and nothing more (in-memory state, one process):
 *
 * - `POST /storage/v1/b` creates a bucket (`{ name }`); buckets are also created on first use unless
 *   `autoCreateBuckets: false`.
 * - `POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name=` (body = the object),
 *   `uploadType=multipart` (a `multipart/related` body: JSON metadata, then the media) and
 *   `uploadType=resumable` (JSON metadata or nothing; answers 200 with a `Location` session URI carrying
 *   `upload_id`). `X-Upload-Content-Type` / `X-Upload-Content-Length` are honoured.
 * - `PUT` on a session URI with `Content-Range: bytes a-b/total|*` appends a chunk and answers
 *   `308 Resume Incomplete` with `Range: bytes=0-n` until the last byte of a known total arrived, then
 *   `200` with the object resource; `Content-Range: bytes *\/total|*` with an empty body asks the status.
 *   The `Range` header is left out while nothing is persisted. `DELETE` on a session URI cancels it
 *   (`499`).
 * - Checksums: `md5Hash` / `crc32c` in upload metadata and `X-Goog-Hash: crc32c=..,md5=..` on a
 *   single-request upload or on the final chunk are verified; a mismatch answers `400` and stores nothing.
 *   Every object gets `md5Hash` and `crc32c` (base64, crc32c big-endian as GCS encodes it).
 * - Preconditions `ifGenerationMatch` / `ifGenerationNotMatch` on uploads (for resumable uploads,
 *   checked when the upload completes, as the testbench does and GCS has been seen to) and on delete:
 *   `412 conditionNotMet`.
 * - `GET /storage/v1/b/{bucket}/o/{object}`: the object resource; with `alt=media` the bytes, with
 *   `Range: bytes=a-b | a- | -n` → `206` and `Content-Range`, a range starting at or past the end → `416`
 *   (also for an empty object), plus `x-goog-hash`, `x-goog-generation`, `x-goog-stored-content-length`
 *   and `x-goog-stored-content-encoding: identity`, which `@google-cloud/storage` reads to validate a
 *   whole download's crc32c.
 * - `GET /storage/v1/b/{bucket}/o?prefix=&maxResults=&pageToken=`: names in UTF-8 byte order,
 *   `maxResults` capped at 1000, `nextPageToken` when more remain, `items` omitted when empty (as GCS does).
 * - `DELETE /storage/v1/b/{bucket}/o/{object}`: `204`, or `404` when missing.
 * - Errors in GCS's JSON format: `{ error: { code, message, errors: [{ domain, reason, message }] } }`.
 *
 * Where it knowingly differs from GCS:
 *
 * - No authentication or authorisation: `Authorization` is ignored (the SDK sends none to a custom
 *   endpoint with `useAuthWithCustomEndpoint: false`). 401/403 and throttling only happen by injection.
 * - A request that is cut off mid-body persists nothing (GCS may keep part of a resumable chunk).
 * - Chunk sizes: the reference says every chunk but the last is a multiple of 256 KiB. The fake refuses a
 *   non-final chunk under 256 KiB (`400`) and persists only the whole 256 KiB multiples of a larger one,
 *   reporting them in `Range` (GCS may persist less than it received; a client must resend from `Range`).
 *   A cancelled or unknown session answers `404`; GCS's exact status there may differ.
 * - Query parameters that change listing semantics (`delimiter`, `versions`, `matchGlob`, `startOffset`,
 *   `endOffset`) are refused with `400` rather than half-implemented; `fields`/`projection` are ignored
 *   (full resources are returned). No versioning, soft delete, retention, holds, ACLs, CSEK/KMS, gzip
 *   transcoding, compose/copy/rewrite, XML API, `generation=` addressing or requester pays.
 * - Generations are increasing integers from a counter, not microsecond timestamps.
 * - Sessions never expire.
 *
 * Fault injection ({@link FakeGcsServer.injectFault}) answers chosen requests with any status, reason and
 * headers (a 503 with `Retry-After`), drops the connection, persists only part of a resumable chunk, or
 * corrupts a byte of an upload or a download.
 *
 * This file holds the state, routing and protocol; `fake-gcs-wire.ts` the wire formats (resources, error
 * bodies, media answers, parsing, checksums).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkPreconditions,
  crc32cBase64,
  defaultReasons,
  type FakeGcsObject,
  flipFirstByte,
  GcsFault,
  hashesOfHeader,
  invalid,
  isAborted,
  md5Base64,
  metadataHashes,
  parseContentRange,
  parseJson,
  parseMultipart,
  readBody,
  requiredName,
  resource,
  sendError,
  sendJson,
  sendMedia,
} from './fake-gcs-wire.ts';

export { crc32cBase64, md5Base64, type FakeGcsObject };

/** What a request was, once routed. */
export type FakeGcsRequestKind =
  | 'bucket-insert'
  | 'upload-media'
  | 'upload-multipart'
  | 'upload-resumable-start'
  | 'upload-chunk'
  | 'upload-cancel'
  | 'object-get'
  | 'object-media'
  | 'object-list'
  | 'object-delete'
  | 'unknown';

/** One request the fake received (kept in {@link FakeGcsServer.requests}). */
export interface FakeGcsRequest {
  readonly method: string;
  readonly kind: FakeGcsRequestKind;
  readonly bucket?: string | undefined;
  /** The object name (decoded), for object and upload requests that name one. */
  readonly object?: string | undefined;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
}

/** A fault the fake plays instead of (or while) answering matching requests. */
export interface FakeGcsFault {
  /** Which requests it hits. */
  readonly match: (request: FakeGcsRequest) => boolean;
  /** Answer with this HTTP status (a GCS-format error body) instead of handling the request. */
  readonly status?: number | undefined;
  /** The `errors[0].reason` of the error body. Default: derived from the status. */
  readonly reason?: string | undefined;
  /** The error message. Default: derived from the status. */
  readonly message?: string | undefined;
  /** Extra response headers (e.g. `{ 'Retry-After': '7' }`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Destroy the connection without an answer (a network failure, as the client sees it). */
  readonly reset?: boolean | undefined;
  /** For resumable chunks: persist at most this many bytes of the chunk, then answer normally. */
  readonly persistAtMost?: number | undefined;
  /**
   * Flip the first byte of the data (as a bad network path would): of an upload or chunk before its
   * checksums are verified, or of a download as it is sent.
   */
  readonly corrupt?: boolean | undefined;
  /** Runs just before the request is handled (a concurrent writer, say). */
  readonly beforeHandling?: (() => void) | undefined;
  /** How many matching requests it hits. Default: 1. */
  readonly times?: number | undefined;
}

/** Options of {@link startFakeGcsServer}. */
export interface FakeGcsServerOptions {
  /** Create a bucket on its first use. Default: true. */
  readonly autoCreateBuckets?: boolean | undefined;
}

interface UploadSession {
  readonly id: string;
  readonly bucket: string;
  readonly name: string;
  readonly contentType: string;
  readonly expectedSize: number | undefined;
  readonly metadataHashes: { readonly md5Hash?: string | undefined; readonly crc32c?: string | undefined };
  readonly preconditions: URLSearchParams;
  readonly chunks: Buffer[];
  persisted: number;
  completed: FakeGcsObject | undefined;
}

const CHUNK_GRANULARITY = 256 * 1024;
const MAX_LIST_RESULTS = 1000;
const UNSUPPORTED_LIST_PARAMETERS = ['delimiter', 'versions', 'matchGlob', 'startOffset', 'endOffset'];

/** A running fake; stop it with {@link FakeGcsServer.close}. */
export class FakeGcsServer {
  /** `http://127.0.0.1:<port>`: the SDK's `apiEndpoint`. */
  readonly url: string;
  /** Every request received, in order (tests assert which upload path was taken). */
  readonly requests: FakeGcsRequest[] = [];
  readonly #server: Server;
  readonly #buckets = new Map<string, Map<string, FakeGcsObject>>();
  readonly #sessions = new Map<string, UploadSession>();
  readonly #faults: { fault: FakeGcsFault; left: number }[] = [];
  readonly #autoCreateBuckets: boolean;
  #generation = 1_700_000_000_000_000;

  private constructor(server: Server, options: FakeGcsServerOptions) {
    this.#server = server;
    this.#autoCreateBuckets = options.autoCreateBuckets ?? true;
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void this.#handle(request, response);
    });
  }

  /** Starts a fake on a free port of 127.0.0.1. */
  static async start(options: FakeGcsServerOptions = {}): Promise<FakeGcsServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new FakeGcsServer(server, options);
  }

  /** Stops listening and closes every connection (the SDK keeps sockets alive). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
    this.#server.closeAllConnections();
    await closed;
  }

  /** Plays `fault` on the next matching request(s). */
  injectFault(fault: FakeGcsFault): void {
    this.#faults.push({ fault, left: fault.times ?? 1 });
  }

  /** Forgets faults not yet played. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Creates a bucket (as `POST /storage/v1/b` would); no-op when it exists. */
  createBucket(name: string): void {
    if (!this.#buckets.has(name)) this.#buckets.set(name, new Map());
  }

  /** Stores an object directly, as another writer would (no preconditions). */
  insertObject(
    bucket: string,
    name: string,
    data: Uint8Array,
    contentType = 'application/octet-stream',
  ): FakeGcsObject {
    return this.#insert(bucket, name, Buffer.from(data), contentType, {}, new URLSearchParams());
  }

  /** Removes the objects whose names start with `prefix` (test clean-up). */
  deleteObjects(bucket: string, prefix: string): void {
    const objects = this.#buckets.get(bucket);
    for (const name of [...(objects?.keys() ?? [])]) if (name.startsWith(prefix)) objects?.delete(name);
  }

  /** The objects of a bucket, by name (empty for a missing bucket). */
  objects(bucket: string): ReadonlyMap<string, FakeGcsObject> {
    return this.#buckets.get(bucket) ?? new Map<string, FakeGcsObject>();
  }

  /** Resumable sessions neither completed nor cancelled. */
  get openSessions(): number {
    return [...this.#sessions.values()].filter((session) => session.completed === undefined).length;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake.invalid');
    const routed = route(request.method ?? 'GET', url);
    const record: FakeGcsRequest = {
      method: request.method ?? 'GET',
      kind: routed.kind,
      bucket: routed.bucket,
      object: routed.object ?? url.searchParams.get('name') ?? undefined,
      query: url.searchParams,
      headers: request.headers,
    };
    this.requests.push(record);
    try {
      const fault = this.#takeFault(record);
      if (fault?.reset === true) {
        request.socket.destroy();
        return;
      }
      const received = await readBody(request);
      const body = fault?.corrupt === true && routed.kind !== 'upload-multipart' ? flipFirstByte(received) : received;
      fault?.beforeHandling?.();
      if (fault?.status !== undefined) {
        const [reason, message] = defaultReasons[fault.status] ?? ['unknown', 'Injected fault'];
        throw new GcsFault(fault.status, fault.reason ?? reason, fault.message ?? message, fault.headers);
      }
      this.#dispatch(routed, url, request, body, response, fault);
    } catch (error) {
      if (response.headersSent || request.socket.destroyed) return;
      if (error instanceof GcsFault) {
        sendError(response, error);
      } else if (isAborted(error)) {
        // The client went away mid-request: nothing was stored, nobody to answer.
      } else {
        sendError(response, new GcsFault(500, 'backendError', `fake-gcs-server: ${String(error)}`));
      }
    }
  }

  #takeFault(request: FakeGcsRequest): FakeGcsFault | undefined {
    const index = this.#faults.findIndex(({ fault }) => fault.match(request));
    const entry = this.#faults[index];
    if (entry === undefined) return undefined;
    entry.left -= 1;
    if (entry.left <= 0) this.#faults.splice(index, 1);
    return entry.fault;
  }

  #dispatch(
    routed: Routed,
    url: URL,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
    fault: FakeGcsFault | undefined,
  ): void {
    const query = url.searchParams;
    switch (routed.kind) {
      case 'bucket-insert': {
        const name = parseJson(body)['name'];
        if (typeof name !== 'string' || name === '') throw invalid('Missing bucket name.');
        if (this.#buckets.has(name)) {
          throw new GcsFault(
            409,
            'conflict',
            'Your previous request to create the named bucket succeeded and you already own it.',
          );
        }
        this.#buckets.set(name, new Map());
        sendJson(response, 200, { kind: 'storage#bucket', id: name, name, storageClass: 'STANDARD' });
        return;
      }
      case 'upload-media': {
        const name = requiredName(query);
        const contentType = request.headers['content-type'] ?? 'application/octet-stream';
        const object = this.#insert(routed.bucket ?? '', name, body, contentType, hashesOfHeader(request), query);
        sendJson(response, 200, resource(object));
        return;
      }
      case 'upload-multipart': {
        const parsed = parseMultipart(request.headers['content-type'], body);
        const { metadata, mediaType } = parsed;
        const media = fault?.corrupt === true ? flipFirstByte(parsed.media) : parsed.media;
        const name = query.get('name') ?? (typeof metadata['name'] === 'string' ? metadata['name'] : undefined);
        if (name === undefined || name === '') throw invalid('Required parameter: name.');
        const contentType = typeof metadata['contentType'] === 'string' ? metadata['contentType'] : mediaType;
        const object = this.#insert(routed.bucket ?? '', name, media, contentType, metadataHashes(metadata), query);
        sendJson(response, 200, resource(object));
        return;
      }
      case 'upload-resumable-start': {
        this.#bucket(routed.bucket ?? '');
        const metadata = body.length === 0 ? {} : parseJson(body);
        const name = query.get('name') ?? (typeof metadata['name'] === 'string' ? metadata['name'] : undefined);
        if (name === undefined || name === '') throw invalid('Required parameter: name.');
        const lengthHeader = request.headers['x-upload-content-length'];
        const expectedSize = typeof lengthHeader === 'string' ? Number(lengthHeader) : undefined;
        if (expectedSize !== undefined && !(Number.isSafeInteger(expectedSize) && expectedSize >= 0)) {
          throw invalid('Invalid X-Upload-Content-Length.');
        }
        const typeHeader = request.headers['x-upload-content-type'];
        const session: UploadSession = {
          id: randomUUID().replaceAll('-', ''),
          bucket: routed.bucket ?? '',
          name,
          contentType:
            typeof metadata['contentType'] === 'string'
              ? metadata['contentType']
              : typeof typeHeader === 'string'
                ? typeHeader
                : 'application/octet-stream',
          expectedSize,
          metadataHashes: metadataHashes(metadata),
          preconditions: new URLSearchParams(
            [...query].filter(([key]) => key === 'ifGenerationMatch' || key === 'ifGenerationNotMatch'),
          ),
          chunks: [],
          persisted: 0,
          completed: undefined,
        };
        this.#sessions.set(session.id, session);
        const location = new URL(`${this.url}/upload/storage/v1/b/${encodeURIComponent(session.bucket)}/o`);
        location.searchParams.set('uploadType', 'resumable');
        location.searchParams.set('name', name);
        location.searchParams.set('upload_id', session.id);
        response.writeHead(200, { Location: location.toString(), 'Content-Length': '0' });
        response.end();
        return;
      }
      case 'upload-chunk': {
        this.#chunk(query, request, body, response, fault);
        return;
      }
      case 'upload-cancel': {
        const id = query.get('upload_id') ?? '';
        if (!this.#sessions.delete(id)) throw new GcsFault(404, 'notFound', 'No such upload session.');
        response.writeHead(499, 'Client Closed Request', { 'Content-Length': '0' });
        response.end();
        return;
      }
      case 'object-get':
      case 'object-media': {
        const object = this.#object(routed.bucket ?? '', routed.object ?? '');
        if (routed.kind === 'object-get') sendJson(response, 200, resource(object));
        else
          sendMedia(
            request,
            response,
            fault?.corrupt === true ? { ...object, data: flipFirstByte(object.data) } : object,
          );
        return;
      }
      case 'object-list': {
        this.#list(routed.bucket ?? '', query, response);
        return;
      }
      case 'object-delete': {
        const objects = this.#bucket(routed.bucket ?? '');
        const object = this.#object(routed.bucket ?? '', routed.object ?? '');
        checkPreconditions(query, object);
        objects.delete(object.name);
        response.writeHead(204);
        response.end();
        return;
      }
      case 'unknown':
        throw new GcsFault(
          404,
          'notFound',
          `fake-gcs-server does not implement ${request.method ?? ''} ${url.pathname}`,
        );
    }
  }

  #chunk(
    query: URLSearchParams,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
    fault: FakeGcsFault | undefined,
  ): void {
    const session = this.#sessions.get(query.get('upload_id') ?? '');
    if (session === undefined) throw new GcsFault(404, 'notFound', 'No such upload session.');
    if (session.completed !== undefined) {
      sendJson(response, 200, resource(session.completed));
      return;
    }
    const range = parseContentRange(request.headers['content-range']);
    if (range === undefined) throw invalid('Invalid or missing Content-Range header.');
    const total = range.total;
    if (range.first !== undefined && range.last !== undefined) {
      if (body.length !== range.last - range.first + 1) {
        throw invalid(`Content-Range names ${range.last - range.first + 1} bytes, the body has ${body.length}.`);
      }
      if (range.first > session.persisted) {
        throw invalid(`The chunk starts at ${range.first}, but only ${session.persisted} bytes were persisted.`);
      }
      const fresh = body.subarray(session.persisted - range.first);
      const isFinal = total !== undefined && range.last + 1 === total;
      let keep = fresh.length;
      if (!isFinal) {
        if (body.length < CHUNK_GRANULARITY) {
          throw invalid(
            `Invalid request. The number of bytes uploaded is required to be equal or greater than ${CHUNK_GRANULARITY}, ` +
              `except for the final request. The received request contained ${body.length} bytes.`,
          );
        }
        keep = Math.max(
          0,
          range.first + Math.floor(body.length / CHUNK_GRANULARITY) * CHUNK_GRANULARITY - session.persisted,
        );
      }
      if (fault?.persistAtMost !== undefined) keep = Math.min(keep, fault.persistAtMost);
      if (keep > 0) {
        session.chunks.push(Buffer.from(fresh.subarray(0, keep)));
        session.persisted += keep;
      }
    } else if (body.length !== 0) {
      throw invalid('A status request (Content-Range: bytes */...) must have an empty body.');
    }
    if (total !== undefined && session.persisted > total) throw invalid('More bytes were sent than the total size.');
    if (total === undefined || session.persisted < total) {
      const headers: Record<string, string> = { 'Content-Length': '0' };
      if (session.persisted > 0) headers['Range'] = `bytes=0-${session.persisted - 1}`;
      response.writeHead(308, 'Resume Incomplete', headers);
      response.end();
      return;
    }
    if (session.expectedSize !== undefined && session.expectedSize !== total) {
      throw invalid(`X-Upload-Content-Length was ${session.expectedSize}, but ${total} bytes were uploaded.`);
    }
    const data = Buffer.concat(session.chunks);
    const hashes = { ...session.metadataHashes, ...hashesOfHeader(request) };
    const object = this.#insert(session.bucket, session.name, data, session.contentType, hashes, session.preconditions);
    session.completed = object;
    session.chunks.length = 0;
    sendJson(response, 200, resource(object));
  }

  #bucket(name: string): Map<string, FakeGcsObject> {
    let objects = this.#buckets.get(name);
    if (objects === undefined) {
      if (!this.#autoCreateBuckets) throw new GcsFault(404, 'notFound', 'The specified bucket does not exist.');
      objects = new Map();
      this.#buckets.set(name, objects);
    }
    return objects;
  }

  #object(bucket: string, name: string): FakeGcsObject {
    const object = this.#bucket(bucket).get(name);
    if (object === undefined) throw new GcsFault(404, 'notFound', `No such object: ${bucket}/${name}`);
    return object;
  }

  #insert(
    bucket: string,
    name: string,
    data: Buffer,
    contentType: string,
    hashes: { readonly md5Hash?: string | undefined; readonly crc32c?: string | undefined },
    preconditions: URLSearchParams,
  ): FakeGcsObject {
    const objects = this.#bucket(bucket);
    if (Buffer.byteLength(name) > 1024 || /[\r\n]/.test(name)) throw invalid('Invalid object name.');
    const md5Hash = md5Base64(data);
    const crc32c = crc32cBase64(data);
    if (hashes.md5Hash !== undefined && hashes.md5Hash !== md5Hash) {
      throw invalid(`Provided MD5 hash "${hashes.md5Hash}" doesn't match calculated MD5 hash "${md5Hash}".`);
    }
    if (hashes.crc32c !== undefined && hashes.crc32c !== crc32c) {
      throw invalid(`Provided CRC32C "${hashes.crc32c}" doesn't match calculated CRC32C "${crc32c}".`);
    }
    checkPreconditions(preconditions, objects.get(name));
    this.#generation += 1;
    const now = new Date().toISOString();
    const object: FakeGcsObject = {
      name,
      bucket,
      data: Buffer.from(data),
      generation: String(this.#generation),
      metageneration: '1',
      contentType,
      md5Hash,
      crc32c,
      timeCreated: now,
      updated: now,
    };
    objects.set(name, object);
    return object;
  }

  #list(bucket: string, query: URLSearchParams, response: ServerResponse): void {
    for (const parameter of UNSUPPORTED_LIST_PARAMETERS) {
      if (query.has(parameter)) throw invalid(`fake-gcs-server does not implement the list parameter ${parameter}.`);
    }
    const maxText = query.get('maxResults');
    const max = maxText === null ? MAX_LIST_RESULTS : Number(maxText);
    if (!Number.isSafeInteger(max) || max < 1) throw invalid(`Invalid value for maxResults: ${maxText ?? ''}`);
    const prefix = query.get('prefix') ?? '';
    const token = query.get('pageToken');
    const after = token === null || token === '' ? undefined : Buffer.from(token, 'base64url');
    const names = [...this.#bucket(bucket).values()]
      .filter((object) => object.name.startsWith(prefix))
      .map((object) => ({ object, key: Buffer.from(object.name) }))
      .filter(({ key }) => after === undefined || Buffer.compare(key, after) > 0)
      .sort((a, b) => Buffer.compare(a.key, b.key));
    const page = names.slice(0, Math.min(max, MAX_LIST_RESULTS));
    const last = page.at(-1);
    const body: Record<string, unknown> = { kind: 'storage#objects' };
    if (page.length < names.length && last !== undefined) body['nextPageToken'] = last.key.toString('base64url');
    if (page.length > 0) body['items'] = page.map(({ object }) => resource(object));
    sendJson(response, 200, body);
  }
}

/** Starts a {@link FakeGcsServer} on a free port. */
export async function startFakeGcsServer(options: FakeGcsServerOptions = {}): Promise<FakeGcsServer> {
  return FakeGcsServer.start(options);
}

interface Routed {
  readonly kind: FakeGcsRequestKind;
  readonly bucket?: string | undefined;
  readonly object?: string | undefined;
}

function route(method: string, url: URL): Routed {
  const path = url.pathname;
  if (path === '/storage/v1/b' && method === 'POST') return { kind: 'bucket-insert' };
  const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(path);
  if (upload !== null) {
    const bucket = decodeURIComponent(upload[1] ?? '');
    if (method === 'POST') {
      const type = url.searchParams.get('uploadType');
      if (type === 'media') return { kind: 'upload-media', bucket };
      if (type === 'multipart') return { kind: 'upload-multipart', bucket };
      if (type === 'resumable') return { kind: 'upload-resumable-start', bucket };
      return { kind: 'unknown', bucket };
    }
    if (method === 'PUT') return { kind: 'upload-chunk', bucket };
    if (method === 'DELETE') return { kind: 'upload-cancel', bucket };
    return { kind: 'unknown', bucket };
  }
  const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(path);
  if (list !== null && method === 'GET') return { kind: 'object-list', bucket: decodeURIComponent(list[1] ?? '') };
  const object = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(path);
  if (object !== null) {
    const bucket = decodeURIComponent(object[1] ?? '');
    const name = decodeURIComponent(object[2] ?? '');
    if (method === 'GET') {
      return { kind: url.searchParams.get('alt') === 'media' ? 'object-media' : 'object-get', bucket, object: name };
    }
    if (method === 'DELETE') return { kind: 'object-delete', bucket, object: name };
  }
  return { kind: 'unknown' };
}
