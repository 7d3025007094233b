/**
 * Where the repository is and how to open it: the location from `--repo` or `HOLDFAST_REPOSITORY`, the
 * passphrase from `HOLDFAST_PASSWORD` or `--password-file`, and the translation of "no repository" and
 * "wrong passphrase" into their exit codes. Opening writes nothing, so a wrong passphrase leaves the
 * repository as it was.
 *
 * Locations are local paths for now ({@link FsObjectStore}). A location with a URL scheme (`s3:`,
 * `azure:`...) is for `@holdfast/storage-adapters`, which is loaded only when such a location is given:
 * {@link openStore} is the one place that will import it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isHoldfastError } from '../errors/index.ts';
import { FsObjectStore } from '../fs/index.ts';
import { PassphraseKeyProvider, testingKdfParams, type KeyProvider } from '../keys/index.ts';
import type { ObjectStore } from '../ports/index.ts';
import { Repository } from '../repository/repository.ts';
import type { CommandArgs } from './args.ts';
import { CliError, usageError } from './cli-error.ts';
import { exitCodes } from './exit-codes.ts';
import { openRemoteStore, parseRemoteLocation } from './remote-locations.ts';
import type { CliIo } from './output.ts';

/** The environment variables the CLI reads. */
export const envVars = {
  repository: 'HOLDFAST_REPOSITORY',
  password: 'HOLDFAST_PASSWORD',
  newPassword: 'HOLDFAST_NEW_PASSWORD',
  debug: 'HOLDFAST_DEBUG',
  /** Test-only: cheap key derivation for keys created by `init` and `key add|rotate`. */
  testCheapKdf: 'HOLDFAST_TEST_CHEAP_KDF',
} as const;

/** An opened store and how to name it in messages. */
export interface StoreLocation {
  readonly store: ObjectStore;
  /** The location as the user should read it: an absolute path for a local repository. */
  readonly display: string;
  /** The absolute folder of a local repository. */
  readonly localPath?: string | undefined;
}

/** The repository location from `--repo` or the environment; a usage error when neither is given. */
export function repositoryLocation(args: CommandArgs, io: CliIo): string {
  const location = args.global.repo ?? io.env[envVars.repository];
  if (location === undefined || location === '') {
    throw usageError(`no repository given: use --repo <path> or set ${envVars.repository}`);
  }
  return location;
}

/**
 * The store at `location`. A local path (absolute, or relative to `cwd`) is a {@link FsObjectStore};
 * `s3://`, `azure://` and `gs://` URLs load their adapter from `@holdfast/storage-adapters` with a dynamic
 * `import()`, only for such a location: nothing is loaded for a local path.
 */
export async function openStore(location: string, cwd: string, env: CliIo['env'] = {}): Promise<StoreLocation> {
  const remote = parseRemoteLocation(location);
  if (remote !== undefined) {
    return { store: await openRemoteStore(remote, env), display: location };
  }
  // Two or more letters before a colon: one letter is a Windows drive (`C:\\backups`), not a scheme.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(location)?.[1];
  if (scheme !== undefined) {
    throw new CliError(
      exitCodes.usage,
      'USAGE',
      `repository location ${JSON.stringify(location)}: the ${scheme}: scheme is not supported ` +
        '(use a local path, s3://bucket/prefix, azure://container/prefix or gs://bucket/prefix)',
    );
  }
  const path = resolve(cwd, location);
  return Promise.resolve({ store: new FsObjectStore(path), display: path, localPath: path });
}

/** Where a passphrase comes from. */
export interface PassphraseSource {
  /** The option naming a file with it: `password-file`. */
  readonly fileOption: string;
  readonly fileValue: string | undefined;
  /** The variable holding it: `HOLDFAST_PASSWORD`. */
  readonly envVar: string;
  /** What it is for, in messages and the prompt: `passphrase`, `new passphrase`. */
  readonly what: string;
  /** A prompted passphrase is asked twice (a new key: a typo would lock the data away). */
  readonly confirm?: boolean | undefined;
}

