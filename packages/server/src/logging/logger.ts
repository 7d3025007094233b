/**
 * Structured logs (pino, JSON lines). Secrets never reach them: credentials in headers, secret-named
 * fields one or two levels deep, and tokens in URLs (`/v1/invitations/<token>`, `?token=`) are replaced
 * by `[redacted]` before a line is written. Request bodies are never logged. A test sends secrets
 * everywhere a request can carry them and scans the output.
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

const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  ...secretFields,
  ...secretFields.map((field) => `*.${field}`),
  ...secretFields.map((field) => `*.*.${field}`),
];

/** The censor text. */
export const redacted = '[redacted]';

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
    redact: { paths: redactPaths, censor: redacted },
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
