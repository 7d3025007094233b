/**
 * `holdfast-server ip-restrictions status|off (--email <address> | --account <acc_…>)`: the operator's way
 * back in when an account's IP restrictions lock everyone out (the office address changed, the VPN is
 * gone). The API refuses every request of such an account from an untrusted address, by design, so the
 * way out has to be local to the server: whoever can run this command holds the database already.
 *
 * `off` switches the restrictions off (the rules stay, so an Administrator can fix them and switch back
 * on), writes `ip_restrictions_disabled` to the account's audit log in the same transaction (performed by
 * the server, details `via: command line`), and emails every Administrator, as any change of the
 * restrictions is. `status` prints whether they are on and the rules.
 */
import { findAccount, findUserByEmail } from '../accounts/account-records.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { ServerConfig } from '../config/server-config.ts';
import { createDatabase } from '../db/create-database.ts';
import { idPattern } from '../db/ids.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createMailer } from '../email/create-mailer.ts';
import { notifyAdministrators } from '../ip-restrictions/ip-restriction-notices.ts';
import { allIpRules, setIpRestriction } from '../ip-restrictions/ip-rules-store.ts';
import { createLogger } from '../logging/logger.ts';
import { readFlags } from './cli-flags.ts';
import { exitCodes, type ServerCliIo } from './cli-io.ts';

export const ipRestrictionsUsage = `Usage: holdfast-server ip-restrictions <status|off> (--email <address> | --account <acc_id>)

  status   Print whether the account's IP restrictions are on, and its trusted addresses and ranges.
  off      Switch them off (the rules stay), audited and emailed to the account's Administrators:
           the way back in when nobody can reach the account from a trusted address.

The account is the one of the user with --email, or the one with the id --account.
`;

/** Who performs a change made here, in the audit log and the emails. */
const commandLineActor = { kind: 'system', id: null, name: 'holdfast-server ip-restrictions off' } as const;

function parse(argv: readonly string[]): { action: 'status' | 'off'; email?: string; account?: string } | string {
  const [action, ...rest] = argv;
  if (action !== 'status' && action !== 'off') return `ip-restrictions: say status or off, not '${action ?? ''}'`;
  const read = readFlags('ip-restrictions', rest, { '--email': 'email', '--account': 'account' });
  if (typeof read === 'string') return read;
  const options: { email?: string; account?: string } = Object.fromEntries(read);
  if ((options.email === undefined) === (options.account === undefined)) {
    return 'ip-restrictions: name the account with --email <address of one of its users> or --account <acc_id>';
  }
  if (options.account !== undefined && !idPattern('acc').test(options.account)) {
    return `ip-restrictions: '${options.account}' is not an account id (acc_ and 26 characters)`;
  }
  return { action, ...options };
}

export async function ipRestrictionsCommand(
  argv: readonly string[],
  config: ServerConfig,
  io: ServerCliIo,
): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'string') {
    io.stderr.write(`holdfast-server: ${options}\n\n${ipRestrictionsUsage}`);
    return exitCodes.usage;
  }
  const database = createDatabase(config);
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    const accountId =
      options.account ??
      (options.email === undefined ? undefined : (await findUserByEmail(db, options.email))?.account_id);
    const account = accountId === undefined ? undefined : await findAccount(db, accountId);
    if (account === undefined) {
      const named = options.email === undefined ? `the id ${options.account ?? ''}` : `a user ${options.email}`;
      io.stderr.write(`holdfast-server: ip-restrictions: no account has ${named}\n`);
      return exitCodes.failed;
    }
    const rules = await allIpRules(db, account.id);
    const enabled = account.ip_restriction_enabled === 1;
    if (options.action === 'status') {
      io.stderr.write(
        [
          `IP restrictions of "${account.name}" (${account.id}) are ${enabled ? 'on' : 'off'}; ${rules.length} trusted ${rules.length === 1 ? 'range' : 'ranges'}${rules.length > 0 ? ':' : '.'}`,
          ...rules.map((rule) => `  ${rule.range_text}${rule.description === '' ? '' : `  (${rule.description})`}`),
          '',
        ].join('\n'),
      );
      return exitCodes.ok;
    }
    if (!enabled) {
      io.stderr.write(`IP restrictions of "${account.name}" (${account.id}) are off already; nothing changed.\n`);
      return exitCodes.ok;
    }
    const now = new Date();
    await db.transaction().execute(async (trx) => {
      await setIpRestriction(trx, account.id, false, now);
      await recordAudit(
        trx,
        {
          accountId: account.id,
          activity: 'ip_restrictions_disabled',
          status: 'succeeded',
          actor: commandLineActor,
          sourceIp: null,
          description: 'IP restrictions switched off by the server operator (holdfast-server command line).',
          details: { via: 'command line', ruleCount: rules.length },
        },
        now,
      );
    });
    const logger = createLogger(config.logLevel === 'silent' ? 'silent' : 'warn', io.stdout);
    await notifyAdministrators(
      { config, database, logger, mailer: createMailer(config, logger) },
      {
        accountId: account.id,
        accountName: account.name,
        change: { kind: 'disabled' },
        actor: commandLineActor,
        address: 'the server itself (command line)',
        at: now,
      },
    );
    io.stderr.write(
      `Switched off the IP restrictions of "${account.name}" (${account.id}); its ${rules.length} rules stay. ` +
        'The Administrators are told by email; the audit log has the entry.\n',
    );
    return exitCodes.ok;
  } finally {
    await database.close();
  }
}
