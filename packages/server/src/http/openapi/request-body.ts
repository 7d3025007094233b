/**
 * Decodes a request body by the media types its operation declares: JSON everywhere, form-encoded on
 * `/v1/oauth/*`. A body in another media type is `415 UNSUPPORTED_MEDIA_TYPE`; malformed JSON, or JSON
 * that is not an object or array, is `400 VALIDATION` at `/body`; a body sent to an operation that takes
 * none is `400` too. An empty body decodes to `undefined` (the validator then says whether one was
 * required). Property names like `__proto__` become plain own properties, never prototypes.
 */
import type { ContractOperation } from './api-document.ts';
import { HttpProblem } from '../problem.ts';

const jsonType = 'application/json';
const formType = 'application/x-www-form-urlencoded';

function declaredTypes(operation: ContractOperation): string[] {
  const requestBody = operation.requestBody as { content?: Record<string, unknown> } | undefined;
  return Object.keys(requestBody?.content ?? {});
}

function invalidBody(message: string): HttpProblem {
  return new HttpProblem(400, 'VALIDATION', 'The body is not acceptable.', { errors: [{ path: '/body', message }] });
}

function parseForm(text: string): Record<string, string | string[]> {
  const values = new Map<string, string | string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const earlier = values.get(name);
    values.set(name, earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value]);
  }
  return Object.fromEntries(values);
}

/**
 * The decoded body of a request to `operation`.
 *
 * @param contentType the request's `Content-Type` header ('' when absent).
 */
export function decodeBody(operation: ContractOperation, contentType: string, raw: Buffer | undefined): unknown {
  if (raw === undefined || raw.length === 0) return undefined;
  const declared = declaredTypes(operation);
  if (declared.length === 0) throw invalidBody('must be empty: this operation takes no body');
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters
    .find((parameter) => parameter.startsWith('charset='))
    ?.slice(8)
    .replaceAll('"', '');
  if (!declared.includes(mediaType) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the body as ${declared.join(' or ')} (UTF-8).`);
  }
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(raw);
  if (mediaType === formType) return parseForm(text);
  if (mediaType !== jsonType) return raw;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidBody('is not valid JSON');
  }
  if (typeof value !== 'object' || value === null) throw invalidBody('must be object');
  return value;
}
