import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { describeConfig } from '../../src/config/server-config.ts';

const cwd = '/srv/holdfast';

function problemsOf(env: Record<string, string>, at = cwd): readonly string[] {
  try {
    loadConfig({ env, cwd: at });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('defaults to the embedded set-up under ./.holdfast', () => {
    expect(loadConfig({ env: {}, cwd })).toEqual({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: 'http://127.0.0.1:8080',
      dataDir: '/srv/holdfast/.holdfast',
      database: { kind: 'sqlite', file: '/srv/holdfast/.holdfast/holdfast.db' },
      repositoriesDir: '/srv/holdfast/.holdfast/repositories',
      outboxDir: '/srv/holdfast/.holdfast/outbox',
      smtpUrl: null,
      mailFrom: 'Holdfast <holdfast@localhost>',
      passwordHashing: { memoryKiB: 19456, passes: 2, parallelism: 1 },
      masterKeyFile: '/srv/holdfast/.holdfast/master.key',
      masterKey: null,
      regions: [{ id: 'local', name: 'This server', default: true }],
      trustedProxies: [],
      bodyLimit: 1048576,
      logLevel: 'info',
      metricsPort: null,
      validateResponses: false,
      shutdownTimeoutMs: 10000,
      bruteForce: {
        address: { maxFailures: 50, windowMs: 900000, lockoutMs: 300000, maxLockoutMs: 3600000 },
        email: { maxFailures: 5, windowMs: 900000, lockoutMs: 300000, maxLockoutMs: 3600000 },
        user: { maxFailures: 5, windowMs: 900000, lockoutMs: 300000, maxLockoutMs: 3600000 },
        apiKey: { maxFailures: 20, windowMs: 900000, lockoutMs: 60000, maxLockoutMs: 3600000 },
      },
      publicRateLimit: { requests: 30, perMs: 60000, burst: 30 },
    });
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      cwd,
      env: {
        HOLDFAST_DATA_DIR: '/var/lib/holdfast',
        HOLDFAST_HOST: '0.0.0.0',
        HOLDFAST_PORT: '9000',
        DATABASE_URL: 'postgres://holdfast:pw@db.internal:5432/holdfast',
        HOLDFAST_REPOSITORIES_DIR: 'repos',
        HOLDFAST_OUTBOX_DIR: '/tmp/outbox',
        HOLDFAST_MASTER_KEY_FILE: 'keys/master.key',
        HOLDFAST_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
        HOLDFAST_REGIONS: 'eu-central=Europe (Frankfurt), us-east=United States',
        HOLDFAST_TRUSTED_PROXIES: '10.0.0.0/8, ::1',
        HOLDFAST_BODY_LIMIT: '2MiB',
        HOLDFAST_LOG_LEVEL: 'DEBUG',
        HOLDFAST_METRICS_PORT: '9100',
        HOLDFAST_VALIDATE_RESPONSES: 'yes',
        HOLDFAST_SHUTDOWN_TIMEOUT: '30',
        HOLDFAST_PUBLIC_URL: 'https://backup.example.org/',
      },
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      publicUrl: 'https://backup.example.org',
      dataDir: '/var/lib/holdfast',
      database: { kind: 'postgres', url: 'postgres://holdfast:pw@db.internal:5432/holdfast' },
      repositoriesDir: '/srv/holdfast/repos',
      outboxDir: '/tmp/outbox',
      masterKeyFile: '/srv/holdfast/keys/master.key',
      regions: [
        { id: 'eu-central', name: 'Europe (Frankfurt)', default: true },
        { id: 'us-east', name: 'United States', default: false },
      ],
      trustedProxies: ['10.0.0.0/8', '::1'],
      bodyLimit: 2 * 1024 * 1024,
      logLevel: 'debug',
      metricsPort: 9100,
      validateResponses: true,
      shutdownTimeoutMs: 30000,
    });
  });

  it('derives the public URL from a wildcard host as localhost', () => {
    expect(loadConfig({ env: { HOLDFAST_HOST: '0.0.0.0', HOLDFAST_PORT: '0' }, cwd }).publicUrl).toBe(
      'http://localhost:0',
    );
    expect(loadConfig({ env: { HOLDFAST_HOST: '::1' }, cwd }).publicUrl).toBe('http://[::1]:8080');
  });

  it.each([
    [{ HOLDFAST_PORT: 'abc' }, "HOLDFAST_PORT must be a port number (1-65535, or 0 for any free port), got 'abc'"],
    [{ HOLDFAST_PORT: '70000' }, "HOLDFAST_PORT must be a port number (1-65535, or 0 for any free port), got '70000'"],
    [{ HOLDFAST_HOST: 'not a host!' }, "HOLDFAST_HOST must be an IP address or a host name, got 'not a host!'"],
    [
      { DATABASE_URL: 'mysql://root:hunter2@db/holdfast' },
      'DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded SQLite database), got a mysql: URL',
    ],
    [
      { DATABASE_URL: 'hunter2' },
      'DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded SQLite database), got no URL',
    ],
    [
      { HOLDFAST_MASTER_KEY: 'c2hvcnQ=' },
      'HOLDFAST_MASTER_KEY must be 32 random bytes in base64 (e.g. from `openssl rand -base64 32`), got 5 bytes',
    ],
    [
      { HOLDFAST_BODY_LIMIT: '10 parsecs' },
      "HOLDFAST_BODY_LIMIT must be a size in bytes from 1KiB to 1GiB (e.g. 1048576, 512KiB, 1MiB), got '10 parsecs'",
    ],
    [
      { HOLDFAST_BODY_LIMIT: '12' },
      "HOLDFAST_BODY_LIMIT must be a size in bytes from 1KiB to 1GiB (e.g. 1048576, 512KiB, 1MiB), got '12'",
    ],
    [
      { HOLDFAST_LOG_LEVEL: 'loud' },
      "HOLDFAST_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
    ],
    [
      { HOLDFAST_PUBLIC_URL: 'ftp://example.org' },
      "HOLDFAST_PUBLIC_URL must be an http:// or https:// URL without query or fragment (e.g. https://backup.example.org), got 'ftp://example.org'",
    ],
    [
      { HOLDFAST_TRUSTED_PROXIES: '10.0.0.0/8, proxy.local' },
      "HOLDFAST_TRUSTED_PROXIES must list IP addresses or CIDR ranges (e.g. 10.0.0.0/8), got 'proxy.local'",
    ],
    [
      { HOLDFAST_TRUSTED_PROXIES: '10.0.0.0/33' },
      "HOLDFAST_TRUSTED_PROXIES must list IP addresses or CIDR ranges (e.g. 10.0.0.0/8), got '10.0.0.0/33'",
    ],
    [
      { HOLDFAST_REGIONS: 'EU=Europe' },
      "HOLDFAST_REGIONS: region id must be lower-case letters, digits and dashes (1-32, e.g. eu-central), got 'EU'",
    ],
    [{ HOLDFAST_REGIONS: 'eu=Europe,eu=Again' }, 'HOLDFAST_REGIONS lists the region eu twice'],
    [
      { HOLDFAST_VALIDATE_RESPONSES: 'maybe' },
      "HOLDFAST_VALIDATE_RESPONSES must be true or false (also 1/0, yes/no, on/off), got 'maybe'",
    ],
    [{ HOLDFAST_SHUTDOWN_TIMEOUT: '-1' }, "HOLDFAST_SHUTDOWN_TIMEOUT must be a number of seconds (0-3600), got '-1'"],
    [
      { HOLDFAST_METRICS_PORT: '8080' },
      'HOLDFAST_METRICS_PORT must differ from the main port (8080); leave it unset to share the port',
    ],
  ])('refuses %o with one clear line', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it('reports every mistake at once, and never echoes a secret', () => {
    const problems = problemsOf({
      HOLDFAST_PORT: 'x',
      HOLDFAST_LOG_LEVEL: 'y',
      DATABASE_URL: 'mysql://u:hunter2@h/d',
      HOLDFAST_MASTER_KEY: 'hunter2!',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems.every((problem) => !problem.includes('\n'))).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ env: { HOLDFAST_PORT: '', DATABASE_URL: ' ' }, cwd }).port).toBe(8080);
  });
});

