/**
 * A complete {@link ServerConfig} for tests: any free port on 127.0.0.1, quiet logs, answers checked
 * against the contract, everything under `dataDir`.
 *
 * The brute-force lockouts and the public rate limit are on but generous ({@link generousBruteForce},
 * {@link generousRateLimit}): the suites sign in, mistype passwords and call public operations many times
 * from 127.0.0.1. The tests of those defences (`test/security/`) run with the production defaults or
 * stricter limits through `overrides`.
 */
import { join } from 'node:path';
import type { BruteForcePolicy, ThrottlePolicy } from '../../src/auth/brute-force/brute-force-policy.ts';
import type { DatabaseConfig, ServerConfig } from '../../src/config/server-config.ts';
import type { RateLimit } from '../../src/http/middleware/token-buckets.ts';

const generousThrottle: ThrottlePolicy = {
  maxFailures: 100_000,
  windowMs: 60_000,
  lockoutMs: 1000,
  maxLockoutMs: 1000,
};

/** Lockouts no ordinary suite reaches. */
export const generousBruteForce: BruteForcePolicy = {
  address: generousThrottle,
  email: generousThrottle,
  user: generousThrottle,
  apiKey: generousThrottle,
};

/** A rate limit no ordinary suite reaches. */
export const generousRateLimit: RateLimit = { requests: 100_000, perMs: 1000, burst: 100_000 };

export function testConfig(
  dataDir: string,
  database?: DatabaseConfig,
  overrides: Partial<ServerConfig> = {},
): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    publicUrl: 'http://localhost:8080',
    dataDir,
    database: database ?? { kind: 'sqlite', file: join(dataDir, 'holdfast.db') },
    repositoriesDir: join(dataDir, 'repositories'),
    outboxDir: join(dataDir, 'outbox'),
    smtpUrl: null,
    mailFrom: 'Holdfast <holdfast@localhost>',
    // Cheap argon2id costs: tests hash many passwords; production uses OWASP's minimum.
    passwordHashing: { memoryKiB: 64, passes: 1, parallelism: 1 },
    masterKeyFile: join(dataDir, 'master.key'),
    masterKey: null,
    regions: [
      { id: 'eu-central', name: 'Europe (Frankfurt)', default: true },
      { id: 'us-east', name: 'United States (Virginia)', default: false },
    ],
    trustedProxies: [],
    bodyLimit: 1024 * 1024,
    logLevel: 'silent',
    metricsPort: null,
    validateResponses: true,
    shutdownTimeoutMs: 5000,
    bruteForce: generousBruteForce,
    publicRateLimit: generousRateLimit,
    ...overrides,
  };
}
