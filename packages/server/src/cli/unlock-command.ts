/**
 * `holdfast-server unlock (--email <address> | --address <ip> | --user <usr_…> | --api-key <key_…>)`:
 * lifts a brute-force lockout before it runs out, for the person on the phone who proved who they are.
 * Lockouts are rows of `auth_throttles`; emails and client addresses are there only as keyed digests
 * (`auth/brute-force/throttle-keys.ts`), so this command computes the digest with the server's master
 * key and deletes the row. `--email` also lifts the second-factor lockout of the user with that address.
 *
 * When the record concerns an account (the email or id of one of its users, one of its API keys), the
 * account's audit log gets `lockout_lifted`, performed by the server; an address belongs to no account.
 */
import { findUserByEmail } from '../accounts/account-records.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { throttleKeys, type ThrottleKey } from '../auth/brute-force/throttle-keys.ts';
import type { ServerConfig } from '../config/server-config.ts';
import { createDatabase } from '../db/create-database.ts';
import { idPattern } from '../db/ids.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { readFlags } from './cli-flags.ts';
import { exitCodes, type ServerCliIo } from './cli-io.ts';
import { existingMasterKey } from './existing-master-key.ts';

export const unlockUsage = `Usage: holdfast-server unlock (--email <address> | --address <ip> | --user <usr_id> | --api-key <key_id>)

Lifts a brute-force lockout before it runs out: of sign-ins with an email address (and that user's
second-factor codes), of a client address, of a user's second-factor codes, or of an API key's secret.
`;

type Target = 'email' | 'address' | 'user' | 'apiKey';
const flags: Readonly<Record<string, Target>> = {
  '--email': 'email',
  '--address': 'address',
  '--user': 'user',
  '--api-key': 'apiKey',
};

function parse(argv: readonly string[]): { target: Target; value: string } | string {
  const read = readFlags('unlock', argv, flags);
  if (typeof read === 'string') return read;
  const [one, ...more] = read.map(([target, value]) => ({ target, value: value.trim() }));
  if (one === undefined || more.length > 0) return 'unlock: name one of --email, --address, --user, --api-key';
  if (one.target === 'user' && !idPattern('usr').test(one.value)) return `unlock: '${one.value}' is not a user id`;
  if (one.target === 'apiKey' && !idPattern('key').test(one.value))
    return `unlock: '${one.value}' is not an API key id`;
  return one;
}

export async function unlockCommand(argv: readonly string[], config: ServerConfig, io: ServerCliIo): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'string') {
    io.stderr.write(`holdfast-server: ${options}\n\n${unlockUsage}`);
    return exitCodes.usage;
  }
  const keys = throttleKeys(existingMasterKey(config));
  const database = createDatabase(config);
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    const lifted: ThrottleKey[] = [];
    let accountId: string | null = null;
    if (options.target === 'email') {
      lifted.push(keys.email(options.value));
      const user = await findUserByEmail(db, options.value);
      if (user !== undefined) {
        lifted.push(keys.user(user.id));
        accountId = user.account_id;
      }
    } else if (options.target === 'address') {
      lifted.push(keys.address(options.value));
    } else if (options.target === 'user') {
      lifted.push(keys.user(options.value));
      const user = await db.selectFrom('users').select('account_id').where('id', '=', options.value).executeTakeFirst();
      accountId = user?.account_id ?? null;
    } else {
      lifted.push(keys.apiKey(options.value));
      const key = await db
        .selectFrom('api_keys')
        .select('account_id')
        .where('id', '=', options.value)
        .executeTakeFirst();
      accountId = key?.account_id ?? null;
    }
    const now = new Date();
    const deleted = await db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom('auth_throttles')
        .where(
          'throttle_key',
          'in',
          lifted.map((key) => key.key),
        )
        .executeTakeFirst();
      const count = Number(result.numDeletedRows);
      if (count > 0 && accountId !== null) {
        await recordAudit(
          trx,
          {
            accountId,
            activity: 'lockout_lifted',
            status: 'succeeded',
            actor: { kind: 'system', id: null, name: 'holdfast-server unlock' },
            sourceIp: null,
            description: `The server operator lifted the ${options.target === 'apiKey' ? 'API key' : options.target} lockout of ${options.value}.`,
            details: { key: options.target, via: 'command line', records: count },
          },
          now,
        );
      }
      return count;
    });
    io.stderr.write(
      deleted === 0
        ? `Nothing to lift: ${options.value} has no failed attempts on record.\n`
        : `Lifted the lockout of ${options.value} (${deleted} ${deleted === 1 ? 'record' : 'records'} deleted).\n`,
    );
    return exitCodes.ok;
  } finally {
    await database.close();
  }
}
