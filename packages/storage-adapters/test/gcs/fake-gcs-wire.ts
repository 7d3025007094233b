/**
 * The wire format of the fake GCS JSON API (`fake-gcs-server.ts` has the design note): object resources,
 * GCS-format error answers, media answers with `Range`, `multipart/related` and `Content-Range` parsing,
 * `X-Goog-Hash`, preconditions, and the CRC-32C and MD5 encodings GCS uses. Shaped from the published JSON
 * API reference; test code only.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An object as the fake stores it. */
export interface FakeGcsObject {
  readonly name: string;
  readonly bucket: string;
  readonly data: Buffer;
  readonly generation: string;
  readonly metageneration: string;
  readonly contentType: string;
  readonly md5Hash: string;
  readonly crc32c: string;
  readonly timeCreated: string;
  readonly updated: string;
}

/** An error answer in GCS's format. */
export class GcsFault extends Error {
  readonly status: number;
  readonly reason: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, reason: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.headers = headers;
  }
}

export const defaultReasons: Readonly<Record<number, [string, string]>> = {
  400: ['invalid', 'Invalid argument.'],
  401: ['required', 'Anonymous caller does not have storage.objects.get access.'],
  403: ['forbidden', 'The caller does not have permission.'],
  404: ['notFound', 'Not Found'],
  409: ['conflict', 'Conflict'],
  412: ['conditionNotMet', 'At least one of the pre-conditions you specified did not hold.'],
  429: ['rateLimitExceeded', 'The rate of change requests to the object is too high.'],
  500: ['backendError', 'Backend Error'],
  503: ['backendError', 'Backend Error'],
};

