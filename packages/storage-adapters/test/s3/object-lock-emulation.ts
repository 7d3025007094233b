/**
 * S3 Object Lock, emulated in the s3rver test proxy (s3rver does not implement it).
 *
 * With `startS3rver({ objectLock: true })` (off by default), the proxy emulates S3 Object Lock retention,
 *   which s3rver does not implement. This is an EMULATION, shaped from the S3 API reference (PutObject,
 *   CreateMultipartUpload, UploadPart, HeadObject, GetObject, DeleteObject), not S3 itself:
 *   - a PutObject or CreateMultipartUpload may carry `x-amz-object-lock-mode` (GOVERNANCE or
 *     COMPLIANCE) with `x-amz-object-lock-retain-until-date` (ISO 8601, in the future); one without the
 *     other, an unknown mode or a bad or past date is refused with 400 InvalidArgument;
 *   - a PutObject with those headers, or an UploadPart of an upload created with them, without
 *     `Content-MD5` (or an `x-amz-checksum-*` header) is refused with 400 InvalidRequest; any
 *     `Content-MD5` is checked against the body (400 InvalidDigest or BadDigest), which s3rver does not
 *     do;
 *   - the retention is recorded per key when the write succeeds (for a multipart upload: the headers of
 *     CreateMultipartUpload, applied when CompleteMultipartUpload succeeds), with a new version id;
 *     HeadObject and GetObject of the key then answer `x-amz-object-lock-mode`,
 *     `x-amz-object-lock-retain-until-date` and `x-amz-version-id`;
 *   - DeleteObject with the `versionId` of a version under retention is refused with 403 AccessDenied,
 *     unless the mode is GOVERNANCE and the request says `x-amz-bypass-governance-retention: true`; a
 *     permitted one is forwarded with `versionId` stripped (s3rver 3.7.1 ignores it and deletes the
 *     current object, as it accepts and drops Object Lock headers: both checked);
 *     a `versionId` that is not the current version's deletes nothing (that version does not exist here);
 *   - `objectLock.expireLocks()` moves every recorded retain-until date into the past, so tests can see
 *     what happens once retention has ended without waiting a day.
 *   Not emulated: versioning (s3rver keeps one copy per key, so the current object is the one version:
 *   an overwrite replaces it, where S3 would keep the old version as noncurrent, and there are no delete
 *   markers, so a DeleteObject without `versionId` of a key under retention, which S3 answers with a
 *   delete marker, is refused here with 501 NotImplemented rather than deleting locked data), legal
 *   holds, bucket default retention and the bucket's Object Lock configuration (every bucket behaves as
 *   one created with Object Lock), PutObjectRetention / GetObjectRetention, CopyObject with retention,
 *   DeleteObjects (refused with 501 while the emulation is on), and IAM (the bypass header is honoured
 *   without an `s3:BypassGovernanceRetention` permission check). x-amz-checksum-* values are accepted
 *   by presence and not verified.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';

export interface Upstream {
  readonly host: string;
  readonly port: number;
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Sends `request` on to s3rver as it is, streaming both ways; `decorate` may add response headers. */
export function forwarder(
  upstream: Upstream,
): (
  request: IncomingMessage,
  response: ServerResponse,
  decorate?: (status: number, headers: IncomingHttpHeaders) => OutgoingHttpHeaders,
) => Promise<void> {
  return async (request, response, decorate) =>
    new Promise<void>((resolve) => {
      const out = httpRequest(
        { ...upstream, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          const status = answer.statusCode ?? 500;
          response.writeHead(status, decorate === undefined ? answer.headers : decorate(status, answer.headers));
          answer.pipe(response);
          answer.once('end', resolve);
          answer.once('error', () => {
            response.destroy();
            resolve();
          });
        },
      );
      out.once('error', () => {
        response.destroy();
        resolve();
      });
      request.pipe(out);
    });
}

export interface EmulatedRetention {
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  readonly retainUntil: Date;
}

