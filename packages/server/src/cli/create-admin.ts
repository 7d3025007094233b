/**
 * `holdfast-server create-admin --email <e> --name <n> [--password-file <f>] [--region <r>]`: creates an
 * account whose address is confirmed already, with its primary user, so ops can start without email.
 *
 * The password comes from the file (its first line), else `HOLDFAST_ADMIN_PASSWORD`, else a prompt that
 * does not echo (twice) when stdin is a terminal; never from the command line, where `ps` and shell
 * history would show it. The database is migrated first, like `serve` does.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createAccountWithPrimaryUser } from '../accounts/create-account.ts';
import { findUserByEmail, isUniqueViolation } from '../accounts/account-records.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { passwordProblem } from '../auth/password-policy.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { ServerConfig } from '../config/server-config.ts';
import { createDatabase } from '../db/create-database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { readFlags } from './cli-flags.ts';
import { exitCodes, type ServerCliIo, type TextSink } from './cli-io.ts';

export const createAdminUsage = `Usage: holdfast-server create-admin --email <address> --name <name> [--password-file <file>] [--region <id>]

Creates an account with its primary user (an Administrator), its address already confirmed.
The password is read from --password-file (first line), else HOLDFAST_ADMIN_PASSWORD, else asked for.
`;

interface Options {
  email?: string;
  name?: string;
  passwordFile?: string;
  region?: string;
}

const flags: Readonly<Record<string, keyof Options>> = {
  '--email': 'email',
  '--name': 'name',
  '--password-file': 'passwordFile',
  '--region': 'region',
};

type Parsed = Options & { email: string; name: string };

/** The options, or the message saying what is wrong with the command line. */
function parse(argv: readonly string[]): Parsed | string {
  const read = readFlags('create-admin', argv, flags);
  if (typeof read === 'string') return read;
  const options: Options = Object.fromEntries(read);
  const { email, name } = options;
  if (email === undefined) return 'create-admin: --email is required';
  if (name === undefined) return 'create-admin: --name is required';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return `create-admin: '${email}' is not an email address`;
  if (!/^\S(.*\S)?$/.test(name) || name.length > 100) {
    return 'create-admin: --name must be 1-100 characters without leading or trailing spaces';
  }
  return { ...options, email, name };
}

/** Reads a line from a terminal without echoing it. */
function promptHidden(input: NodeJS.ReadStream, output: TextSink, question: string): Promise<string> {
  output.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolvePassword, reject) => {
    let value = '';
    const finish = (): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolvePassword(value);
          return;
        }
        if (char === '\u0003' || char === '\u0004') {
          finish();
          reject(new Error('create-admin: cancelled'));
          return;
        }
        value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
      }
    };
    input.on('data', onData);
  });
}

async function passwordFor(options: Options, io: ServerCliIo): Promise<string | null> {
  if (options.passwordFile !== undefined) {
    const text = readFileSync(resolve(io.cwd, options.passwordFile), 'utf8');
    return text.split(/\r?\n/, 1)[0] ?? '';
  }
  const fromEnv = io.env['HOLDFAST_ADMIN_PASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (io.stdin?.isTTY !== true) return null;
  const first = await promptHidden(io.stdin, io.stderr, 'Password for the new primary user: ');
  const second = await promptHidden(io.stdin, io.stderr, 'Again: ');
  if (first !== second) throw new Error('create-admin: the two passwords differ');
  return first;
}

export async function createAdmin(argv: readonly string[], config: ServerConfig, io: ServerCliIo): Promise<number> {
  const options = parse(argv);
  if (typeof options === 'string') {
    io.stderr.write(`holdfast-server: ${options}\n\n${createAdminUsage}`);
    return exitCodes.usage;
  }
  const region =
    options.region === undefined
      ? config.regions.find((candidate) => candidate.default)
      : config.regions.find((candidate) => candidate.id === options.region);
  if (region === undefined) {
    const offered = config.regions.map((candidate) => candidate.id).join(', ');
    io.stderr.write(`holdfast-server: create-admin: no region '${options.region ?? ''}' here; offered: ${offered}\n`);
    return exitCodes.usage;
  }
  const password = await passwordFor(options, io);
  if (password === null) {
    io.stderr.write(
      'holdfast-server: create-admin needs a password: --password-file <file>, HOLDFAST_ADMIN_PASSWORD, ' +
        'or run it in a terminal to be asked\n',
    );
    return exitCodes.usage;
  }
  const refused =
    password.length > 256
      ? 'The password must be at most 256 characters long.'
      : passwordProblem(password, options.email);
  if (refused !== null) {
    io.stderr.write(`holdfast-server: create-admin: ${refused}\n`);
    return exitCodes.usage;
  }

  const database = createDatabase(config);
  try {
    await migrateToLatest(database.db);
    if ((await findUserByEmail(database.db, options.email)) !== undefined) {
      io.stderr.write(`holdfast-server: create-admin: a user already has the address ${options.email}\n`);
      return exitCodes.failed;
    }
    const passwordHash = await hashPassword(password, config.passwordHashing);
    const { email, name } = options;
    let created;
    try {
      const now = new Date();
      created = await database.db.transaction().execute(async (trx) => {
        const made = await createAccountWithPrimaryUser(trx, {
          name,
          email,
          passwordHash,
          region: region.id,
          now,
          confirmed: true,
        });
        await recordAudit(
          trx,
          {
            accountId: made.account.id,
            activity: 'account_created',
            status: 'succeeded',
            actor: { kind: 'system', id: null, name: 'holdfast-server create-admin' },
            sourceIp: null,
            description: `The server operator created the account with its primary user ${email} (holdfast-server create-admin).`,
            details: { region: region.id, via: 'command line', userId: made.user.id },
          },
          now,
        );
        return made;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      io.stderr.write(`holdfast-server: create-admin: a user already has the address ${email}\n`);
      return exitCodes.failed;
    }
    io.stderr.write(
      [
        `Created the account "${name}" (${created.account.id}, region ${region.id}) and its primary user ${email}.`,
        `Sign in at ${config.publicUrl} with ${email} and the password, or from a program:`,
        `  curl -i -X POST ${config.publicUrl}/v1/auth/sign-in -H 'Content-Type: application/json' \\`,
        `    -d '{"email": "${email}", "password": "..."}'`,
        'then create an API key (docs/api.md) for scripts and the SDK.',
        '',
      ].join('\n'),
    );
    return exitCodes.ok;
  } finally {
    await database.close();
  }
}
