/**
 * `holdfast-server ip-restrictions status|off`: the operator's way back into an account whose IP
 * restrictions lock everyone out. Run in-process against a real database: the switch goes off (rules
 * kept), the audit log says who and how, every Administrator gets the email (the outbox folder), and
 * mistakes on the command line are one-line errors with exit code 2.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { main, exitCodes, type ServerCliIo } from '../../src/cli/main.ts';
import { createDatabase } from '../../src/db/create-database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { newId } from '../../src/db/ids.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedAccount, seedUser } from '../support/seed.ts';
import { readOutbox } from '../email/mail-reader.ts';

class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

function io(env: Record<string, string>): ServerCliIo & { stderr: Sink } {
  return { stdout: new Sink(), stderr: new Sink(), env, cwd: '/', signal: new AbortController().signal };
}

function envFor(config: { dataDir: string; database: { kind: string; url?: string } }): Record<string, string> {
  return {
    HOLDFAST_DATA_DIR: config.dataDir,
    HOLDFAST_LOG_LEVEL: 'silent',
    ...(config.database.kind === 'postgres' ? { DATABASE_URL: config.database.url ?? '' } : {}),
  };
}

describeOnBothDatabases('holdfast-server ip-restrictions', (target) => {
  async function lockedAccount() {
    const database = createDatabase(target().config);
    try {
      await migrateToLatest(database.db);
      const account = await seedAccount(database.db, { name: 'Locked Out Ltd' });
      const admin = await seedUser(database.db, account.id, { name: 'Second Admin' });
      const custom = await seedUser(database.db, account.id, {
        access: { role: 'custom', operations: ['view_backups'], services: ['box'] },
      });
      const now = new Date().toISOString();
      await database.db
        .insertInto('ip_rules')
        .values({
          id: newId('ipr'),
          account_id: account.id,
          range_text: '203.0.113.0/24',
          first_address: '203.0.113.0',
          last_address: '203.0.113.255',
          description: 'The old office',
          created_by: account.primary.id,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await database.db
        .updateTable('accounts')
        .set({ ip_restriction_enabled: 1 })
        .where('id', '=', account.id)
        .execute();
      return { account, admin, custom };
    } finally {
      await database.close();
    }
  }

  async function state(accountId: string) {
    const database = createDatabase(target().config);
    try {
      const account = await database.db
        .selectFrom('accounts')
        .select('ip_restriction_enabled')
        .where('id', '=', accountId)
        .executeTakeFirstOrThrow();
      const rules = await database.db
        .selectFrom('ip_rules')
        .select('range_text')
        .where('account_id', '=', accountId)
        .execute();
      const audit = await database.db
        .selectFrom('audit_events')
        .selectAll()
        .where('account_id', '=', accountId)
        .execute();
      return { enabled: account.ip_restriction_enabled, rules: rules.map((rule) => rule.range_text), audit };
    } finally {
      await database.close();
    }
  }

  it('prints the status, then switches the restrictions off: audited, emailed, rules kept', async () => {
    const { account, admin, custom } = await lockedAccount();
    const status = io(envFor(target().config));
    expect(await main(['ip-restrictions', 'status', '--email', admin.email], status)).toBe(exitCodes.ok);
    expect(status.stderr.text).toBe(
      `IP restrictions of "Locked Out Ltd" (${account.id}) are on; 1 trusted range:\n  203.0.113.0/24  (The old office)\n`,
    );

    const off = io(envFor(target().config));
    expect(await main(['ip-restrictions', 'off', `--account=${account.id}`], off)).toBe(exitCodes.ok);
    expect(off.stderr.text).toContain(`Switched off the IP restrictions of "Locked Out Ltd" (${account.id})`);
    const after = await state(account.id);
    expect(after.enabled).toBe(0);
    expect(after.rules).toEqual(['203.0.113.0/24']);
    expect(after.audit).toEqual([
      expect.objectContaining({
        activity: 'ip_restrictions_disabled',
        status: 'succeeded',
        actor_kind: 'system',
        actor_id: null,
        actor_name: 'holdfast-server ip-restrictions off',
        source_ip: null,
        details: JSON.stringify({ via: 'command line', ruleCount: 1 }),
      }),
    ]);
    const outbox = readOutbox(join(target().config.dataDir, 'outbox'));
    const recipients = outbox.filter((message) => message.text.includes('Locked Out Ltd')).map((message) => message.to);
    expect(recipients.sort()).toEqual([account.primary.email, admin.email].sort());
    expect(recipients).not.toContain(custom.email);

    const again = io(envFor(target().config));
    expect(await main(['ip-restrictions', 'off', '--email', account.primary.email], again)).toBe(exitCodes.ok);
    expect(again.stderr.text).toContain('are off already; nothing changed');
    expect((await state(account.id)).audit).toHaveLength(1);
  });

  it.each([
    [['ip-restrictions'], "say status or off, not ''"],
    [['ip-restrictions', 'on', '--email', 'a@example.org'], "say status or off, not 'on'"],
    [['ip-restrictions', 'off'], 'name the account with --email'],
    [
      ['ip-restrictions', 'off', '--email', 'a@example.org', '--account', newId('acc')],
      'name the account with --email',
    ],
    [['ip-restrictions', 'off', '--account', 'acc_nope'], "'acc_nope' is not an account id"],
    [['ip-restrictions', 'off', '--email'], '--email needs a value'],
    [['ip-restrictions', 'off', '--force'], "unknown argument '--force'"],
  ])('refuses %j with a one-line message and exit code 2', async (argv, message) => {
    const run = io(envFor(target().config));
    expect(await main(argv, run)).toBe(exitCodes.usage);
    expect(run.stderr.text.split('\n')[0]).toContain(`holdfast-server: ip-restrictions: ${message}`);
  });

  it('says so when no account matches, and changes nothing', async () => {
    const run = io(envFor(target().config));
    expect(await main(['ip-restrictions', 'off', '--email', 'nobody-at-all@example.org'], run)).toBe(exitCodes.failed);
    expect(run.stderr.text).toBe('holdfast-server: ip-restrictions: no account has a user nobody-at-all@example.org\n');
  });
});
