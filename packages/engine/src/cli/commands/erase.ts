/** `holdfast erase`: removes items from every snapshot and deletes their data (GDPR). */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EraseItem, EraseReport } from '../../lifecycle/erase/erase-run.ts';
import { flag, stringValue, stringValues, type CommandArgs } from '../args.ts';
import { usageError } from '../cli-error.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatBytes, formatTime, plural, shortId, type CliIo, type Output } from '../output.ts';
import { outputOf, type Command } from './command.ts';

/** A source name as snapshots record it: `fs:/abs/dir` from a folder path, or a name given as is. */
async function sourceName(value: string, cwd: string): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return value;
  const absolute = resolve(cwd, value);
  // `backup` records the real path; the folder may be gone by now (that is often why one erases).
  const real = await realpath(absolute).catch(() => absolute);
  return `fs:${real}`;
}

export async function eraseCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const dryRun = flag(args.values, 'dry-run');
  const items: EraseItem[] = [
    ...args.positionals.map((path) => ({ path })),
    ...stringValues(args.values, 'id').map((id) => ({ id })),
  ];
  if (items.length === 0) throw usageError('erase: name at least one item path or --id (see "holdfast erase --help")');
  if (!dryRun && !flag(args.values, 'yes')) {
    throw usageError('erase deletes data for good: see what it would do with --dry-run, then confirm with --yes');
  }
  const source = stringValue(args.values, 'source');
  const request = {
    items,
    ...(source === undefined ? {} : { source: await sourceName(source, io.cwd) }),
  };
  return withRepository(args, io, async ({ repository }) => {
    const report = await repository.erase(request, { dryRun, signal: io.signal });
    out.json(report);
    printEraseReport(out, report);
    return exitCodes.success;
  });
}

function printEraseReport(out: Output, report: EraseReport): void {
  if (report.snapshotsRewritten === 0) {
    out.line('no snapshot holds these items: nothing to erase');
    return;
  }
  for (const snapshot of report.snapshots) {
    const arrow = snapshot.newId === undefined ? '' : ` → ${shortId(snapshot.newId)}`;
    out.line(`${shortId(snapshot.id)}${arrow}  ${formatTime(snapshot.time)}  ${snapshot.source}`);
    for (const path of snapshot.paths) out.line(`  ${report.dryRun ? 'would erase' : 'erased'} ${path}`);
  }
  const verb = report.dryRun ? 'would erase' : 'erased';
  out.line(
    `${verb} ${plural(report.items, 'item')} from ${plural(report.snapshotsRewritten, 'snapshot')}` +
      (report.dryRun
        ? ` (${plural(report.chunks.erased, 'chunk')} they use)`
        : `; ${plural(report.chunks.erased, 'chunk')} deleted, ${plural(report.chunks.keptShared, 'chunk')} kept ` +
          `because other items share them; ${formatBytes(report.bytesRemoved)} removed`),
  );
}

export const erase: Command = {
  spec: {
    name: 'erase',
    summary: 'erase items from every snapshot and delete their data (GDPR)',
    arguments: ['[path...]'],
    options: {
      id: { type: 'string', multiple: true, value: '<item-id>', description: 'erase the item with this source id' },
      source: {
        type: 'string',
        value: '<dir|name>',
        description: 'only snapshots of this backed-up folder (or source name, fs:/...)',
      },
      'dry-run': { type: 'boolean', short: 'n', description: 'show what would be erased, change nothing' },
      yes: { type: 'boolean', description: 'confirm: erasing cannot be undone' },
    },
    description: [
      'Removes the named items (paths within the backed-up folder, e.g. docs/report.pdf; a folder takes ' +
        "everything in it) from every snapshot that holds them, keeping each snapshot's time and everything " +
        'else, then deletes the data only those items used, so it is gone from storage. Data shared with ' +
        'items that stay (an identical copy elsewhere, say) is kept: it is theirs too.',
      'Erase cannot stop an item that still exists in the folder from being backed up again: delete it there ' +
        'first. Takes the exclusive lock. Without --dry-run it needs --yes.',
    ],
    examples: [
      'holdfast erase --source ~/Documents "clients/acme/contract.pdf" --dry-run',
      'holdfast erase --source ~/Documents "clients/acme/contract.pdf" --yes',
    ],
    repository: true,
  },
  run: eraseCommand,
};
