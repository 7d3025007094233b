/**
 * The server's configuration as the rest of the server sees it: complete, validated, paths absolute.
 * {@link loadConfig} builds it from the environment and an optional JSON file; tests may build one directly.
 * The defaults are the embedded set-up (DESIGN.md "Defaults"): everything under `./.holdfast/`, SQLite,
 * 127.0.0.1:8080, one storage region.
 *
 * Secrets (`database.url` of PostgreSQL and `smtpUrl` may hold a password, `masterKey`) must never be logged: log
 * {@link describeConfig} instead of the object.
 */
import type { BruteForcePolicy } from '../auth/brute-force/brute-force-policy.ts';
import type { PasswordHashing } from '../auth/passwords.ts';
import type { RateLimit } from '../http/middleware/token-buckets.ts';

/** pino's levels, plus `silent`. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** A storage region an account can pick at sign-up (B9). */
export interface RegionConfig {
  /** Stable id (`^[a-z0-9][a-z0-9-]{0,31}$`), stored with each account. */
  readonly id: string;
  /** A name for people. */
  readonly name: string;
  /** The region a sign-up form preselects; exactly one region has it. */
  readonly default: boolean;
}

/** Where the server keeps its own state. */
export type DatabaseConfig =
  | { readonly kind: 'sqlite'; /** Absolute path of the SQLite file. */ readonly file: string }
  | { readonly kind: 'postgres'; /** `postgres://` URL; may hold a password. */ readonly url: string };

export interface ServerConfig {
  /** Interface to listen on. */
  readonly host: string;
  /** Port to listen on; 0 takes any free port. */
  readonly port: number;
  /** The origin people reach the server at, for links in emails; no trailing slash. */
  readonly publicUrl: string;
  /** The data directory (absolute); the other paths default to places inside it. */
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  /** Where backup repositories of the embedded set-up live. */
  readonly repositoriesDir: string;
  /** Where email goes as files when no SMTP server is configured. */
  readonly outboxDir: string;
  /** The SMTP server email goes through (`smtp://user:password@host:587`), or null for the outbox. Secret. */
  readonly smtpUrl: string | null;
  /** The sender of every email (`Holdfast <holdfast@localhost>`). */
  readonly mailFrom: string;
  /** argon2id costs of new password hashes (see `auth/passwords.ts`). */
  readonly passwordHashing: PasswordHashing;
  /** The master key file, created (mode 0600) on first start when {@link masterKey} is not given. */
  readonly masterKeyFile: string;
  /** The master key itself (32 bytes, base64), when given in the environment or the file. Secret. */
  readonly masterKey: string | null;
  readonly regions: readonly RegionConfig[];
  /** Addresses and CIDR ranges of reverse proxies whose `X-Forwarded-*` headers are believed. */
  readonly trustedProxies: readonly string[];
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit: number;
  readonly logLevel: LogLevel;
  /** Serve `/metrics` on this port instead of the main one; `null` serves it on the main port. */
  readonly metricsPort: number | null;
  /** Check every answer against the contract (tests); off in production. */
  readonly validateResponses: boolean;
  /** How long a graceful shutdown waits for requests in flight before closing their connections. */
  readonly shutdownTimeoutMs: number;
  /** Failures allowed and lockouts per kind of key (`auth/brute-force/brute-force-policy.ts`). */
  readonly bruteForce: BruteForcePolicy;
  /** The per-process rate limit of public operations per client address; null: none. */
  readonly publicRateLimit: RateLimit | null;
}

/** The config with its secrets masked, safe to log or print. */
export function describeConfig(config: ServerConfig): Record<string, unknown> {
  return {
    ...config,
    database:
      config.database.kind === 'postgres' ? { kind: 'postgres', url: redactUrl(config.database.url) } : config.database,
    masterKey: config.masterKey === null ? null : '[redacted]',
    smtpUrl: config.smtpUrl === null ? null : redactUrl(config.smtpUrl),
  };
}

/** A URL with its password (and user name) replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return '[unparseable URL]';
  }
}
