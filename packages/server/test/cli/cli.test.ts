import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exitCodes, main, type ServerCliIo } from '../../src/cli/main.ts';
import { createDatabase } from '../../src/db/create-database.ts';
import { pendingMigrations } from '../../src/db/migrate.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { describeOnBothDatabases } from '../support/databases.ts';

class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

function io(
  env: Record<string, string>,
  cwd = tmpdir(),
): ServerCliIo & { stdout: Sink; stderr: Sink; stop: () => void } {
  const controller = new AbortController();
  return {
    stdout: new Sink(),
    stderr: new Sink(),
    env,
    cwd,
    signal: controller.signal,
    stop: () => {
      controller.abort();
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  // Up to 25 s: a child process starts slowly on a loaded machine; the condition, not the clock, decides.
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

function envFor(config: { dataDir: string; database: { kind: string; url?: string } }): Record<string, string> {
  return {
    HOLDFAST_DATA_DIR: config.dataDir,
    HOLDFAST_PORT: '0',
    HOLDFAST_LOG_LEVEL: 'info',
    ...(config.database.kind === 'postgres' ? { DATABASE_URL: config.database.url ?? '' } : {}),
  };
}

describeOnBothDatabases('holdfast-server', (target) => {
  it('migrate applies every migration, then reports the database up to date', async () => {
    const run = io(envFor(target().config));
    expect(await main(['migrate'], run)).toBe(exitCodes.ok);
    const names = Object.keys(migrations);
    expect(names.slice(0, 3)).toEqual(['0001-initial', '0002-second-factor', '0003-security-trail']);
    expect(run.stderr.text).toMatch(
      new RegExp(`^Applied ${names.length} migrations to (SQLite|PostgreSQL) .*: ${names.join(', ')}\\.\\n$`),
    );
    const again = io(envFor(target().config));
    expect(await main(['migrate'], again)).toBe(exitCodes.ok);
    expect(again.stderr.text).toContain(`is up to date: ${names.length} migrations`);
    const database = createDatabase(target().config);
    try {
      expect(await pendingMigrations(database.db)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('serve prints where it listens and how to start, serves, and stops on a signal', async () => {
    const run = io(envFor(target().config));
    const exit = main(['serve'], run);
    await until(() => run.stderr.text.includes('Stop with Ctrl-C.'), 'the banner');
    const url = /listening on (http:\/\/[\d.:]+)/.exec(run.stderr.text)?.[1] ?? '';
    expect(run.stderr.text).toContain(`data directory  ${target().config.dataDir}`);
    expect(run.stderr.text).toContain(`Create the first account: open ${url} or run \`holdfast-server create-admin`);
    expect(run.stderr.text).not.toMatch(/postgres:\/\/[^@\s]*:[^@\s]*@/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    run.stop();
    expect(await exit).toBe(exitCodes.ok);
    expect(run.stderr.text).toMatch(/Stopped\.\n$/);
    expect(run.stdout.text).toContain('"msg":"request completed"');
    expect(statSync(target().config.dataDir).mode & 0o077).toBe(0);
  });
});

describe('holdfast-server without a database', () => {
  it('prints each configuration mistake on its own line', async () => {
    const run = io({ HOLDFAST_PORT: 'eighty', HOLDFAST_LOG_LEVEL: 'chatty' });
    expect(await main(['serve'], run)).toBe(exitCodes.config);
    expect(run.stderr.text.trim().split('\n')).toEqual([
      "holdfast-server: HOLDFAST_PORT must be a port number (1-65535, or 0 for any free port), got 'eighty'",
      "holdfast-server: HOLDFAST_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'chatty'",
    ]);
  });

  it('says what create-admin needs (its runs are in test/accounts/create-admin.test.ts)', async () => {
    const run = io({});
    expect(await main(['create-admin', '--email', 'ada@example.org'], run)).toBe(exitCodes.usage);
    expect(run.stderr.text).toContain('create-admin: --name is required');
  });

  it.each([
    [['frobnicate'], exitCodes.usage, "unknown command 'frobnicate'"],
    [['serve', '--port', '1'], exitCodes.usage, 'serve takes no arguments'],
    [[], exitCodes.usage, 'Usage: holdfast-server <command>'],
    [['help'], exitCodes.ok, 'Usage: holdfast-server <command>'],
    [['--version'], exitCodes.ok, '0.0.0'],
  ])('%j exits %i', async (argv, code, text) => {
    const run = io({});
    expect(await main(argv, run)).toBe(code);
    expect(run.stderr.text).toContain(text);
  });

  it('the built bin serves from its bundle and stops gracefully on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'holdfast-bin-'));
    const bin = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'serve'], {
      env: { ...process.env, HOLDFAST_DATA_DIR: dir, HOLDFAST_PORT: '0', HOLDFAST_LOG_LEVEL: 'warn' },
    });
    try {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await until(() => stderr.includes('Stop with Ctrl-C.') || child.exitCode !== null, 'the bin to start');
      const url = /listening on (http:\/\/[\d.:]+)/.exec(stderr)?.[1];
      expect(url, stderr).toBeDefined();
      const response = await fetch(`${url ?? ''}/v1/auth/sign-up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(400);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('Stopped.');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
