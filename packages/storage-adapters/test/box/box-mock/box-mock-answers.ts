/**
 * What a MOCK Box handler answers, and what it is handed. Answers are plain data so that the mock can
 * validate every JSON body against Box's OpenAPI description before it becomes a `Response`.
 */
import { randomBytes } from 'node:crypto';
import type { MockStore, MockUser } from './box-mock-store.ts';
import type { MockToken } from './box-mock-auth.ts';

/** An answer: JSON (an object, or raw text for 64-bit numbers), bytes, or nothing. */
export interface MockAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly json?: unknown;
  /** JSON text sent as is (for `next_stream_position`, an integer a JS number cannot hold). */
  readonly rawJson?: string | undefined;
  readonly bytes?: Uint8Array | undefined;
}

/** The mutable settings and counters handlers read and update. */
export interface MockSettings {
  /** The `part_size` of upload sessions. */
  partSize: number;
  /** The next this many `GET /files/{id}/content` answer 202 with `retry-after: 0`. */
  downloadsNotReady: number;
  /** The next this many commits answer 202 with `retry-after: 0`. */
  commitsNotReady: number;
  /** How the event stream misbehaves, as Box says it may. */
  eventQuirks: {
    /** Every n-th event of a page is sent twice (same `event_id`). */
    duplicateEvery?: number | undefined;
    /** Pages are sent in reverse order of positions. */
    reverse?: boolean | undefined;
    /** At most this many events a page, whatever the limit. */
    pageSize?: number | undefined;
    /** Event types whose source is Box's minimal EventSource (`item_type`, `item_id`) rather than the item. */
    minimalSources?: ReadonlySet<string> | undefined;
  };
  /** Bytes served by the download host. */
  bytesDownloaded: number;
  /** Bytes received by uploads (simple and parts). */
  bytesUploaded: number;
  /** Upload sessions aborted (DELETE). */
  abortedSessions: number;
  /** Download URLs handed out, by token. */
  readonly downloads: Map<string, { readonly bytes: Uint8Array }>;
  /** Open upload sessions. */
  readonly sessions: Map<string, MockSession>;
}

/** A chunked upload session. */
export interface MockSession {
  readonly id: string;
  readonly userId: string;
  readonly folderKey: string | undefined;
  readonly fileKey: string | undefined;
  readonly fileName: string | undefined;
  readonly fileSize: number;
  readonly partSize: number;
  readonly parts: Map<number, { readonly partId: string; readonly bytes: Uint8Array; readonly sha1: string }>;
}

/** One call, as a handler sees it. */
export interface MockCall {
  readonly request: Request;
  readonly url: URL;
  /** The path parameters of the route, in order. */
  readonly params: readonly string[];
  /** The user the call acts as (As-User, or the token's own user). */
  readonly actor: MockUser;
  readonly token: MockToken;
  readonly store: MockStore;
  readonly settings: MockSettings;
  /** The `fields` query parameter, split; undefined when absent. */
  readonly fields: readonly string[] | undefined;
  /** The upload host's base (`https://upload.box.test/api`). */
  readonly uploadBase: string;
  /** The download host's base. */
  readonly downloadBase: string;
}

export function ok(json: unknown, status = 200): MockAnswer {
  return { status, json };
}

export function empty(status: number, headers?: Record<string, string>): MockAnswer {
  return { status, headers };
}

/** Box's `ClientError` body. */
export function failure(
  status: number,
  code: string,
  message: string,
  contextInfo?: Record<string, unknown>,
): MockAnswer {
  return {
    status,
    json: {
      type: 'error',
      status,
      code,
      message,
      ...(contextInfo === undefined ? {} : { context_info: contextInfo }),
      help_url: 'https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/',
      request_id: randomBytes(6).toString('hex'),
    },
  };
}

export const notFound = (what = 'Not Found'): MockAnswer => failure(404, 'not_found', what);

/** Why Box would refuse a name (`item_name_invalid`, `item_name_too_long`), or undefined. */
export function nameProblem(name: unknown): MockAnswer | undefined {
  if (
    typeof name !== 'string' ||
    name === '' ||
    name === '.' ||
    name === '..' ||
    /[/\\]/.test(name) ||
    /\s$/.test(name)
  ) {
    return failure(400, 'item_name_invalid', 'Item name invalid');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return failure(400, 'item_name_invalid', 'Item name invalid');
  if (name.length > 255) return failure(400, 'item_name_too_long', 'Item name too long');
  return undefined;
}
