/**
 * `holdfast-server create-admin` on both databases, run in-process: it migrates, creates a confirmed
 * account whose primary user can sign in at once, takes the password from a file or the environment
 * (never the command line), and refuses taken addresses, unknown regions and missing passwords.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { exitCodes, main, type ServerCliIo } from '../../src/cli/main.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startAccountsServer, type AccountsHarness } from './account-client.ts';

class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describeOnBothDatabases('holdfast-server create-admin', (target) => {
  let api: AccountsHarness | undefined;

  function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
    const { config } = target();
    const stderr = new Sink();
    const io: ServerCliIo = {
      stdout: new Sink(),
      stderr,
      env: {
        HOLDFAST_DATA_DIR: config.dataDir,
        HOLDFAST_REGIONS: 'eu-central=Europe (Frankfurt),us-east=United States',
        HOLDFAST_PASSWORD_HASHING: 'm=64,t=1,p=1',
        HOLDFAST_PUBLIC_URL: 'https://backup.example.org',
        ...(config.database.kind === 'postgres' ? { DATABASE_URL: config.database.url } : {}),
        ...env,
      },
      cwd: config.dataDir,
      signal: new AbortController().signal,
    };
    return main(['create-admin', ...argv], io).then((code) => ({ code, stderr: stderr.text }));
  }

  beforeAll(() => {
    writeFileSync(join(target().config.dataDir, 'password.txt'), 'correct horse battery staple\n');
    chmodSync(join(target().config.dataDir, 'password.txt'), 0o600);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('creates a confirmed account whose primary user signs in at once', async () => {
    const created = await run(['--email', 'ops@example.org', '--name', 'Ops Team', '--password-file', 'password.txt']);
    expect(created.code, created.stderr).toBe(exitCodes.ok);
    expect(created.stderr).toMatch(
      /^Created the account "Ops Team" \(acc_[0-9a-z]{26}, region eu-central\) and its primary user ops@example\.org\.\n/,
    );
    expect(created.stderr).toContain('Sign in at https://backup.example.org with ops@example.org');
    expect(created.stderr).not.toContain('correct horse');

    const second = await run(['--email=second@example.org', '--name=Second', '--region=us-east'], {
      HOLDFAST_ADMIN_PASSWORD: 'another good password',
    });
    expect(second.code, second.stderr).toBe(exitCodes.ok);

    api = await startAccountsServer(target().config);
    const session = await api.signIn('ops@example.org', 'correct horse battery staple');
    const account = await api.call('GET', '/v1/account', { session });
    expect(account.body).toMatchObject({ name: 'Ops Team', email: 'ops@example.org', region: 'eu-central' });
    const other = await api.signIn('second@example.org', 'another good password');
    expect((await api.call('GET', '/v1/account', { session: other })).body).toMatchObject({ region: 'us-east' });
    const trail = await api.call('GET', '/v1/audit-events?activity=account_created', { session });
    expect(trail.body).toMatchObject({
      items: [
        {
          activity: 'account_created',
          status: 'succeeded',
          performedBy: { kind: 'system', id: null, name: 'holdfast-server create-admin' },
          sourceAddress: null,
          details: { region: 'eu-central', via: 'command line' },
        },
      ],
    });
  });

  it.each([
    [
      ['--email', 'ops@example.org', '--name', 'Again', '--password-file', 'password.txt'],
      exitCodes.failed,
      'a user already has the address ops@example.org',
    ],
    [
      ['--email', 'new@example.org', '--name', 'X', '--region', 'mars'],
      exitCodes.usage,
      "no region 'mars' here; offered: eu-central, us-east",
    ],
    [['--email', 'new@example.org', '--name', 'X'], exitCodes.usage, 'create-admin needs a password'],
    [
      ['--email', 'new@example.org', '--name', 'X', '--password', 'hunter22'],
      exitCodes.usage,
      "unknown argument '--password'",
    ],
    [['--name', 'X'], exitCodes.usage, '--email is required'],
    [['--email', 'not-an-address', '--name', 'X'], exitCodes.usage, "'not-an-address' is not an email address"],
  ])('%j exits %i', async (argv, code, message) => {
    const answer = await run(argv);
    expect(answer.code).toBe(code);
    expect(answer.stderr).toContain(message);
  });

  it.each([
    ['short', 'The password must be at least 12 characters long.'],
    ['password1234', 'This password is too common; choose another.'],
    ['policy@example.org', 'The password must not be your email address.'],
    ['x'.repeat(257), 'The password must be at most 256 characters long.'],
  ])('refuses the password %s as the policy does, with its rule', async (password, rule) => {
    const answer = await run(['--email', 'policy@example.org', '--name', 'X'], { HOLDFAST_ADMIN_PASSWORD: password });
    expect(answer).toEqual({ code: exitCodes.usage, stderr: `holdfast-server: create-admin: ${rule}\n` });
  });
});
