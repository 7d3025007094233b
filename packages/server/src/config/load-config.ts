/**
 * Builds the {@link ServerConfig} from the environment and an optional JSON file named by
 * `HOLDFAST_CONFIG`. The environment wins over the file; an empty variable counts as unset. Every mistake
 * is reported, each as one line, in one {@link ConfigError}, so ops fix them all in one go. Relative paths
 * are taken from the working directory.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultBruteForcePolicy } from '../auth/brute-force/brute-force-policy.ts';
import { defaultPasswordHashing } from '../auth/passwords.ts';
import { defaultPublicRateLimit } from '../http/middleware/public-rate-limit.ts';
import { ConfigValueError, shown } from './config-fields.ts';
import { configFileEnv, settings, type SettingKey } from './config-settings.ts';
import type { ServerConfig } from './server-config.ts';

/** The configuration is wrong; `problems` has one line per mistake. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface ConfigSource {
  /** The environment (usually `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are taken from (usually `process.cwd()`). */
  readonly cwd: string;
}

type Parsed = {
  -readonly [S in (typeof settings)[number] as S['key']]?: ReturnType<S['parse']>;
};

const keys: ReadonlySet<string> = new Set(settings.map((setting) => setting.key));

function readConfigFile(file: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`${configFileEnv} names ${file}, which cannot be read (${code})`);
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.push(`${file} is not valid JSON: ${(error as Error).message}`);
    return {};
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    problems.push(`${file} must hold a JSON object of settings, got ${shown(json)}`);
    return {};
  }
  for (const key of Object.keys(json)) {
    if (!keys.has(key)) problems.push(`${file} has an unknown setting ${shown(key)}; see docs/server.md`);
  }
  return json as Record<string, unknown>;
}

/**
 * Reads and validates the configuration.
 *
 * @throws {@link ConfigError} listing every mistake.
 * @example
 * ```ts
 * const config = loadConfig({ env: process.env, cwd: process.cwd() });
 * ```
 */
export function loadConfig(source: ConfigSource): ServerConfig {
  const problems: string[] = [];
  const fileName = nonEmpty(source.env[configFileEnv]);
  const filePath = fileName === undefined ? undefined : resolve(source.cwd, fileName);
  const file = filePath === undefined ? {} : readConfigFile(filePath, problems);

  const parsed: Parsed = {};
  for (const setting of settings) {
    const fromEnv = nonEmpty(source.env[setting.env]);
    const raw = fromEnv ?? file[setting.key];
    if (raw === undefined || raw === null) continue;
    const label = fromEnv === undefined ? `${setting.key} in ${filePath ?? 'the config file'}` : setting.env;
    try {
      (parsed as Record<SettingKey, unknown>)[setting.key] = setting.parse(raw, label);
    } catch (error) {
      if (!(error instanceof ConfigValueError)) throw error;
      problems.push(error.message);
    }
  }

  const host = parsed.host ?? '127.0.0.1';
  const port = parsed.port ?? 8080;
  if (parsed.metricsPort !== undefined && parsed.metricsPort !== 0 && parsed.metricsPort === port) {
    problems.push(`HOLDFAST_METRICS_PORT must differ from the main port (${port}); leave it unset to share the port`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = resolve(source.cwd, parsed.dataDir ?? '.holdfast');
  const inData = (value: string | undefined, name: string): string =>
    value === undefined ? resolve(dataDir, name) : resolve(source.cwd, value);
  return {
    host,
    port,
    publicUrl: parsed.publicUrl ?? defaultPublicUrl(host, port),
    dataDir,
    database:
      parsed.databaseUrl === undefined
        ? { kind: 'sqlite', file: inData(parsed.sqliteFile, 'holdfast.db') }
        : { kind: 'postgres', url: parsed.databaseUrl },
    repositoriesDir: inData(parsed.repositoriesDir, 'repositories'),
    outboxDir: inData(parsed.outboxDir, 'outbox'),
    smtpUrl: parsed.smtpUrl ?? null,
    mailFrom: parsed.mailFrom ?? 'Holdfast <holdfast@localhost>',
    passwordHashing: parsed.passwordHashing ?? defaultPasswordHashing,
    masterKeyFile: inData(parsed.masterKeyFile, 'master.key'),
    masterKey: parsed.masterKey ?? null,
    regions: parsed.regions ?? [{ id: 'local', name: 'This server', default: true }],
    trustedProxies: parsed.trustedProxies ?? [],
    bodyLimit: parsed.bodyLimit ?? 1024 * 1024,
    logLevel: parsed.logLevel ?? 'info',
    metricsPort: parsed.metricsPort ?? null,
    validateResponses: parsed.validateResponses ?? false,
    shutdownTimeoutMs: parsed.shutdownTimeout ?? 10_000,
    bruteForce: {
      address: parsed.throttleAddress ?? defaultBruteForcePolicy.address,
      email: parsed.throttleEmail ?? defaultBruteForcePolicy.email,
      user: parsed.throttleUser ?? defaultBruteForcePolicy.user,
      apiKey: parsed.throttleApiKey ?? defaultBruteForcePolicy.apiKey,
    },
    // `off` parses to null, which must not fall back to the default.
    publicRateLimit: parsed.publicRateLimit === undefined ? defaultPublicRateLimit : parsed.publicRateLimit,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function defaultPublicUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}