/** The current (only) version of a key, as the emulation recorded its successful write. */
export interface EmulatedObject {
  readonly operation: 'PutObject' | 'CompleteMultipartUpload';
  readonly versionId: string;
  /** What the write asked for (for a multipart upload: its CreateMultipartUpload), if anything. */
  readonly retention: EmulatedRetention | undefined;
  /**
   * Whether the write carried a `Content-MD5` that matched its body: the PutObject, or every
   * UploadPart of a multipart upload.
   */
  readonly contentMd5: boolean;
  /** Parts of a multipart upload; 0 for a PutObject. */
  readonly parts: number;
}

/** A delete the emulation let through to s3rver. */
export interface EmulatedDelete {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | undefined;
  /** Retention was still running and the request bypassed it (GOVERNANCE only). */
  readonly bypassedRetention: boolean;
}

/** A request the emulation answered with an error instead of forwarding. */
export interface EmulatedRefusal {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly status: number;
  readonly code: string;
}

export interface ObjectLockEmulation {
  /** The current version of `key` in `bucket` as the emulation recorded it, if it was written through it. */
  object(bucket: string, key: string): EmulatedObject | undefined;
  /** Deletes forwarded to s3rver, oldest first. */
  deletes(): readonly EmulatedDelete[];
  /** Requests refused by the emulation, oldest first. */
  refusals(): readonly EmulatedRefusal[];
  /** Ends every recorded retention: each retain-until date moves one second into the past. */
  expireLocks(): void;
}

export interface Emulation {
  readonly handle: Handler;
  readonly controls: ObjectLockEmulation;
}

/** What an upstream exchange answered, whole. */
interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A multipart upload created through the emulation and not completed or aborted yet. */
interface PendingUpload {
  readonly retention: EmulatedRetention | undefined;
  /** Part number → whether it carried a matching Content-MD5. */
  readonly parts: Map<number, boolean>;
}

const MODES: readonly string[] = ['GOVERNANCE', 'COMPLIANCE'];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
/**
 * Query parameters of a plain GetObject, HeadObject or DeleteObject. Any other (acl, tagging...) names a
 * sub-resource, which the emulation forwards untouched.
 */
const OBJECT_READ_PARAMS = new Set(['versionId', 'partNumber', 'x-id']);

class Refusal extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function objectLockEmulation(upstream: Upstream): Emulation {
  const forward = forwarder(upstream);
  const objects = new Map<string, EmulatedObject>();
  const uploads = new Map<string, PendingUpload>();
  const deletes: EmulatedDelete[] = [];
  const refusals: EmulatedRefusal[] = [];
  const id = (bucket: string, key: string): string => `${bucket}/${key}`;
  const live = (object: EmulatedObject | undefined): EmulatedRetention | undefined =>
    object?.retention !== undefined && object.retention.retainUntil.getTime() > Date.now()
      ? object.retention
      : undefined;