/**
 * Reads a passphrase: the file (one trailing newline stripped) wins over the variable; an interactive
 * run without either is prompted (twice for a new key). An empty passphrase is refused.
 */
export async function readPassphrase(source: PassphraseSource, io: CliIo): Promise<string> {
  let passphrase: string | undefined;
  if (source.fileValue !== undefined) {
    try {
      passphrase = (await readFile(resolve(io.cwd, source.fileValue), 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw usageError(`cannot read --${source.fileOption} ${source.fileValue}: ${(error as Error).message}`);
    }
  } else if (io.env[source.envVar] !== undefined) {
    passphrase = io.env[source.envVar];
  } else if (io.promptPassphrase !== undefined) {
    passphrase = await io.promptPassphrase(`enter ${source.what}: `);
    if (source.confirm === true && passphrase !== '') {
      const again = await io.promptPassphrase(`repeat ${source.what}: `);
      if (again !== passphrase) throw usageError(`the two ${source.what}s differ`);
    }
  }
  if (passphrase === undefined) {
    throw usageError(`no ${source.what}: set ${source.envVar} or use --${source.fileOption} <file>`);
  }
  if (passphrase === '') throw usageError(`the ${source.what} is empty`);
  return passphrase;
}

/** The passphrase that opens the repository (`confirm`: or the first key `init` creates). */
export async function repositoryPassphrase(args: CommandArgs, io: CliIo, confirm = false): Promise<string> {
  return readPassphrase(
    {
      fileOption: 'password-file',
      fileValue: args.global.passwordFile,
      envVar: envVars.password,
      what: 'passphrase',
      confirm,
    },
    io,
  );
}

/**
 * A key provider for a passphrase. `forNewKey` providers may use the cheap test KDF when
 * `HOLDFAST_TEST_CHEAP_KDF=1` (tests only: such a key is easy to brute-force); opening always uses the
 * parameters stored in the key record.
 */
export function passphraseProvider(passphrase: string, io: CliIo, forNewKey: boolean): KeyProvider {
  if (forNewKey && io.env[envVars.testCheapKdf] === '1') {
    return new PassphraseKeyProvider(passphrase, { kdf: testingKdfParams });
  }
  return new PassphraseKeyProvider(passphrase);
}

/** An open repository and where it is. */
export interface OpenedRepository {
  readonly repository: Repository;
  readonly location: StoreLocation;
}

/**
 * Opens the repository of this run. No repository there: exit 10; a passphrase that opens no key:
 * exit 12. Neither writes anything.
 */
export async function openRepository(args: CommandArgs, io: CliIo): Promise<OpenedRepository> {
  const location = await openStore(repositoryLocation(args, io), io.cwd, io.env);
  const passphrase = await repositoryPassphrase(args, io);
  try {
    const repository = await Repository.open(location.store, {
      keyProvider: passphraseProvider(passphrase, io, false),
    });
    return { repository, location };
  } catch (error) {
    if (isHoldfastError(error, 'NOT_FOUND')) {
      throw new CliError(
        exitCodes.noRepository,
        'NOT_FOUND',
        `no repository at ${location.display} (create one with "holdfast init")`,
        { cause: error },
      );
    }
    if (isHoldfastError(error, 'AUTH')) {
      throw new CliError(
        exitCodes.wrongPassphrase,
        'AUTH',
        `wrong passphrase: it opens none of the keys of the repository at ${location.display}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** Runs `body` with the repository open, and closes it whatever happens. */
export async function withRepository<T>(
  args: CommandArgs,
  io: CliIo,
  body: (opened: OpenedRepository) => Promise<T>,
): Promise<T> {
  const opened = await openRepository(args, io);
  try {
    return await body(opened);
  } finally {
    await opened.repository.close();
  }
}
