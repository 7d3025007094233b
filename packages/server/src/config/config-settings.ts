/**
 * Every setting of the server, once: its key in the JSON config file, its environment variable, its
 * default and what it means. {@link loadConfig} reads them; `docs/server.md` documents them (a test keeps
 * the two in step).
 */
import {
  parseBoolean,
  parseByteSize,
  parseDatabaseUrl,
  parseHost,
  parseLogLevel,
  parseMailFrom,
  parseMasterKey,
  parsePasswordHashing,
  parsePort,
  parsePublicUrl,
  parseRegions,
  parseSeconds,
  parseSmtpUrl,
  parseString,
  parseTrustedProxies,
} from './config-fields.ts';
import { parseRateLimit, throttlePolicyParser } from './throttle-fields.ts';

export interface Setting {
  /** The key in the JSON config file. */
  readonly key: string;
  /** The environment variable; it wins over the file. */
  readonly env: string;
  /** The default, as documented. */
  readonly default: string;
  /** What it means, for the documentation. */
  readonly description: string;
  /** Parses a raw value (string from the environment, any JSON value from the file). */
  readonly parse: (raw: unknown, label: string) => unknown;
}

const path = (raw: unknown, label: string): string => parseString(raw, label, 'a path');

export const settings = [
  {
    key: 'dataDir',
    env: 'HOLDFAST_DATA_DIR',
    default: '`./.holdfast`',
    description: 'The data directory; the paths below default to places inside it.',
    parse: path,
  },
  {
    key: 'host',
    env: 'HOLDFAST_HOST',
    default: '`127.0.0.1`',
    description: 'The interface to listen on (`0.0.0.0` for every IPv4 interface).',
    parse: parseHost,
  },
  {
    key: 'port',
    env: 'HOLDFAST_PORT',
    default: '`8080`',
    description: 'The port to listen on (`0` takes any free port).',
    parse: parsePort,
  },
  {
    key: 'publicUrl',
    env: 'HOLDFAST_PUBLIC_URL',
    default: '`http://<host>:<port>` (`localhost` for `0.0.0.0`)',
    description: 'Where people reach the server (behind a proxy: its public address); links in emails start with it.',
    parse: parsePublicUrl,
  },
  {
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    default: 'unset: embedded SQLite',
    description: 'A `postgres://` URL switches from SQLite to PostgreSQL. Secret: never logged.',
    parse: parseDatabaseUrl,
  },
  {
    key: 'sqliteFile',
    env: 'HOLDFAST_SQLITE_FILE',
    default: '`<dataDir>/holdfast.db`',
    description: 'The SQLite database file (when `DATABASE_URL` is unset).',
    parse: path,
  },
  {
    key: 'repositoriesDir',
    env: 'HOLDFAST_REPOSITORIES_DIR',
    default: '`<dataDir>/repositories`',
    description: 'Where the backup repositories of the embedded set-up live.',
    parse: path,
  },
  {
    key: 'outboxDir',
    env: 'HOLDFAST_OUTBOX_DIR',
    default: '`<dataDir>/outbox`',
    description: 'Where email is written as files when no SMTP server is configured.',
    parse: path,
  },
  {
    key: 'smtpUrl',
    env: 'HOLDFAST_SMTP_URL',
    default: 'unset: email goes to the outbox',
    description:
      'Send email through this SMTP server: `smtp://user:password@host:587` (STARTTLS when offered) or ' +
      '`smtps://…:465` (TLS). Secret: never logged.',
    parse: parseSmtpUrl,
  },
  {
    key: 'mailFrom',
    env: 'HOLDFAST_MAIL_FROM',
    default: '`Holdfast <holdfast@localhost>`',
    description: 'The sender of every email: an address, optionally with a name.',
    parse: parseMailFrom,
  },
  {
    key: 'masterKeyFile',
    env: 'HOLDFAST_MASTER_KEY_FILE',
    default: '`<dataDir>/master.key`',
    description: 'The master key file; generated (32 random bytes, mode 0600) on first start if missing.',
    parse: path,
  },
  {
    key: 'masterKey',
    env: 'HOLDFAST_MASTER_KEY',
    default: 'unset: use the file',
    description: 'The master key itself (32 bytes, base64) instead of the file. Secret: never logged.',
    parse: parseMasterKey,
  },
  {
    key: 'regions',
    env: 'HOLDFAST_REGIONS',
    default: '`local=This server`',
    description:
      'Storage regions offered at sign-up: `id=Name,id=Name` (the first is the default), or in the file ' +
      '`[{ "id", "name", "default" }]`.',
    parse: parseRegions,
  },
  {
    key: 'passwordHashing',
    env: 'HOLDFAST_PASSWORD_HASHING',
    default: '`m=19456,t=2,p=1`',
    description:
      'argon2id costs for new password hashes: memory in KiB, passes, lanes (in the file ' +
      '`{ "memoryKiB", "passes", "parallelism" }`). Existing hashes keep theirs until the next sign-in.',
    parse: parsePasswordHashing,
  },
  {
    key: 'trustedProxies',
    env: 'HOLDFAST_TRUSTED_PROXIES',
    default: 'none',
    description:
      'Reverse proxies (IP addresses, CIDR ranges) whose `X-Forwarded-For`/`-Proto`/`-Host` are believed; ' +
      'from anyone else those headers are ignored.',
    parse: parseTrustedProxies,
  },
  {
    key: 'bodyLimit',
    env: 'HOLDFAST_BODY_LIMIT',
    default: '`1MiB`',
    description: 'The largest request body accepted (`413 PAYLOAD_TOO_LARGE` beyond): bytes, or `512KiB`, `1MiB`.',
    parse: parseByteSize,
  },
  {
    key: 'logLevel',
    env: 'HOLDFAST_LOG_LEVEL',
    default: '`info`',
    description: 'fatal, error, warn, info, debug, trace or silent. Logs are JSON lines on stdout (pino).',
    parse: parseLogLevel,
  },
  {
    key: 'metricsPort',
    env: 'HOLDFAST_METRICS_PORT',
    default: 'unset: `/metrics` on the main port',
    description: 'Serve `/metrics` on this port only (an ops listener on the same host), not on the main port.',
    parse: parsePort,
  },
  {
    key: 'validateResponses',
    env: 'HOLDFAST_VALIDATE_RESPONSES',
    default: '`false`',
    description: 'Check every answer against the contract and fail off-contract ones with 500 (for tests).',
    parse: parseBoolean,
  },
  {
    key: 'shutdownTimeout',
    env: 'HOLDFAST_SHUTDOWN_TIMEOUT',
    default: '`10`',
    description: 'Seconds a graceful shutdown waits for requests in flight before closing their connections.',
    parse: parseSeconds,
  },
  {
    key: 'throttleEmail',
    env: 'HOLDFAST_THROTTLE_EMAIL',
    default: '`failures=5,window=15m,lockout=5m,maxLockout=1h`',
    description:
      'Brute-force lockout per email typed at sign-in (known or not): wrong passwords allowed in the window, ' +
      'then a lockout that doubles with each one in a row up to `maxLockout`. Any of the four; durations `30s`, `15m`, `1h`.',
    parse: throttlePolicyParser('email'),
  },
  {
    key: 'throttleAddress',
    env: 'HOLDFAST_THROTTLE_ADDRESS',
    default: '`failures=50,window=15m,lockout=5m,maxLockout=1h`',
    description:
      'Brute-force lockout per client address (IPv6: per /64): failed sign-ins, codes and token requests of ' +
      'any account (password spraying). Same form.',
    parse: throttlePolicyParser('address'),
  },
  {
    key: 'throttleUser',
    env: 'HOLDFAST_THROTTLE_USER',
    default: '`failures=5,window=15m,lockout=5m,maxLockout=1h`',
    description:
      'Brute-force lockout per user: wrong second-factor codes (across sign-in challenges) and wrong current passwords of a signed-in user. Same form.',
    parse: throttlePolicyParser('user'),
  },
  {
    key: 'throttleApiKey',
    env: 'HOLDFAST_THROTTLE_API_KEY',
    default: '`failures=20,window=15m,lockout=1m,maxLockout=1h`',
    description: 'Brute-force lockout per API key at the token endpoint: wrong secrets and refused grants. Same form.',
    parse: throttlePolicyParser('apiKey'),
  },
  {
    key: 'publicRateLimit',
    env: 'HOLDFAST_PUBLIC_RATE_LIMIT',
    default: '`30/min,burst=30`',
    description:
      'Requests per client address to the public operations (sign-up, sign-in, resets, invitations, OAuth), per ' +
      'process: `<n>/<s|min|h>[,burst=<n>]`, or `off`. Beyond it `429` with `Retry-After`. Not `/healthz`, `/readyz`.',
    parse: parseRateLimit,
  },
] as const satisfies readonly Setting[];

export type SettingKey = (typeof settings)[number]['key'];

/** The environment variable naming the optional JSON config file. */
export const configFileEnv = 'HOLDFAST_CONFIG';
