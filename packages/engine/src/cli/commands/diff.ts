/** `holdfast diff <a> <b>`: what changed from snapshot a to snapshot b, streamed. */
import type { DiffEntry } from '../../repository/tree-diff.ts';
import type { CommandArgs } from '../args.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatCount, JsonArrayWriter, shortId, type CliIo } from '../output.ts';
import { outputOf, type Command } from './command.ts';

const signs: Readonly<Record<DiffEntry['change'], string>> = { added: '+', removed: '-', modified: 'M' };

export async function diffCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const [from = '', to = ''] = args.positionals;
  return withRepository(args, io, async ({ repository }) => {
    const a = await repository.snapshot(from);
    const b = await repository.snapshot(to);
    const json = args.global.json ? new JsonArrayWriter(out.stdout) : undefined;
    const counts = { added: 0, removed: 0, modified: 0 };
    for await (const entry of repository.diff(a, b)) {
      if (io.signal.aborted) break;
      counts[entry.change]++;
      if (json !== undefined) await json.push(entry);
      else await out.data(`${signs[entry.change]} ${entry.path}${entry.type === 'folder' ? '/' : ''}`);
    }
    io.signal.throwIfAborted();
    json?.end();
    out.line(
      `${shortId(a.id)} -> ${shortId(b.id)}: ${formatCount(counts.added)} added, ` +
        `${formatCount(counts.removed)} removed, ${formatCount(counts.modified)} modified`,
    );
    return exitCodes.success;
  });
}

export const diff: Command = {
  spec: {
    name: 'diff',
    summary: 'show what changed between two snapshots',
    arguments: ['<a>', '<b>'],
    options: {},
    description: [
      'Prints one line per item that differs from snapshot <a> to snapshot <b>: "+ path" added,',
      '"- path" removed, "M path" modified (content, mode, mtime or link target). Folders end in "/".',
    ],
    examples: ['holdfast diff 1a2b3c4d latest'],
    repository: true,
  },
  run: diffCommand,
};
