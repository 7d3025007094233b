/**
 * Compile-time checks of the handler answer types (`src/http/handlers/handler-types.ts`), run by
 * `tsc -b` (this folder is in the server's project): each `@ts-expect-error` line must fail to compile,
 * or the build fails. A CSV operation answers a stream with its declared `Content-Disposition`; a JSON
 * operation can answer neither a stream nor a string, and keeps its exact body type.
 */
import { Readable } from 'node:stream';
import type { HandlerResponse } from '../../src/http/handlers/handler-types.ts';

const attachment = { 'Content-Disposition': 'attachment; filename="x.csv"' };

async function* chunks(): AsyncGenerator<string> {
  yield 'id\r\n';
}

/** Well-typed answers. */
export const accepted: readonly unknown[] = [
  { status: 200, headers: attachment, body: chunks() } satisfies HandlerResponse<'exportAuditEvents'>,
  {
    status: 200,
    headers: attachment,
    body: Readable.from(['id\r\n']),
  } satisfies HandlerResponse<'exportActivityEvents'>,
  { status: 200, body: { items: [], nextCursor: null } } satisfies HandlerResponse<'listAuditEvents'>,
  { status: 204 } satisfies HandlerResponse<'resetUserTwoFactor'>,
];

/** Answers that must not compile. */
export const refused: readonly unknown[] = [
  // @ts-expect-error -- a CSV answer needs its Content-Disposition header
  { status: 200, body: chunks() } satisfies HandlerResponse<'exportAuditEvents'>,
  // @ts-expect-error -- a CSV answer is a stream, not a string
  { status: 200, headers: attachment, body: 'id\r\n' } satisfies HandlerResponse<'exportAuditEvents'>,
  // @ts-expect-error -- a JSON operation cannot answer a stream
  { status: 200, body: chunks() } satisfies HandlerResponse<'listAuditEvents'>,
  // @ts-expect-error -- nor a body that is not its schema
  { status: 200, body: { items: [{ id: 1 }], nextCursor: null } } satisfies HandlerResponse<'listAuditEvents'>,
  // @ts-expect-error -- nor a status it does not declare
  { status: 201, headers: attachment, body: chunks() } satisfies HandlerResponse<'exportAuditEvents'>,
];
