/** `holdfast snapshots`: the snapshots of the repository, oldest first. */
import { fsSourceEntityId } from '../../fs/index.ts';
import type { Snapshot } from '../../repository/snapshot-record.ts';
import { stringValues, type CommandArgs } from '../args.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatBytes, formatTable, formatTime, plural, shortId, type CliIo } from '../output.ts';
import { outputOf, type Command } from './command.ts';

export async function snapshotsCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const tags = stringValues(args.values, 'tag');
  return withRepository(args, io, async ({ repository }) => {
    const snapshots = await repository.snapshots(tags.length === 0 ? {} : { tags });
    out.json(snapshots);
    if (snapshots.length === 0) {
      out.line('no snapshots yet');
      return exitCodes.success;
    }
    const rows = snapshots.map((snapshot) => [
      shortId(snapshot.id),
      formatTime(snapshot.time),
      sourceOf(snapshot),
      snapshot.tags.join(','),
      snapshot.status,
      formatBytes(snapshot.stats.totalBytes),
    ]);
    for (const line of formatTable(['ID', 'TIME', 'SOURCE', 'TAGS', 'STATUS', 'SIZE'], rows)) await out.data(line);
    out.line(plural(snapshots.length, 'snapshot'));
    return exitCodes.success;
  });
}

/** `fs:/home/ana` for a folder; `box:enterprise 42 / Ana` for an entity of a service. */
function sourceOf(snapshot: Snapshot): string {
  if (snapshot.source.startsWith('fs:') && snapshot.entity.id === fsSourceEntityId) return snapshot.source;
  return `${snapshot.source} / ${snapshot.entity.name ?? snapshot.entity.id}`;
}

export const snapshots: Command = {
  spec: {
    name: 'snapshots',
    summary: 'list snapshots',
    arguments: [],
    options: {
      tag: { type: 'string', multiple: true, value: '<tag>', description: 'only snapshots with this tag' },
    },
    description: ['Lists the snapshots of the repository, oldest first: id, time, source, tags, status and size.'],
    examples: ['holdfast snapshots', 'holdfast snapshots --json | jq -r ".[-1].id"'],
    repository: true,
  },
  run: snapshotsCommand,
};
