/** `holdfast prune`: deletes the data no snapshot references. */
import type { PruneProgress, PruneReport } from '../../lifecycle/prune/prune-run.ts';
import type { Repository } from '../../repository/repository.ts';
import { flag, stringValue, type CommandArgs } from '../args.ts';
import { usageError } from '../cli-error.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatBytes, plural, type CliIo, type Output } from '../output.ts';
import { ProgressBar, progressStyle } from '../progress-bar.ts';
import { outputOf, type Command } from './command.ts';

const phaseNames: Readonly<Record<PruneProgress['phase'], string>> = {
  marking: 'finding the data in use',
  planning: 'planning',
  repacking: 'repacking',
  indexing: 'writing the index',
  deleting: 'deleting',
  done: 'done',
};

/** `--repack-threshold` as a number from 0 to 1 (a usage error otherwise); undefined when absent. */
export function repackThresholdOf(values: CommandArgs['values']): number | undefined {
  const text = stringValue(values, 'repack-threshold');
  if (text === undefined) return undefined;
  const value = /^(0(\.\d+)?|1(\.0+)?)$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value))
    throw usageError(`--repack-threshold must be a number from 0 to 1, got ${JSON.stringify(text)}`);
  return value;
}

/** Runs prune with a progress bar; shared by `prune` and `forget --prune`. */
export async function pruneWithProgress(
  repository: Repository,
  args: CommandArgs,
  io: CliIo,
  options: { dryRun: boolean; repackThreshold: number | undefined; assumeForgotten?: ReadonlySet<string> | undefined },
): Promise<PruneReport> {
  const progress = new ProgressBar(io, progressStyle(io, args.global.json, args.global.quiet));
  try {
    return await repository.prune({
      dryRun: options.dryRun,
      repackThreshold: options.repackThreshold,
      assumeForgotten: options.assumeForgotten,
      signal: io.signal,
      onProgress: (state) => {
        progress.update({
          label: `prune: ${phaseNames[state.phase]}`,
          counts: state.total > 0 ? `${String(state.done)}/${String(state.total)}` : '',
          fraction: state.total > 0 ? state.done / state.total : undefined,
        });
      },
    });
  } finally {
    progress.finish();
  }
}

/** The human summary of a prune. */
export function printPruneReport(out: Output, report: PruneReport): void {
  const would = report.dryRun ? 'would ' : '';
  const { packs, bytes, requests } = report;
  out.line(
    `${report.dryRun ? 'dry run: ' : ''}${plural(report.blobs.used, 'blob')} in use by ${plural(report.snapshots, 'snapshot')}; ` +
      `${would}remove ${plural(report.blobs.removed, 'unused blob')}`,
  );
  out.line(
    `packs: ${String(packs.before)} before; ${would}delete ${String(packs.deleted)} unused, ` +
      `${String(packs.unindexed)} left by interrupted runs, repack ${String(packs.repacked)} ` +
      `(${plural(report.blobs.repacked, 'blob')} copied${report.dryRun ? '' : ` into ${plural(packs.written, 'new pack')}`})`,
  );
  out.line(
    `space: ${formatBytes(bytes.before)} → ${formatBytes(bytes.after)}, ${would}reclaim ${formatBytes(bytes.reclaimed)}`,
  );
  out.line(
    `requests: ${String(requests.put)} PUT, ${String(requests.get)} GET, ${String(requests.list)} LIST, ` +
      `${String(requests.head)} HEAD, ${String(requests.delete)} DELETE`,
  );
}

export async function pruneCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const dryRun = flag(args.values, 'dry-run');
  const repackThreshold = repackThresholdOf(args.values);
  return withRepository(args, io, async ({ repository }) => {
    const report = await pruneWithProgress(repository, args, io, { dryRun, repackThreshold });
    out.json(report);
    printPruneReport(out, report);
    return exitCodes.success;
  });
}

export const pruneOptions = {
  'repack-threshold': {
    type: 'string',
    value: '<0-1>',
    description: 'repack a pack once this share of it is unused (default 0.5; 0: any unused byte)',
  },
} as const;

export const prune: Command = {
  spec: {
    name: 'prune',
    summary: 'delete data no snapshot references',
    arguments: [],
    options: {
      ...pruneOptions,
      'dry-run': { type: 'boolean', short: 'n', description: 'show what would be deleted, change nothing' },
    },
    description: [
      'Finds every blob some snapshot needs, then deletes the packs that hold none, the packs interrupted ' +
        'backups left behind, and repacks packs that are mostly unused (their used blobs are copied to new ' +
        'packs first). Prints what it removed, the space reclaimed and the storage requests it made.',
      'Takes the exclusive lock: it fails (exit 11) while a backup runs, and a backup started meanwhile is ' +
        'refused. Safe to interrupt: the repository stays consistent and the next prune finishes the job. ' +
        'A snapshot, tree or index it cannot read stops it before it deletes anything (run check).',
    ],
    examples: ['holdfast prune --dry-run', 'holdfast prune', 'holdfast prune --repack-threshold 0 --json'],
    repository: true,
  },
  run: pruneCommand,
};