/** The CRC-32C (Castagnoli) table, reflected polynomial 0x82F63B78. */
const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32C of `data` as GCS encodes it: the big-endian 4 bytes, base64. */
export function crc32cBase64(data: Uint8Array): string {
  let crc = 0xffffffff;
  for (const byte of data) crc = (crcTable[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

/** The MD5 of `data`, base64, as in `md5Hash`. */
export function md5Base64(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (!request.complete) throw Object.assign(new Error('request aborted'), { code: 'ECONNRESET' });
  return Buffer.concat(chunks);
}

export function flipFirstByte(data: Buffer): Buffer {
  const copy = Buffer.from(data);
  if (copy.length > 0) copy[0] = (copy[0] ?? 0) ^ 0xff;
  return copy;
}

export function isAborted(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR';
}

export function invalid(message: string): GcsFault {
  return new GcsFault(400, 'invalid', message);
}

export function requiredName(query: URLSearchParams): string {
  const name = query.get('name');
  if (name === null || name === '') throw invalid('Required parameter: name.');
  return name;
}

export function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new GcsFault(400, 'parseError', 'Parse Error');
}

export function metadataHashes(metadata: Record<string, unknown>): { md5Hash?: string; crc32c?: string } {
  return {
    ...(typeof metadata['md5Hash'] === 'string' ? { md5Hash: metadata['md5Hash'] } : {}),
    ...(typeof metadata['crc32c'] === 'string' ? { crc32c: metadata['crc32c'] } : {}),
  };
}

/** The hashes of an `X-Goog-Hash: crc32c=..,md5=..` header. */
export function hashesOfHeader(request: IncomingMessage): { md5Hash?: string; crc32c?: string } {
  const header = request.headers['x-goog-hash'];
  const hashes: { md5Hash?: string; crc32c?: string } = {};
  for (const entry of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const at = entry.indexOf('=');
    if (at < 0) continue;
    const kind = entry.slice(0, at).trim();
    const value = entry.slice(at + 1).trim();
    if (kind === 'md5') hashes.md5Hash = value;
    if (kind === 'crc32c') hashes.crc32c = value;
  }
  return hashes;
}

export function checkPreconditions(query: URLSearchParams, existing: FakeGcsObject | undefined): void {
  const match = query.get('ifGenerationMatch');
  const notMatch = query.get('ifGenerationNotMatch');
  const generation = existing?.generation ?? '0';
  if ((match !== null && match !== generation) || (notMatch !== null && notMatch === generation)) {
    throw new GcsFault(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');
  }
}

/** Splits a `multipart/related` body into its JSON metadata and its media. */
export function parseMultipart(
  contentType: string | undefined,
  body: Buffer,
): { metadata: Record<string, unknown>; media: Buffer; mediaType: string } {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (!(contentType ?? '').toLowerCase().startsWith('multipart/related') || boundary === undefined) {
    throw invalid('A multipart upload needs Content-Type: multipart/related; boundary=...');
  }
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: string; content: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) throw invalid('Unterminated multipart body.');
    const part = body.subarray(start + 2, next);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw invalid('A multipart part without headers.');
    parts.push({ headers: part.subarray(0, split).toString('utf8'), content: part.subarray(split + 4) });
    at = next + 2;
  }
  const [meta, media] = parts;
  if (parts.length !== 2 || meta === undefined || media === undefined) {
    throw invalid(`A multipart upload has exactly 2 parts, this one has ${parts.length}.`);
  }
  const mediaType = /^content-type:\s*(.+)$/im.exec(media.headers)?.[1]?.trim() ?? 'application/octet-stream';
  return { metadata: parseJson(meta.content), media: media.content, mediaType };
}

/** A `Content-Range` of a resumable chunk: `bytes a-b/total`, `bytes a-b/*`, `bytes *\/total`, `bytes *\/*`. */
export function parseContentRange(
  header: string | undefined,
): { first?: number | undefined; last?: number | undefined; total?: number | undefined } | undefined {
  const match = /^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (match === null) return undefined;
  const total = match[3] === '*' ? undefined : Number(match[3]);
  if (match[1] === undefined || match[2] === undefined) return { total };
  const first = Number(match[1]);
  const last = Number(match[2]);
  if (last < first) return undefined;
  return { first, last, total };
}

/** The object resource of the JSON API. */
export function resource(object: FakeGcsObject): Record<string, unknown> {
  const id = `${object.bucket}/${object.name}/${object.generation}`;
  const path = `/storage/v1/b/${encodeURIComponent(object.bucket)}/o/${encodeURIComponent(object.name)}`;
  return {
    kind: 'storage#object',
    id,
    selfLink: `https://www.googleapis.com${path}`,
    mediaLink: `https://storage.googleapis.com/download${path}?generation=${object.generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation: object.generation,
    metageneration: object.metageneration,
    contentType: object.contentType,
    storageClass: 'STANDARD',
    size: String(object.data.length),
    md5Hash: object.md5Hash,
    crc32c: object.crc32c,
    etag: Buffer.from(object.generation).toString('base64'),
    timeCreated: object.timeCreated,
    updated: object.updated,
    timeStorageClassUpdated: object.timeCreated,
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

export function sendError(response: ServerResponse, fault: GcsFault): void {
  const body = {
    error: {
      code: fault.status,
      message: fault.message,
      errors: [{ message: fault.message, domain: 'global', reason: fault.reason }],
    },
  };
  const text = JSON.stringify(body);
  response.writeHead(fault.status, {
    ...fault.headers,
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/** Answers `alt=media`, honouring a single `Range`. */
export function sendMedia(request: IncomingMessage, response: ServerResponse, object: FakeGcsObject): void {
  const size = object.data.length;
  const headers: Record<string, string> = {
    'Content-Type': object.contentType,
    'Accept-Ranges': 'bytes',
    ETag: `"${Buffer.from(object.generation).toString('base64')}"`,
    'Last-Modified': new Date(object.updated).toUTCString(),
    'x-goog-generation': object.generation,
    'x-goog-metageneration': object.metageneration,
    'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
    'x-goog-stored-content-length': String(size),
    'x-goog-stored-content-encoding': 'identity',
    'x-goog-storage-class': 'STANDARD',
  };
  const rangeHeader = request.headers.range;
  if (rangeHeader === undefined) {
    response.writeHead(200, { ...headers, 'Content-Length': String(size) });
    response.end(object.data);
    return;
  }
  const match = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
  if (match === null || (match[1] === '' && match[2] === '')) {
    // An unparseable Range is ignored, as HTTP allows.
    response.writeHead(200, { ...headers, 'Content-Length': String(size) });
    response.end(object.data);
    return;
  }
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || (match[1] !== '' && match[2] !== '' && Number(match[2]) < start)) {
    throw new GcsFault(416, 'requestedRangeNotSatisfiable', 'The requested range cannot be satisfied.', {
      'Content-Range': `bytes */${size}`,
    });
  }
  const slice = object.data.subarray(start, end + 1);
  response.writeHead(206, {
    ...headers,
    'Content-Range': `bytes ${start}-${end}/${size}`,
    'Content-Length': String(slice.length),
  });
  response.end(slice);
}
