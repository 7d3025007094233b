/**
 * The MOCK Box's upload host (test code), shaped from Box's published API: simple multipart uploads of a
 * new file (`POST /files/content`) or a new version (`POST /files/{id}/content`), with `attributes`
 * required before `file` (`metadata_after_file_contents` otherwise) and `content-md5` (a SHA-1) checked;
 * and chunked upload sessions (`POST /files/upload_sessions`, `POST /files/{id}/upload_sessions`) with
 * Box's 20 MB minimum, parts that must be `part_size` long (the last may be shorter) and carry a matching
 * `Digest: sha=<base64>`, and a commit whose whole-file digest and part list are checked, answered 202
 * while parts are "processing" when a test asks for it. A file appears only when an upload completes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type MockAnswer, type MockCall, empty, failure, nameProblem, notFound, ok } from './box-mock-answers.ts';
import { boxTime, itemJson, parseBoxTime } from './box-mock-json.ts';
import { keyOf, type MockItem } from './box-mock-store.ts';
import { folderKey, type MockRoute, visible } from './box-mock-routes.ts';

const MIN_SESSION_SIZE = 20_000_000;

function conflictAnswer(call: MockCall, existing: MockItem): MockAnswer {
  const version = existing.versions.at(-1);
  return failure(409, 'item_name_in_use', 'Item with the same name already exists', {
    conflicts: {
      type: existing.type,
      id: existing.id,
      etag: String(existing.sequence),
      sequence_id: String(existing.sequence),
      name: existing.name,
      ...(version === undefined
        ? {}
        : { sha1: version.sha1, file_version: { type: 'file_version', id: version.id, sha1: version.sha1 } }),
    },
  });
}

/** The parts of a multipart/form-data body, in order: name, and the part's bytes. */
function parseMultipart(raw: Buffer, contentType: string): { name: string; body: Buffer }[] | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (delimiter === undefined) return undefined;
  const parts: { name: string; body: Buffer }[] = [];
  const marker = Buffer.from(`--${delimiter}`);
  let at = raw.indexOf(marker);
  while (at !== -1) {
    const start = at + marker.length;
    if (raw.subarray(start, start + 2).toString() === '--') break;
    const next = raw.indexOf(marker, start);
    if (next === -1) return undefined;
    const part = raw.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) return undefined;
    const name = /name="([^"]*)"/.exec(part.subarray(0, split).toString())?.[1];
    if (name === undefined) return undefined;
    parts.push({ name, body: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}

async function multipart(
  call: MockCall,
): Promise<{ attributes: Record<string, unknown>; bytes: Uint8Array } | MockAnswer> {
  const raw = Buffer.from(await call.request.arrayBuffer());
  const parts = parseMultipart(raw, call.request.headers.get('content-type') ?? '');
  if (parts === undefined) return failure(400, 'bad_request', 'The body is not multipart/form-data');
  const names = parts.map((part) => part.name);
  if (!names.includes('attributes') || !names.includes('file'))
    return failure(400, 'bad_request', 'attributes and file are required');
  if (names.indexOf('file') < names.indexOf('attributes'))
    return failure(400, 'bad_request', 'metadata_after_file_contents');
  const attributes = JSON.parse(parts.find((part) => part.name === 'attributes')?.body.toString() ?? '{}') as Record<
    string,
    unknown
  >;
  const bytes = new Uint8Array(parts.find((part) => part.name === 'file')?.body ?? Buffer.alloc(0));
  call.settings.bytesUploaded += bytes.length;
  const md5 = call.request.headers.get('content-md5');
  if (md5 !== null && md5.toLowerCase() !== createHash('sha1').update(bytes).digest('hex')) {
    return failure(400, 'bad_request', 'The content-md5 (SHA-1) does not match the content');
  }
  return { attributes, bytes };
}

const uploadNew = async (call: MockCall): Promise<MockAnswer> => {
  const body = await multipart(call);
  if ('status' in body) return body;
  const { attributes, bytes } = body;
  const parentId = (attributes['parent'] as { id?: unknown } | undefined)?.id;
  const parent = typeof parentId === 'string' ? visible(call, 'folder', parentId) : undefined;
  if (parent === undefined) return notFound('Parent folder not found');
  const problem = nameProblem(attributes['name']);
  if (problem !== undefined) return problem;
  const name = attributes['name'] as string;
  const existing = call.store.childNamed(folderKey(call, parent), name);
  if (existing !== undefined) return conflictAnswer(call, existing);
  const file = call.store.createFile(call.actor.id, folderKey(call, parent), name, bytes, {
    contentModifiedAt: parseBoxTime(attributes['content_modified_at']),
    contentCreatedAt: parseBoxTime(attributes['content_created_at']),
  });
  return ok({ total_count: 1, entries: [itemJson(call.store, file, call.fields)] }, 201);
};

const uploadVersion = async (call: MockCall): Promise<MockAnswer> => {
  const file = visible(call, 'file', call.params[0] ?? '');
  if (file === undefined) return notFound();
  const body = await multipart(call);
  if ('status' in body) return body;
  const { attributes, bytes } = body;
  const name = typeof attributes['name'] === 'string' ? attributes['name'] : undefined;
  if (name !== undefined && name !== file.name) {
    const problem = nameProblem(name);
    if (problem !== undefined) return problem;
    const parent = call.store.parentOf(file);
    const clash = parent === undefined ? undefined : call.store.childNamed(keyOf('folder', parent.id), name);
    if (clash !== undefined && clash !== file) return conflictAnswer(call, clash);
  }
  call.store.newVersion(call.actor.id, keyOf('file', file.id), bytes, {
    contentModifiedAt: parseBoxTime(attributes['content_modified_at']),
    name,
  });
  return ok({ total_count: 1, entries: [itemJson(call.store, file, call.fields)] });
};

function sessionJson(call: MockCall, id: string, size: number): Record<string, unknown> {
  const url = `${call.uploadBase}/2.0/files/upload_sessions/${id}`;
  return {
    id,
    type: 'upload_session',
    session_expires_at: boxTime(call.store.now() + 7 * 86_400_000),
    part_size: call.settings.partSize,
    total_parts: Math.ceil(size / call.settings.partSize),
    num_parts_processed: 0,
    session_endpoints: {
      upload_part: url,
      commit: `${url}/commit`,
      abort: url,
      list_parts: `${url}/parts`,
      status: url,
      log_event: `${url}/log`,
    },
  };
}

const startSession = async (call: MockCall): Promise<MockAnswer> => {
  const body = (await call.request.json()) as { folder_id?: unknown; file_size?: unknown; file_name?: unknown };
  const fileId = call.params[0];
  const existingFile = fileId === undefined ? undefined : visible(call, 'file', fileId);
  if (fileId !== undefined && existingFile === undefined) return notFound();
  const folder =
    fileId === undefined && typeof body.folder_id === 'string' ? visible(call, 'folder', body.folder_id) : undefined;
  if (fileId === undefined && folder === undefined) return notFound('Parent folder not found');
  if (typeof body.file_size !== 'number' || !Number.isSafeInteger(body.file_size))
    return failure(400, 'bad_request', 'invalid_file_size');
  if (body.file_size < MIN_SESSION_SIZE)
    return failure(400, 'file_size_too_small', 'File size is less than minimum allowed for this API: 20000000');
  const name = typeof body.file_name === 'string' ? body.file_name : undefined;
  if (fileId === undefined) {
    const problem = nameProblem(name);
    if (problem !== undefined) return problem;
    const clash = folder === undefined ? undefined : call.store.childNamed(folderKey(call, folder), name ?? '');
    if (clash !== undefined) return conflictAnswer(call, clash);
  }
  const id = randomBytes(16).toString('hex').toUpperCase();
  call.settings.sessions.set(id, {
    id,
    userId: call.actor.id,
    folderKey: folder === undefined ? undefined : folderKey(call, folder),
    fileKey: existingFile === undefined ? undefined : keyOf('file', existingFile.id),
    fileName: name,
    fileSize: body.file_size,
    partSize: call.settings.partSize,
    parts: new Map(),
  });
  return ok(sessionJson(call, id, body.file_size), 201);
};

const uploadPart = async (call: MockCall): Promise<MockAnswer> => {
  const session = call.settings.sessions.get(call.params[0] ?? '');
  if (session?.userId !== call.actor.id) return notFound('Upload session not found');
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(call.request.headers.get('content-range') ?? '');
  const digest = /^sha=(.+)$/.exec(call.request.headers.get('digest') ?? '');
  const bytes = new Uint8Array(await call.request.arrayBuffer());
  call.settings.bytesUploaded += bytes.length;
  if (range === null || digest === null) return failure(400, 'bad_request', 'Content-Range and Digest are required');
  const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  const last = start + session.partSize >= session.fileSize;
  if (total !== session.fileSize || start % session.partSize !== 0 || end - start + 1 !== bytes.length) {
    return failure(416, 'bad_request', 'The range does not fit the session');
  }
  if (bytes.length !== session.partSize && !(last && end === session.fileSize - 1))
    return failure(416, 'bad_request', 'Parts must be part_size long');
  const sha1 = createHash('sha1').update(bytes).digest();
  if (sha1.toString('base64') !== digest[1]) return failure(400, 'bad_request', 'The Digest does not match the part');
  if (session.parts.has(start)) return failure(409, 'conflict', 'A part with this range was uploaded already');
  const partId = randomBytes(4).toString('hex').toUpperCase();
  session.parts.set(start, { partId, bytes, sha1: sha1.toString('hex') });
  return ok({ part: { part_id: partId, offset: start, size: bytes.length, sha1: sha1.toString('hex') } });
};

const commit = async (call: MockCall): Promise<MockAnswer> => {
  const session = call.settings.sessions.get(call.params[0] ?? '');
  if (session?.userId !== call.actor.id) return notFound('Upload session not found');
  const body = (await call.request.json()) as {
    parts?: { part_id?: unknown; offset?: unknown }[];
    attributes?: Record<string, unknown>;
  };
  if (call.settings.commitsNotReady > 0) {
    call.settings.commitsNotReady -= 1;
    return empty(202, { 'retry-after': '0' });
  }
  const offsets = [...session.parts.keys()].sort((a, b) => a - b);
  const listed = (body.parts ?? []).map((part) => `${String(part.offset)}:${String(part.part_id)}`);
  const stored = offsets.map((offset) => `${offset}:${session.parts.get(offset)?.partId ?? ''}`);
  if (JSON.stringify(listed) !== JSON.stringify(stored))
    return failure(400, 'bad_request', 'The parts listed do not match the parts uploaded');
  const whole = Buffer.concat(offsets.map((offset) => session.parts.get(offset)?.bytes ?? new Uint8Array(0)));
  if (whole.length !== session.fileSize) return failure(400, 'bad_request', 'Not every part was uploaded');
  const digest = /^sha=(.+)$/.exec(call.request.headers.get('digest') ?? '');
  if (digest?.[1] !== createHash('sha1').update(whole).digest('base64'))
    return failure(400, 'bad_request', 'The Digest does not match the file');
  const modified = parseBoxTime(body.attributes?.['content_modified_at']);
  let file: MockItem;
  if (session.fileKey !== undefined) {
    file = call.store.newVersion(call.actor.id, session.fileKey, whole, {
      contentModifiedAt: modified,
      name: session.fileName,
    });
  } else {
    const clash = call.store.childNamed(session.folderKey ?? '', session.fileName ?? '');
    if (clash !== undefined) return conflictAnswer(call, clash);
    file = call.store.createFile(call.actor.id, session.folderKey ?? '', session.fileName ?? '', whole, {
      contentModifiedAt: modified,
    });
  }
  call.settings.sessions.delete(session.id);
  return ok({ total_count: 1, entries: [itemJson(call.store, file, call.fields)] }, 201);
};

const abort = (call: MockCall): MockAnswer => {
  const session = call.settings.sessions.get(call.params[0] ?? '');
  if (session?.userId !== call.actor.id) return notFound('Upload session not found');
  call.settings.sessions.delete(session.id);
  call.settings.abortedSessions += 1;
  return empty(204);
};

/** The upload host's routes (paths after `/api/2.0`). */
export const uploadRoutes: readonly MockRoute[] = [
  { method: 'POST', pattern: /^\/files\/content$/, key: 'POST upload /files/content', handle: uploadNew },
  {
    method: 'POST',
    pattern: /^\/files\/upload_sessions$/,
    key: 'POST upload /files/upload_sessions',
    handle: startSession,
  },
  {
    method: 'PUT',
    pattern: /^\/files\/upload_sessions\/([^/]+)$/,
    key: 'PUT upload /files/upload_sessions/{id}',
    handle: uploadPart,
  },
  {
    method: 'POST',
    pattern: /^\/files\/upload_sessions\/([^/]+)\/commit$/,
    key: 'POST upload /files/upload_sessions/{id}/commit',
    handle: commit,
  },
  {
    method: 'DELETE',
    pattern: /^\/files\/upload_sessions\/([^/]+)$/,
    key: 'DELETE upload /files/upload_sessions/{id}',
    handle: abort,
  },
  {
    method: 'POST',
    pattern: /^\/files\/([^/]+)\/content$/,
    key: 'POST upload /files/{id}/content',
    handle: uploadVersion,
  },
  {
    method: 'POST',
    pattern: /^\/files\/([^/]+)\/upload_sessions$/,
    key: 'POST upload /files/{id}/upload_sessions',
    handle: startSession,
  },
];
