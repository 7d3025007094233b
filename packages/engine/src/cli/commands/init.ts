/** `holdfast init`: creates a repository. Refuses a location that holds one, and an empty passphrase. */
import { isHoldfastError } from '../../errors/index.ts';
import { Repository } from '../../repository/repository.ts';
import { stringValue, type CommandArgs } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { openStore, passphraseProvider, repositoryLocation, repositoryPassphrase } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { shortId, type CliIo } from '../output.ts';
import { outputOf, type Command } from './command.ts';

export async function initCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const location = await openStore(repositoryLocation(args, io), io.cwd, io.env);
  const passphrase = await repositoryPassphrase(args, io, true);
  const label = stringValue(args.values, 'label');
  let repository: Repository;
  try {
    repository = await Repository.init(location.store, {
      keyProvider: passphraseProvider(passphrase, io, true),
      keyLabel: label,
    });
  } catch (error) {
    if (isHoldfastError(error, 'CONFLICT')) {
      throw new CliError(
        exitCodes.failed,
        'CONFLICT',
        `a repository exists at ${location.display} already: refusing to create another there`,
        { cause: error },
      );
    }
    throw error;
  }
  try {
    const { config, keyId } = repository;
    out.json({ id: config.id, location: location.display, created: config.created, keyId });
    out.line(`created repository ${shortId(config.id)} at ${location.display}`);
    out.line('keep the passphrase safe: without it nothing in the repository can be read or restored');
    return exitCodes.success;
  } finally {
    await repository.close();
  }
}

export const init: Command = {
  spec: {
    name: 'init',
    summary: 'create a repository',
    arguments: [],
    options: {
      label: { type: 'string', value: '<label>', description: 'a label for the first key' },
    },
    description: [
      'Creates an empty, encrypted repository at --repo (or $HOLDFAST_REPOSITORY), its one key wrapped with',
      'the passphrase from $HOLDFAST_PASSWORD or --password-file. Refuses a location that holds a repository',
      'and an empty passphrase.',
    ],
    examples: ['HOLDFAST_PASSWORD=... holdfast init --repo /srv/backups/docs'],
    repository: true,
  },
  run: initCommand,
};
