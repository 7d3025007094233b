/**
 * The mock's content routes, shaped from `files.stone`: download (argument in `Dropbox-API-Arg`, the
 * file's `FileMetadata` in `Dropbox-API-Result`, the bytes as the body), upload (≤ 150 MiB), and upload
 * sessions (start, append_v2 with offset checks, finish, which commits atomically: until it succeeds
 * nothing is at the path). Writes follow `CommitInfo`: `mode` add / overwrite, `autorename` (the mock
 * refuses `true`: the adapter never asks for it), `client_modified`, and an optional `content_hash` that
 * must match the bytes received.
 */
import {
  badRequest,
  field,
  MockApiError,
  routeError,
  stringField,
  summaryOf,
  unionOf,
  writeModeOf,
} from './mock-http.ts';
import { mockContentHash } from './mock-content-hash.ts';
import { MockPathError, type MockFile } from './mock-namespace.ts';
import { accountOf, json, type MockCall, type MockRoute } from './mock-routes.ts';

/** Dropbox refuses request bodies above 150 MiB. */
const MAX_REQUEST_BODY = 150 * 1024 * 1024;

const download: MockRoute = {
  stone: { namespace: 'files', name: 'download', version: 1 },
  host: 'content',
  style: 'download',
  auth: 'user',
  handle(call) {
    const ns = accountOf(call).namespace;
    const path = stringField(call.route, call.arg, 'path');
    let item;
    try {
      item = path.startsWith('rev:')
        ? [...ns.byId.values()].find((i) => i.kind === 'file' && `rev:${i.rev}` === path)
        : ns.resolve(path);
    } catch (error) {
      if (error instanceof MockPathError) throw routeError(['path', ...error.tags]);
      throw error;
    }
    if (item === undefined) throw routeError(['path', 'not_found']);
    if (item.kind !== 'file') throw routeError(['path', 'not_file']);
    if (item.exportAs !== undefined) throw routeError(['unsupported_file']);
    return { kind: 'download', result: ns.untagged(item), bytes: item.content };
  },
};

/** Commits `content` per the `CommitInfo` in `commit`; a refused write is the route's `path` error. */
function commit(
  call: MockCall,
  commitInfo: unknown,
  content: Uint8Array,
  onPathError: (tags: readonly string[]) => never,
): MockFile {
  const ns = accountOf(call).namespace;
  const path = stringField(call.route, commitInfo, 'path');
  const mode = writeModeOf(call.route, field(commitInfo, 'mode'));
  if (field(commitInfo, 'autorename') === true) throw badRequest(call.route, 'the mock does not autorename');
  const clientModified = field(commitInfo, 'client_modified');
  if (
    clientModified !== undefined &&
    (typeof clientModified !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(clientModified))
  ) {
    throw badRequest(call.route, 'Invalid "client_modified": expected %Y-%m-%dT%H:%M:%SZ');
  }
  try {
    const strict = field(commitInfo, 'strict_conflict') === true;
    return ns.writeFile(path, content, { mode, strict, clientModified });
  } catch (error) {
    if (error instanceof MockPathError) onPathError(error.tags);
    throw error;
  }
}

function checkHash(call: MockCall, arg: unknown, bytes: Uint8Array): void {
  const hash = field(arg, 'content_hash');
  if (hash !== undefined && hash !== null && hash !== mockContentHash(bytes))
    throw routeError(['content_hash_mismatch']);
}

function bodyOf(call: MockCall): Uint8Array {
  const body = call.body ?? new Uint8Array(0);
  if (body.length > MAX_REQUEST_BODY) throw routeError(['payload_too_large']);
  call.state.countUpload(body.length);
  return body;
}

const upload: MockRoute = {
  stone: { namespace: 'files', name: 'upload', version: 1 },
  host: 'content',
  style: 'upload',
  auth: 'user',
  handle(call) {
    const body = bodyOf(call);
    checkHash(call, call.arg, body);
    const file = commit(call, call.arg, body, (tags) => {
      // UploadError.path is an UploadWriteFailed struct: the WriteError under `reason`.
      const error = { '.tag': 'path', reason: unionOf(tags), upload_session_id: 'pid_upload_session:mock-not-kept' };
      throw new MockApiError(409, { error_summary: summaryOf(['path', ...tags]), error });
    });
    return json(accountOf(call).namespace.untagged(file));
  },
};

const sessionStart: MockRoute = {
  stone: { namespace: 'files', name: 'upload_session/start', version: 1 },
  host: 'content',
  style: 'upload',
  auth: 'user',
  handle(call) {
    const body = bodyOf(call);
    checkHash(call, call.arg, body);
    const type = field(field(call.arg, 'session_type'), '.tag') ?? field(call.arg, 'session_type');
    if (type !== undefined && type !== 'sequential')
      throw badRequest(call.route, 'the mock has sequential sessions only');
    const id = call.state.newSessionId();
    call.state.sessions.set(id, {
      accountId: accountOf(call).accountId,
      chunks: [body.slice()],
      offset: body.length,
      closed: field(call.arg, 'close') === true,
    });
    return json({ session_id: id });
  },
};

/** The session named by `cursor`, checked: `lookup` is the error tag it is reported under. */
function sessionOf(call: MockCall, cursor: unknown, lookup: string[]) {
  const id = stringField(call.route, cursor, 'session_id');
  const offset = field(cursor, 'offset');
  const session = call.state.sessions.get(id);
  if (session?.accountId !== accountOf(call).accountId) throw routeError([...lookup, 'not_found']);
  if (offset !== session.offset) throw routeError([...lookup, 'incorrect_offset'], { correct_offset: session.offset });
  return { id, session };
}

const sessionAppend: MockRoute = {
  stone: { namespace: 'files', name: 'upload_session/append', version: 2 },
  host: 'content',
  style: 'upload',
  auth: 'user',
  handle(call) {
    const body = bodyOf(call);
    const { session } = sessionOf(call, field(call.arg, 'cursor'), []);
    if (session.closed) throw routeError(['closed']);
    checkHash(call, call.arg, body);
    session.chunks.push(body.slice());
    session.offset += body.length;
    if (field(call.arg, 'close') === true) session.closed = true;
    return json(null);
  },
};

const sessionFinish: MockRoute = {
  stone: { namespace: 'files', name: 'upload_session/finish', version: 1 },
  host: 'content',
  style: 'upload',
  auth: 'user',
  handle(call) {
    const body = bodyOf(call);
    const { id, session } = sessionOf(call, field(call.arg, 'cursor'), ['lookup_failed']);
    session.chunks.push(body.slice());
    session.offset += body.length;
    checkHash(call, call.arg, body); // the hash of the bytes of this call, as for start and append
    const content = Buffer.concat(session.chunks);
    const file = commit(call, field(call.arg, 'commit'), content, (tags) => {
      throw routeError(['path', ...tags]);
    });
    call.state.sessions.delete(id);
    return json(accountOf(call).namespace.untagged(file));
  },
};

/** The content-host routes, by HTTP route. */
export const contentRoutes: Record<string, MockRoute> = {
  'files/download': download,
  'files/upload': upload,
  'files/upload_session/start': sessionStart,
  'files/upload_session/append_v2': sessionAppend,
  'files/upload_session/finish': sessionFinish,
};
