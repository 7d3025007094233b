/**
 * A complete {@link ServerConfig} for tests: any free port on 127.0.0.1, quiet logs, answers checked
 * against the contract, everything under `dataDir`.
 */
import { join } from 'node:path';
import type { DatabaseConfig, ServerConfig } from '../../src/config/server-config.ts';

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
    ...overrides,
  };
}
