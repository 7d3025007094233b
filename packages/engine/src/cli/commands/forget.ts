/** `holdfast forget`: applies a retention policy per entity and removes the snapshots it does not keep. */
import { isHoldfastError } from '../../errors/index.ts';
import { parseRetentionDuration, type RetentionPolicy } from '../../lifecycle/retention.ts';
import { flag, integerValue, stringValue, stringValues, type CommandArgs } from '../args.ts';
import { usageError } from '../cli-error.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatTable, formatTime, plural, shortId, type CliIo } from '../output.ts';
import { outputOf, type Command } from './command.ts';
import { printPruneReport, pruneOptions, pruneWithProgress, repackThresholdOf } from './prune.ts';

const COUNT_OPTIONS = [
  ['keep-last', 'keepLast', 'the N newest snapshots'],
  ['keep-hourly', 'keepHourly', 'the newest snapshot of each of the last N hours that have one'],
  ['keep-daily', 'keepDaily', 'the newest of each of the last N days (UTC)'],
  ['keep-weekly', 'keepWeekly', 'the newest of each of the last N ISO weeks'],
  ['keep-monthly', 'keepMonthly', 'the newest of each of the last N months'],
  ['keep-yearly', 'keepYearly', 'the newest of each of the last N years'],
] as const;

/** The policy the options describe; a usage error when they describe none or a malformed one. */
export function policyOf(values: CommandArgs['values']): RetentionPolicy {
  const policy: { -readonly [K in keyof RetentionPolicy]: RetentionPolicy[K] } = {};
  for (const [option, key] of COUNT_OPTIONS) {
    const count = integerValue(values, option);
    if (count !== undefined) policy[key] = count;
  }
  const within = stringValue(values, 'keep-within');
  if (within !== undefined) {
    try {
      policy.keepWithin = parseRetentionDuration(within);
    } catch (error) {
      if (isHoldfastError(error, 'VALIDATION')) throw usageError(`--keep-within: ${error.message}`);
      throw error;
    }
  }
  const tags = stringValues(values, 'keep-tag');
  if (tags.length > 0) policy.keepTags = tags;
  if (Object.keys(policy).length === 0) {
    throw usageError('forget: give at least one --keep-* option (without a policy every snapshot is kept)');
  }
  return policy;
}

export async function forgetCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const policy = policyOf(args.values);
  const dryRun = flag(args.values, 'dry-run');
  const tags = stringValues(args.values, 'tag');
  const prune = flag(args.values, 'prune');
  const repackThreshold = repackThresholdOf(args.values);
  if (repackThreshold !== undefined && !prune) throw usageError('forget: --repack-threshold goes with --prune');
  return withRepository(args, io, async ({ repository }) => {
    const result = await repository.forget(policy, {
      dryRun,
      signal: io.signal,
      filter: tags.length === 0 ? {} : { tags },
    });
    // A dry run reports the prune as it would run once the snapshots are forgotten.
    const assumeForgotten = dryRun
      ? new Set(result.groups.flatMap((g) => g.decisions.filter((d) => !d.keep).map((d) => d.snapshot.id)))
      : undefined;
    const pruned = prune
      ? await pruneWithProgress(repository, args, io, { dryRun, repackThreshold, assumeForgotten })
      : undefined;
    out.json(pruned === undefined ? result : { ...result, prune: pruned });
    for (const group of result.groups) {
      out.line(`${group.source}${group.entity.id === 'root' ? '' : ` / ${group.entity.name ?? group.entity.id}`}`);
      const rows = group.decisions.map((decision) => [
        shortId(decision.snapshot.id),
        formatTime(decision.snapshot.time),
        decision.keep
          ? 'keep'
          : dryRun
            ? 'would remove'
            : result.locked.includes(decision.snapshot.id)
              ? 'locked'
              : 'removed',
        decision.reasons.join(', '),
      ]);
      for (const line of formatTable(['ID', 'TIME', 'ACTION', 'REASONS'], rows)) await out.data(line);
      out.line();
    }
    const verb = dryRun ? 'would remove' : 'removed';
    out.line(
      `kept ${plural(result.kept, 'snapshot')}, ${verb} ${plural(result.forgotten, 'snapshot')}` +
        (result.forgotten > 0 && !dryRun && !prune ? '; their data stays until it is pruned' : ''),
    );
    if (result.locked.length > 0) {
      out.line(
        `${plural(result.locked.length, 'snapshot')} the policy does not keep ${result.locked.length === 1 ? 'is' : 'are'} ` +
          "still under the store's retention (Object Lock) and stay until a later forget",
      );
    }
    if (pruned !== undefined) printPruneReport(out, pruned);
    return exitCodes.success;
  });
}

export const forget: Command = {
  spec: {
    name: 'forget',
    summary: 'remove snapshots a retention policy does not keep',
    arguments: [],
    options: {
      ...Object.fromEntries(
        COUNT_OPTIONS.map(([option, , description]) => [
          option,
          { type: 'string', value: '<n>', description: `keep ${description}` },
        ]),
      ),
      'keep-within': {
        type: 'string',
        value: '<duration>',
        description: 'keep every snapshot within this long before the newest (30d, 6m, 1y, 1y6m, 48h)',
      },
      'keep-tag': { type: 'string', multiple: true, value: '<tag>', description: 'keep every snapshot with this tag' },
      tag: { type: 'string', multiple: true, value: '<tag>', description: 'only consider snapshots with this tag' },
      prune: { type: 'boolean', description: 'then delete the data nothing references any more (see prune)' },
      ...pruneOptions,
      'dry-run': { type: 'boolean', short: 'n', description: 'show what would be removed, remove nothing' },
    },
    description: [
      'Applies a retention policy to the snapshots of each backed-up folder or entity separately and removes the ' +
        'snapshot records it does not keep. A snapshot is kept when any rule keeps it; every reason is shown. ' +
        'Periods are UTC calendar hours, days, ISO weeks, months and years; --keep-within counts back from the ' +
        'newest snapshot, so stopped backups never expire the last good ones.',
      'Only snapshot records are removed: the data they referenced stays in the repository until it is pruned ' +
        '(--prune does that right after; with --dry-run it reports what that prune would remove). ' +
        'Takes the exclusive lock (a running backup makes forget fail with exit 11); --dry-run takes none.',
    ],
    examples: [
      'holdfast forget --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --dry-run',
      'holdfast forget --keep-within 90d --keep-tag legal-hold --prune',
      'holdfast forget --keep-last 10 --json',
    ],
    repository: true,
  },
  run: forgetCommand,
};
