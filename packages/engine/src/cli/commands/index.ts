/** Every command, in the order `holdfast --help` lists them. */
import { backup } from './backup.ts';
import { check } from './check.ts';
import type { Command } from './command.ts';
import { diff } from './diff.ts';
import { erase } from './erase.ts';
import { exportZip } from './export.ts';
import { forget } from './forget.ts';
import { init } from './init.ts';
import { keyAdd, keyList, keyRemove, keyRotate } from './key.ts';
import { ls } from './ls.ts';
import { prune } from './prune.ts';
import { restore } from './restore.ts';
import { snapshots } from './snapshots.ts';

export type { Command } from './command.ts';

export const commands: readonly Command[] = [
  init,
  backup,
  snapshots,
  ls,
  diff,
  restore,
  exportZip,
  check,
  forget,
  prune,
  erase,
  keyAdd,
  keyList,
  keyRotate,
  keyRemove,
];

/** Command words that take a subcommand: `key`. */
export const commandGroups: ReadonlySet<string> = new Set(
  commands.filter((command) => command.spec.name.includes(' ')).map((command) => command.spec.name.split(' ')[0] ?? ''),
);

/** The command named by `words` (`['backup']`, `['key', 'add']`). */
export function findCommand(words: readonly string[]): Command | undefined {
  return commands.find((command) => command.spec.name === words.join(' '));
}
