/**
 * `holdfast-server unlock`: an operator lifts a brute-force lockout before it runs out. The lockouts are
 * made for real (wrong passwords, wrong codes, wrong client secrets against a running server with the
 * production policy), the command runs in-process against the same database and master key, and the
 * person gets in at once; the account's audit log says who lifted what.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exitCodes, main, type ServerCliIo } from '../../src/cli/main.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startSecurityServer, strictSecurity, type SecurityHarness } from '../security/security-harness.ts';

class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describeOnBothDatabases(
  'holdfast-server unlock',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    async function unlock(...argv: string[]): Promise<{ code: number; text: string }> {
      const config = target().config;
      const stderr = new Sink();
      const io: ServerCliIo = {
        stdout: new Sink(),
        stderr,
        env: {
          HOLDFAST_DATA_DIR: config.dataDir,
          HOLDFAST_LOG_LEVEL: 'silent',
          ...(config.database.kind === 'postgres' ? { DATABASE_URL: config.database.url } : {}),
        },
        cwd: '/',
        signal: new AbortController().signal,
      };
      const code = await main(['unlock', ...argv], io);
      return { code, text: stderr.text };
    }

    it('lifts an email lockout: the right password works at once, and the account says who lifted it', async () => {
      const person = await h.seedPerson();
      for (let i = 0; i < 5; i++) await h.signIn(person.email, `wrong ${i}`, '203.0.113.30');
      expect((await h.signIn(person.email, person.password, '203.0.113.31')).status).toBe(429);

      const lifted = await unlock('--email', person.email.toUpperCase());
      expect(lifted).toEqual({
        code: exitCodes.ok,
        text: `Lifted the lockout of ${person.email.toUpperCase()} (1 record deleted).\n`,
      });
      expect((await h.signIn(person.email, person.password, '203.0.113.31')).status).toBe(200);
      const entries = (await h.audit(person.accountId)).filter((entry) => entry.activity === 'lockout_lifted');
      expect(entries).toEqual([
        expect.objectContaining({
          status: 'succeeded',
          actor_kind: 'system',
          actor_name: 'holdfast-server unlock',
          source_ip: null,
          details: JSON.stringify({ key: 'email', via: 'command line', records: 1 }),
        }),
      ]);
      expect(await unlock('--email', person.email)).toEqual({
        code: exitCodes.ok,
        text: `Nothing to lift: ${person.email} has no failed attempts on record.\n`,
      });
    });

    it('lifts an address lockout (password spraying) and an API key lockout', async () => {
      const sprayer = '198.51.100.200';
      for (let i = 0; i < 50; i++) await h.signIn(`nobody-${i}@example.org`, 'Winter2026!', sprayer);
      const person = await h.seedPerson();
      expect((await h.signIn(person.email, person.password, sprayer)).status).toBe(429);
      expect((await unlock('--address', sprayer)).code).toBe(exitCodes.ok);
      expect((await h.signIn(person.email, person.password, sprayer)).status).toBe(200);

      const key = await h.seedKey();
      const form = { grant_type: 'client_credentials', client_id: key.id, client_secret: 'hfs_wrong' };
      for (let i = 0; i < 20; i++) await h.request('POST', '/v1/oauth/token', { form, from: `192.0.2.${i + 10}` });
      const right = { ...form, client_secret: key.secret };
      expect((await h.request('POST', '/v1/oauth/token', { form: right, from: '192.0.2.99' })).status).toBe(429);
      expect((await unlock(`--api-key=${key.id}`)).text).toBe(`Lifted the lockout of ${key.id} (1 record deleted).\n`);
      expect((await h.request('POST', '/v1/oauth/token', { form: right, from: '192.0.2.99' })).status).toBe(200);
    });

    it.each([
      [[], 'name one of --email, --address, --user, --api-key'],
      [['--email', 'a@example.org', '--address', '192.0.2.1'], 'name one of --email, --address, --user, --api-key'],
      [['--user', 'usr_nope'], "'usr_nope' is not a user id"],
      [['--api-key', 'hfs_secret'], "'hfs_secret' is not an API key id"],
      [['--address'], '--address needs a value'],
      [['--everyone'], "unknown argument '--everyone'"],
    ])('refuses %j with a one-line message and exit code 2', async (argv, message) => {
      const run = await unlock(...argv);
      expect(run.code).toBe(exitCodes.usage);
      expect(run.text.split('\n')[0]).toBe(`holdfast-server: unlock: ${message}`);
    });
  },
  strictSecurity,
);

describeOnBothDatabases('holdfast-server unlock without the server’s key', (target) => {
  it('refuses to run, making no key file, when the configuration names no existing master key', async () => {
    const config = target().config;
    const elsewhere = join(config.dataDir, 'not-the-server');
    const stderr = new Sink();
    const code = await main(['unlock', '--email', 'someone@example.org'], {
      stdout: new Sink(),
      stderr,
      env: {
        HOLDFAST_DATA_DIR: elsewhere,
        HOLDFAST_LOG_LEVEL: 'silent',
        ...(config.database.kind === 'postgres' ? { DATABASE_URL: config.database.url } : {}),
      },
      cwd: '/',
      signal: new AbortController().signal,
    });
    expect(code).toBe(exitCodes.failed);
    expect(stderr.text).toBe(
      `holdfast-server: no master key at ${join(elsewhere, 'master.key')}: run this with the server's own ` +
        'configuration (HOLDFAST_DATA_DIR, HOLDFAST_MASTER_KEY_FILE or HOLDFAST_MASTER_KEY)\n',
    );
    expect(existsSync(join(elsewhere, 'master.key'))).toBe(false);
  });
});