describe('loadConfig with a config file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-config-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, content: string): string {
    writeFileSync(join(dir, name), content);
    return name;
  }

  it('reads settings from HOLDFAST_CONFIG, the environment winning', () => {
    const name = file(
      'holdfast.json',
      JSON.stringify({
        port: 9090,
        host: '10.1.2.3',
        regions: [
          { id: 'eu-central', name: 'Europe' },
          { id: 'us-east', name: 'US', default: true },
        ],
        trustedProxies: ['10.0.0.0/8'],
        bodyLimit: 4096,
        validateResponses: true,
      }),
    );
    const config = loadConfig({ env: { HOLDFAST_CONFIG: name, HOLDFAST_HOST: '127.0.0.2' }, cwd: dir });
    expect(config).toMatchObject({
      port: 9090,
      host: '127.0.0.2',
      regions: [
        { id: 'eu-central', name: 'Europe', default: false },
        { id: 'us-east', name: 'US', default: true },
      ],
      trustedProxies: ['10.0.0.0/8'],
      bodyLimit: 4096,
      validateResponses: true,
    });
  });

  it.each([
    ['missing.json', null, /^HOLDFAST_CONFIG names .*missing\.json, which cannot be read \(ENOENT\)$/],
    ['broken.json', '{"port": 80,', /^.*broken\.json is not valid JSON: /],
    ['array.json', '[1]', /^.*array\.json must hold a JSON object of settings, got '\[1\]'$/],
    ['typo.json', '{"prot": 80}', /^.*typo\.json has an unknown setting 'prot'; see docs\/server\.md$/],
    [
      'wrong.json',
      '{"port": "eighty"}',
      /^port in .*wrong\.json must be a port number \(1-65535, or 0 for any free port\), got 'eighty'$/,
    ],
    [
      'regions.json',
      '{"regions": [{"id": "a", "default": true}, {"id": "b", "default": true}]}',
      /marks 2 regions as default/,
    ],
  ])('refuses %s with one clear line', (name, content, message) => {
    if (content !== null) file(name, content);
    const problems = problemsOf({ HOLDFAST_CONFIG: name }, dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});

describe('describeConfig', () => {
  it('masks the database password and the master key', () => {
    const config = loadConfig({
      cwd,
      env: {
        DATABASE_URL: 'postgres://holdfast:hunter2@db/holdfast',
        HOLDFAST_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
      },
    });
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(Buffer.alloc(32, 1).toString('base64'));
    expect(text).toContain('postgres://holdfast:redacted@db/holdfast');
  });
});
