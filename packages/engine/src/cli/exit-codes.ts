/**
 * The exit codes of `holdfast`: a stable contract for scripts (documented in `docs/cli.md` and in
 * `holdfast --help`). A code never changes meaning once released.
 */
export const exitCodes = {
  /** The command did what was asked. */
  success: 0,
  /** The command failed. */
  failed: 1,
  /** Unknown command or option, a missing or malformed argument, input the engine refused. */
  usage: 2,
  /** The command completed but some items failed (a partial backup, a restore with failed items). */
  partial: 3,
  /** `check` found errors. */
  checkFailed: 4,
  /** No repository at the location. */
  noRepository: 10,
  /** The repository is locked by another process. */
  locked: 11,
  /** The passphrase opens none of the repository's keys. */
  wrongPassphrase: 12,
  /** Interrupted (SIGINT, SIGTERM): the repository is left consistent. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** One line per exit code, for `--help` and the docs. */
export const exitCodeHelp: readonly (readonly [ExitCode, string])[] = [
  [exitCodes.success, 'success'],
  [exitCodes.failed, 'the command failed'],
  [exitCodes.usage, 'usage error: unknown command or option, missing or malformed argument'],
  [exitCodes.partial, 'completed, but some items failed (partial backup, restore with failed items)'],
  [exitCodes.checkFailed, 'check found errors'],
  [exitCodes.noRepository, 'no repository at the location'],
  [exitCodes.locked, 'the repository is locked by another process'],
  [exitCodes.wrongPassphrase, 'wrong passphrase'],
  [exitCodes.interrupted, 'interrupted (Ctrl-C); the repository is left consistent'],
];
