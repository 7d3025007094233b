/**
 * Structured logs (pino, JSON lines). Secrets never reach them: credentials in headers, secret-named
 * fields up to four levels deep (names compared without case), and tokens in URLs
 * (`/v1/invitations/<token>`, `?token=`) are replaced by `[redacted]` before a line is written. Request
 * bodies are never logged. A test sends secrets everywhere a request can carry them and scans the output.
 *
 * The redaction is one walk of the logged object ({@link scrubSecrets}), copying only what it changes,
 * not pino's path-based `redact`: with a wildcard path per secret name and depth, `redact` cost 57 µs a
 * request line against 2.3 µs without it (`bench/server`'s finding: a quarter of the server's CPU).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/server-config.ts';

export type { Logger } from 'pino';

/** Field names whose values are secrets wherever they appear in a logged object. */
const secretFields = [
  'password',
  'newPassword',
  'currentPassword',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'csrfToken',
  'masterKey',
  'databaseUrl',
  'smtpUrl',
  'passwordHash',
  'password_hash',
  'authorization',
  'cookie',
];

/** Header names whose values are credentials. */
const secretHeaders = ['x-csrf-token', 'proxy-authorization', 'set-cookie'];

const secretKeys: ReadonlySet<string> = new Set([...secretFields, ...secretHeaders].map((name) => name.toLowerCase()));

/** How deep {@link scrubSecrets} looks (`req.headers.authorization` is three levels). */
const scrubDepth = 4;

/** The censor text. */
export const redacted = '[redacted]';

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `value` with every secret-named field (any case) up to `depth` levels down replaced by `[redacted]`.
 * Plain objects, arrays and errors' own fields are walked; anything else (buffers, dates) is left to
 * pino's serializers. The input is never changed: what holds a secret is copied (an error as an error of
 * its class, message and stack), the rest is shared.
 */
export function scrubSecrets(value: unknown, depth: number = scrubDepth): unknown {
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    let copy: unknown[] | undefined;
    items.forEach((item, index) => {
      const scrubbed = scrubSecrets(item, depth - 1);
      if (scrubbed !== item) (copy ??= [...items])[index] = scrubbed;
    });
    return copy ?? value;
  }
  const isError = value instanceof Error;
  if (!isError && !isPlainObject(value)) return value;
  const fields = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(fields)) {
    const inner = fields[key];
    const scrubbed =
      inner !== undefined && secretKeys.has(key.toLowerCase()) ? redacted : scrubSecrets(inner, depth - 1);
    if (scrubbed !== inner) (copy ??= copyOf(fields, isError))[key] = scrubbed;
  }
  return copy ?? value;
}

/** A shallow copy; an error keeps its class, message and stack for pino's error serializer. */
function copyOf(value: Record<string, unknown>, isError: boolean): Record<string, unknown> {
  if (!isError) return { ...value };
  const error = value as unknown as Error;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error);
  Object.defineProperties(copy, {
    message: { value: error.message, enumerable: false, writable: true, configurable: true },
    stack: { value: error.stack, enumerable: false, writable: true, configurable: true },
    ...('cause' in error
      ? { cause: { value: error.cause, enumerable: false, writable: true, configurable: true } }
      : {}),
  });
  return copy as unknown as Record<string, unknown>;
}

/**
 * A logger at `level`, writing to `destination` (stdout by default).
 *
 * @example
 * ```ts
 * const logger = createLogger('info');
 * logger.info({ url: redactUrl(ctx.url) }, 'request completed');
 * ```
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'holdfast-server' },
    formatters: { log: (object: Record<string, unknown>) => scrubSecrets(object) as Record<string, unknown> },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

const secretPathSegments = /^(\/v1\/invitations\/)[^/?#]+/;
const secretQueryNames = /token|secret|password|code|key|signature|session/i;

/** A request URL (path and query) with its secret parts replaced, for logs. */
export function redactUrl(url: string): string {
  const [path = '', query] = url.split(/\?(.*)/s, 2);
  const safePath = path.replace(secretPathSegments, `$1${redacted}`);
  if (query === undefined || query === '') return safePath;
  const params = new URLSearchParams(query);
  const safe = [...params].map(([name, value]) =>
    secretQueryNames.test(name)
      ? `${encodeURIComponent(name)}=${redacted}`
      : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
  );
  return `${safePath}?${safe.join('&')}`;
}