  /** One exchange with s3rver, bodies whole; `path` replaces the request's (to strip a parameter). */
  const exchange = async (request: IncomingMessage, body: Buffer, path = request.url): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      const headers = { ...request.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      delete headers.expect;
      const out = httpRequest({ ...upstream, method: request.method, path, headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.once('end', () => {
          resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: Buffer.concat(chunks) });
        });
        answer.once('error', reject);
      });
      out.once('error', reject);
      out.end(body);
    });

  const reply = (response: ServerResponse, answer: Answer, extra: OutgoingHttpHeaders = {}): void => {
    const headers: OutgoingHttpHeaders = { ...answer.headers, ...extra };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(answer.body.length);
    response.writeHead(answer.status, headers);
    response.end(answer.body);
  };

  /** The retention a write asks for, checked as S3 checks it. */
  const retentionOf = (headers: IncomingHttpHeaders): EmulatedRetention | undefined => {
    const mode = header(headers, 'x-amz-object-lock-mode');
    const until = header(headers, 'x-amz-object-lock-retain-until-date');
    if (mode === undefined && until === undefined) return undefined;
    if (mode === undefined || until === undefined) {
      throw new Refusal(
        400,
        'InvalidArgument',
        'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
      );
    }
    if (!MODES.includes(mode)) throw new Refusal(400, 'InvalidArgument', 'Unknown wormMode directive.');
    const retainUntil = new Date(until);
    if (!ISO_8601.test(until) || Number.isNaN(retainUntil.getTime())) {
      throw new Refusal(400, 'InvalidArgument', 'The retain until date must be provided in ISO 8601 format');
    }
    if (retainUntil.getTime() <= Date.now()) {
      throw new Refusal(400, 'InvalidArgument', 'The retain until date must be in the future!');
    }
    return { mode: mode as EmulatedRetention['mode'], retainUntil };
  };

  /** Whether the body came with a `Content-MD5`; one that does not match it is refused, as S3 does. */
  const checkMd5 = (headers: IncomingHttpHeaders, body: Buffer): boolean => {
    const given = header(headers, 'content-md5');
    if (given === undefined) return false;
    if (Buffer.from(given, 'base64').length !== 16) {
      throw new Refusal(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
    }
    if (createHash('md5').update(body).digest('base64') !== given) {
      throw new Refusal(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    return true;
  };
  const hasChecksum = (headers: IncomingHttpHeaders): boolean =>
    Object.keys(headers).some((name) => name.startsWith('x-amz-checksum-')) ||
    (header(headers, 'x-amz-trailer') ?? '').startsWith('x-amz-checksum-');
  const requireIntegrity = (headers: IncomingHttpHeaders, md5: boolean, what: string): void => {
    if (!md5 && !hasChecksum(headers)) {
      throw new Refusal(
        400,
        'InvalidRequest',
        `Content-MD5 OR x-amz-checksum- HTTP header is required for ${what} requests with Object Lock parameters`,
      );
    }
  };

  const versionHeaders = (object: EmulatedObject | undefined): OutgoingHttpHeaders =>
    object === undefined
      ? {}
      : {
          'x-amz-version-id': object.versionId,
          ...(object.retention === undefined
            ? {}
            : {
                'x-amz-object-lock-mode': object.retention.mode,
                'x-amz-object-lock-retain-until-date': object.retention.retainUntil.toISOString(),
              }),
        };

  const handle: Handler = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://proxy');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map((segment) => decodeURIComponent(segment)).join('/');
    const query = url.searchParams;
    const method = request.method ?? 'GET';
    try {
      if (key === '') {
        if (method === 'POST' && query.has('delete')) {
          throw new Refusal(501, 'NotImplemented', 'DeleteObjects is not covered by the Object Lock emulation');
        }
        await forward(request, response);
        return;
      }
      const current = objects.get(id(bucket, key));
      if (method === 'PUT' && !query.has('uploadId') && [...query.keys()].every((k) => k === 'x-id')) {
        // PutObject (or CopyObject).
        const retention = retentionOf(request.headers);
        if ('x-amz-copy-source' in request.headers && retention !== undefined) {
          throw new Refusal(501, 'NotImplemented', 'CopyObject with retention is not covered by the emulation');
        }
        const body = await readBody(request);
        const md5 = checkMd5(request.headers, body);
        if (retention !== undefined) requireIntegrity(request.headers, md5, 'Put Object');
        const answer = await exchange(request, body);
        let extra: OutgoingHttpHeaders = {};
        if (answer.status < 300) {
          const object: EmulatedObject = {
            operation: 'PutObject',
            versionId: newVersion(),
            retention,
            contentMd5: md5,
            parts: 0,
          };
          objects.set(id(bucket, key), object);
          extra = { 'x-amz-version-id': object.versionId };
        }
        reply(response, answer, extra);
        return;
      }
      if (method === 'POST' && query.has('uploads')) {
        // CreateMultipartUpload: the retention applies when the upload completes.
        const retention = retentionOf(request.headers);
        const answer = await exchange(request, await readBody(request));
        const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(answer.body.toString())?.[1];
        if (answer.status < 300 && uploadId !== undefined) uploads.set(uploadId, { retention, parts: new Map() });
        reply(response, answer);
        return;
      }
      if (method === 'PUT' && query.has('uploadId') && query.has('partNumber')) {
        // UploadPart.
        const upload = uploads.get(query.get('uploadId') ?? '');
        const body = await readBody(request);
        const md5 = checkMd5(request.headers, body);
        if (upload?.retention !== undefined) requireIntegrity(request.headers, md5, 'Upload Part');
        const answer = await exchange(request, body);
        if (answer.status < 300) upload?.parts.set(Number(query.get('partNumber')), md5);
        reply(response, answer);
        return;
      }
      if (method === 'POST' && query.has('uploadId')) {
        // CompleteMultipartUpload.
        const uploadId = query.get('uploadId') ?? '';
        const upload = uploads.get(uploadId);
        const answer = await exchange(request, await readBody(request));
        let extra: OutgoingHttpHeaders = {};
        if (answer.status < 300 && !answer.body.toString().includes('<Error>')) {
          uploads.delete(uploadId);
          const parts = [...(upload?.parts.values() ?? [])];
          const object: EmulatedObject = {
            operation: 'CompleteMultipartUpload',
            versionId: newVersion(),
            retention: upload?.retention,
            contentMd5: parts.length > 0 && parts.every(Boolean),
            parts: parts.length,
          };
          objects.set(id(bucket, key), object);
          extra = { 'x-amz-version-id': object.versionId };
        }
        reply(response, answer, extra);
        return;
      }
      if (method === 'DELETE' && query.has('uploadId')) {
        // AbortMultipartUpload.
        uploads.delete(query.get('uploadId') ?? '');
        await forward(request, response);
        return;
      }
      if (method === 'DELETE' && [...query.keys()].every((k) => OBJECT_READ_PARAMS.has(k))) {
        await deleteObject(request, response, bucket, key, current, query.get('versionId') ?? undefined);
        return;
      }
      if ((method === 'GET' || method === 'HEAD') && [...query.keys()].every((k) => OBJECT_READ_PARAMS.has(k))) {
        const versionId = query.get('versionId');
        if (versionId !== null && versionId !== current?.versionId) {
          throw new Refusal(404, 'NoSuchVersion', 'The specified version does not exist.');
        }
        await forward(request, response, (status, headers) =>
          status < 300 ? { ...headers, ...versionHeaders(current) } : headers,
        );
        return;
      }
      await forward(request, response);
    } catch (error) {
      if (!(error instanceof Refusal)) {
        response.destroy(error as Error);
        return;
      }
      refusals.push({ method, bucket, key, status: error.status, code: error.code });
      request.resume();
      const body =
        method === 'HEAD'
          ? ''
          : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.code}</Code><Message>${error.message}</Message></Error>`;
      response.writeHead(error.status, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(body),
      });
      response.end(body);
    }
  };

  const deleteObject = async (
    request: IncomingMessage,
    response: ServerResponse,
    bucket: string,
    key: string,
    current: EmulatedObject | undefined,
    versionId: string | undefined,
  ): Promise<void> => {
    const retention = live(current);
    if (versionId === undefined) {
      if (retention !== undefined) {
        throw new Refusal(
          501,
          'NotImplemented',
          'S3 would add a delete marker and keep the locked version; the emulation has no versioning',
        );
      }
    } else {
      if (versionId !== current?.versionId) {
        // Not a version this emulation holds: nothing to delete.
        request.resume();
        response.writeHead(204, { 'x-amz-version-id': versionId });
        response.end();
        return;
      }
      const bypass =
        retention?.mode === 'GOVERNANCE' &&
        header(request.headers, 'x-amz-bypass-governance-retention')?.toLowerCase() === 'true';
      if (retention !== undefined && !bypass) {
        throw new Refusal(403, 'AccessDenied', 'Access Denied because object protected by object lock.');
      }
    }
    const [path = '', search = ''] = (request.url ?? '').split('?');
    const kept = search.split('&').filter((part) => part !== '' && !part.startsWith('versionId='));
    const answer = await exchange(
      request,
      await readBody(request),
      kept.length === 0 ? path : `${path}?${kept.join('&')}`,
    );
    if (answer.status < 300) {
      objects.delete(id(bucket, key));
      deletes.push({ bucket, key, versionId, bypassedRetention: retention !== undefined });
    }
    reply(response, answer, versionId === undefined ? {} : { 'x-amz-version-id': versionId });
  };

  return {
    handle,
    controls: {
      object: (bucket, key) => objects.get(id(bucket, key)),
      deletes: () => [...deletes],
      refusals: () => [...refusals],
      expireLocks: () => {
        const past = new Date(Date.now() - 1000);
        for (const [name, object] of objects) {
          if (object.retention !== undefined) {
            objects.set(name, { ...object, retention: { ...object.retention, retainUntil: past } });
          }
        }
      },
    },
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function newVersion(): string {
  return randomBytes(24).toString('base64url');
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
