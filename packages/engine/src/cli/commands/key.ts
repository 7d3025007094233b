/**
 * `holdfast key add|list|rotate|remove`: the repository's keys. Every key wraps the same master secret,
 * so adding, rotating or removing one never re-encrypts data. The new passphrase of `add` and `rotate`
 * comes from `HOLDFAST_NEW_PASSWORD` or `--new-password-file`.
 */
import type { Repository } from '../../repository/repository.ts';
import { stringValue, type CommandArgs, type OptionSpec } from '../args.ts';
import { CliError, usageError } from '../cli-error.ts';
import { envVars, passphraseProvider, readPassphrase, withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatTable, formatTime, plural, shortId, type CliIo } from '../output.ts';
import { outputOf, type Command } from './command.ts';

const newKeyOptions = {
  'new-password-file': {
    type: 'string',
    value: '<file>',
    description: `read the new passphrase from a file (default: $${envVars.newPassword})`,
  },
  label: { type: 'string', value: '<label>', description: 'a label for the new key' },
} as const satisfies Record<string, OptionSpec>;

async function newPassphrase(args: CommandArgs, io: CliIo): Promise<string> {
  return readPassphrase(
    {
      fileOption: 'new-password-file',
      fileValue: stringValue(args.values, 'new-password-file'),
      envVar: envVars.newPassword,
      what: 'new passphrase',
      confirm: true,
    },
    io,
  );
}

export async function keyListCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  return withRepository(args, io, async ({ repository }) => {
    const keys = (await repository.keys()).map(({ id, current, record }) => ({
      id,
      current,
      label: record.label,
      scheme: record.wrapping.scheme,
      created: record.created,
      username: record.username,
      hostname: record.hostname,
    }));
    out.json(keys);
    const rows = keys.map((key) => [
      `${key.current ? '*' : ' '}${shortId(key.id)}`,
      key.label ?? '',
      key.scheme,
      formatTime(key.created),
      `${key.username}@${key.hostname}`,
    ]);
    for (const line of formatTable([' ID', 'LABEL', 'SCHEME', 'CREATED', 'CREATED BY'], rows)) await out.data(line);
    out.line(`${plural(keys.length, 'key')}; * marks the key in use`);
    return exitCodes.success;
  });
}

export async function keyAddCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  return withRepository(args, io, async ({ repository }) => {
    const passphrase = await newPassphrase(args, io);
    const id = await repository.addKey(passphraseProvider(passphrase, io, true), stringValue(args.values, 'label'));
    out.json({ id });
    out.line(`added key ${shortId(id)}`);
    return exitCodes.success;
  });
}

export async function keyRotateCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  return withRepository(args, io, async ({ repository }) => {
    const passphrase = await newPassphrase(args, io);
    const old = repository.keyId;
    const id = await repository.rotateKey(passphraseProvider(passphrase, io, true), stringValue(args.values, 'label'));
    out.json({ id, removed: old });
    out.line(`key ${shortId(id)} replaces key ${shortId(old)}: use the new passphrase from now on`);
    return exitCodes.success;
  });
}

export async function keyRemoveCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const ref = args.positionals[0] ?? '';
  return withRepository(args, io, async ({ repository }) => {
    const id = await resolveKeyId(repository, ref);
    await repository.removeKey(id);
    out.json({ removed: id });
    out.line(`removed key ${shortId(id)}`);
    return exitCodes.success;
  });
}

/** A key id from the full id or a unique prefix of at least 4 hex digits. */
async function resolveKeyId(repository: Repository, ref: string): Promise<string> {
  if (!/^[0-9a-f]{4,64}$/.test(ref)) {
    throw usageError(`malformed key id ${JSON.stringify(ref)}: give at least 4 hex digits (see "holdfast key list")`);
  }
  const found = (await repository.keys()).filter((key) => key.id.startsWith(ref));
  if (found.length === 0) throw new CliError(exitCodes.failed, 'NOT_FOUND', `no key ${ref}`);
  if (found.length > 1)
    throw usageError(`key id ${ref} is ambiguous (${String(found.length)} match): give more digits`);
  return found[0]?.id ?? ref;
}

export const keyList: Command = {
  spec: {
    name: 'key list',
    summary: 'list the keys of the repository',
    arguments: [],
    options: {},
    description: ['Lists the keys (never any secret): id, label, scheme, when and by whom each was created.'],
    repository: true,
  },
  run: keyListCommand,
};

export const keyAdd: Command = {
  spec: {
    name: 'key add',
    summary: 'add a key (a second passphrase)',
    arguments: [],
    options: newKeyOptions,
    description: [
      'Adds a key that opens the repository with the new passphrase, from $HOLDFAST_NEW_PASSWORD or',
      '--new-password-file. The current passphrase keeps working.',
    ],
    examples: ['HOLDFAST_NEW_PASSWORD=... holdfast key add --label laptop'],
    repository: true,
  },
  run: keyAddCommand,
};

export const keyRotate: Command = {
  spec: {
    name: 'key rotate',
    summary: 'replace the key in use with a new passphrase',
    arguments: [],
    options: newKeyOptions,
    description: [
      'Adds a key with the new passphrase, checks that it opens the repository, then removes the key in',
      'use: the old passphrase stops working. Takes an exclusive lock. No data is re-encrypted.',
    ],
    examples: ['holdfast key rotate --new-password-file ~/.holdfast-new'],
    repository: true,
  },
  run: keyRotateCommand,
};

export const keyRemove: Command = {
  spec: {
    name: 'key remove',
    summary: 'remove a key',
    arguments: ['<id>'],
    options: {},
    description: [
      'Removes the key <id> (or a unique prefix of it, see "holdfast key list"). The key in use and the',
      'last key cannot be removed.',
    ],
    repository: true,
  },
  run: keyRemoveCommand,
};
