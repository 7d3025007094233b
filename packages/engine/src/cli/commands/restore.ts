/**
 * `holdfast restore <snapshot> --target <dir>`: restores a snapshot, or the paths given with
 * `--include`, into a folder. Existing files are left alone and reported as failed unless `--overwrite`.
 * A target inside the repository is refused. Nothing is created at the target before the repository
 * is open and the snapshot found.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FsRestoreTarget } from '../../fs/index.ts';
import type { RestoreTarget } from '../../ports/index.ts';
import type { RestoreReport } from '../../restore/restore-execute.ts';
import { RESTORE_MODES, type RestoreMode, type RestorePlan } from '../../restore/restore-plan.ts';
import type { RestoreProgress } from '../../restore/restore-run.ts';
import { flag, stringValue, stringValues, type CommandArgs } from '../args.ts';
import { CliError, usageError } from '../cli-error.ts';
import { openConnector, parseConnectorLocation } from '../connector-locations.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatTable,
  plural,
  shortId,
  type CliIo,
  type Output,
} from '../output.ts';
import { countOf, ProgressBar, progressStyle, type ProgressState } from '../progress-bar.ts';
import { outputOf, type Command } from './command.ts';

export async function restoreCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const ref = args.positionals[0] ?? '';
  const given = stringValue(args.values, 'target');
  if (given === undefined || given === '')
    throw usageError('restore: missing --target <dir> (see "holdfast restore --help")');
  const service = parseConnectorLocation(given);
  const target = service === undefined ? resolve(io.cwd, given) : given;
  const include = stringValues(args.values, 'include').map((path) => path.replace(/^\/+|\/+$/g, ''));
  if (include.includes('')) throw usageError('restore: --include needs a path inside the snapshot');
  const mode = modeOf(args.values);
  const dryRun = flag(args.values, 'dry-run');
  return withRepository(args, io, async ({ repository, location }) => {
    if (service === undefined && location.localPath !== undefined && (await isInside(target, location.localPath))) {
      throw usageError(`refusing to restore into ${target}: it is inside the repository at ${location.display}`);
    }
    const snapshot = await repository.snapshot(ref);
    let restoreTarget: RestoreTarget;
    if (service !== undefined) {
      restoreTarget = await (await openConnector(service.scheme, io.env)).target(service, io.signal);
    } else {
      try {
        // A dry run creates nothing, not even the target folder.
        restoreTarget = dryRun ? new FsRestoreTarget(target) : await FsRestoreTarget.open(target);
      } catch (error) {
        throw new CliError(exitCodes.failed, 'PERMANENT', `cannot restore to ${target}: ${targetProblem(error)}`, {
          cause: error,
        });
      }
    }
    const plan = await repository.planRestore(snapshot, restoreTarget, {
      mode,
      ...(include.length === 0 ? {} : { include }),
      signal: io.signal,
    });
    if (dryRun) {
      out.json({ target, ...plan });
      await printPlan(out, plan);
      return exitCodes.success;
    }
    const progress = new ProgressBar(io, progressStyle(io, args.global.json, args.global.quiet));
    const started = Date.now();
    let report: RestoreReport;
    let done = 0;
    let failed = 0;
    let bytes = 0;
    try {
      report = await repository.executeRestore(plan, restoreTarget, {
        signal: io.signal,
        onItem: (item) => {
          done++;
          if (item.outcome === 'failed') failed++;
          else if (item.outcome === 'succeeded') bytes += item.size;
          const elapsedMs = Date.now() - started;
          progress.update(
            restoreProgressState({
              files: done,
              folders: 0,
              bytes,
              totalBytes: plan.bytes,
              failed,
              elapsedMs,
              bytesPerSecond: elapsedMs > 0 ? (bytes * 1000) / elapsedMs : 0,
            }),
          );
        },
      });
    } finally {
      progress.finish();
    }
    const durationMs = Date.now() - started;
    const errors = [
      ...report.problems,
      ...report.items
        .filter((item) => item.outcome === 'failed')
        .map((item) => ({ path: item.path, code: item.code ?? 'PERMANENT', message: item.message ?? '' })),
    ];
    const succeeded = report.items.filter((item) => item.outcome === 'succeeded');
    const unsupported = report.items.filter((item) => item.reason === 'unsupported');
    const ofType = (type: string): number => succeeded.filter((item) => item.type === type).length;
    const ofAction = (action: string): number => succeeded.filter((item) => item.action === action).length;
    const counts = {
      files: ofType('file'),
      folders: ofType('folder'),
      symlinks: ofType('symlink'),
      skipped: report.totals.skipped,
      bytes: report.totals.bytes,
    };
    out.json({ target, ...counts, ...report, errors, durationMs });
    out.line(
      `restored snapshot ${shortId(snapshot.id)} to ${target}: ${plural(counts.files, 'file')}, ` +
        `${plural(counts.folders, 'folder')}, ${plural(counts.symlinks, 'symlink')}, ` +
        `${formatBytes(counts.bytes)} in ${formatDuration(durationMs)}`,
    );
    const details = [
      ofAction('overwrite') > 0 ? `${plural(ofAction('overwrite'), 'item')} overwritten` : '',
      report.restoreFolder === undefined
        ? ''
        : `${plural(ofAction('restore-folder'), 'item')} into "${report.restoreFolder}" (${plan.mode} mode)`,
      counts.skipped - unsupported.length > 0
        ? `${plural(counts.skipped - unsupported.length, 'item')} skipped (already there, or kept as they are)`
        : '',
    ].filter((part) => part !== '');
    if (details.length > 0) out.line(details.join('; '));
    if (unsupported.length > 0) {
      out.line(
        `${plural(unsupported.length, 'item')} not restored: ${target} cannot hold ${unsupported.length === 1 ? 'it' : 'them'} ` +
          '(symlinks on a target without them, Box web links, other special items; the snapshot keeps them):',
      );
      for (const item of unsupported.slice(0, 10)) out.line(`  ${item.path} (${item.type})`);
      if (unsupported.length > 10) out.line(`  ... and ${plural(unsupported.length - 10, 'more item')}`);
    }
    if (errors.length > 0 && !args.global.json) {
      // Failed items are listed even with --quiet: they are what the exit code 3 is about.
      io.stdout.write(`${plural(errors.length, 'item')} failed:\n`);
      for (const error of errors) io.stdout.write(`  ${error.path}: ${error.message}\n`);
    }
    return errors.length > 0 ? exitCodes.partial : exitCodes.success;
  });
}

/** `--mode`, with `--overwrite` as the older spelling of `--mode replace`. */
function modeOf(values: CommandArgs['values']): RestoreMode {
  const given = stringValue(values, 'mode');
  if (given !== undefined && !RESTORE_MODES.includes(given as RestoreMode)) {
    throw usageError(`restore: --mode is one of ${RESTORE_MODES.join(', ')}, not ${JSON.stringify(given)}`);
  }
  if (flag(values, 'overwrite')) {
    if (given !== undefined && given !== 'replace')
      throw usageError(`restore: --overwrite contradicts --mode ${given}`);
    return 'replace';
  }
  return (given as RestoreMode | undefined) ?? 'non-destructive';
}

async function printPlan(out: Output, plan: RestorePlan): Promise<void> {
  const rows = plan.items.map((item) => [
    item.action,
    item.reason,
    item.path + (item.targetPath === item.path ? '' : ` -> ${item.targetPath}`),
  ]);
  for (const line of formatTable(['ACTION', 'REASON', 'PATH'], rows)) await out.data(line);
  const { counts } = plan;
  out.line(
    `dry run (${plan.mode}): ${String(counts.create)} to create, ${String(counts.overwrite)} to overwrite, ` +
      `${String(counts['restore-folder'])} into ${plan.restoreFolder === undefined ? 'a restore folder' : `"${plan.restoreFolder}"`}, ` +
      `${String(counts.skip)} to skip; ${formatBytes(plan.bytes)} to write`,
  );
}

export function restoreProgressState(state: RestoreProgress): ProgressState {
  const total = state.totalBytes;
  return {
    label: 'restore',
    counts:
      `${countOf(state.files, 'files')}, ${countOf(state.folders, 'folders')}` +
      (state.failed > 0 ? `, ${formatCount(state.failed)} failed` : ''),
    bytesDone: state.bytes,
    bytesTotal: total,
    fraction: total === undefined || total === 0 ? undefined : state.bytes / total,
    bytesPerSecond: state.bytesPerSecond,
    etaMs: state.etaMs,
  };
}

/** Why the target folder cannot be opened, in words, with the system's code. */
function targetProblem(error: unknown): string {
  const code = systemCode((error as { cause?: unknown }).cause) ?? systemCode(error);
  const reasons: Readonly<Record<string, string>> = {
    ENOTDIR: 'a file is in the way of a folder on the path',
    EEXIST: 'a file is there, not a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
  };
  const reason = code === undefined ? undefined : reasons[code];
  return reason === undefined ? (error as Error).message : `${reason} (${code ?? ''})`;
}

function systemCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * Whether `path` is `folder` or beneath it, comparing real paths: the deepest existing ancestor of
 * `path` is resolved through symlinks, so `/tmp/link-to-repo/x` is caught.
 */
async function isInside(path: string, folder: string): Promise<boolean> {
  const real = async (at: string): Promise<string> => {
    try {
      return await realpath(at);
    } catch {
      const parent = dirname(at);
      return parent === at ? at : join(await real(parent), basename(at));
    }
  };
  const [target, root] = await Promise.all([real(path), real(folder)]);
  const rest = relative(root, target);
  return rest === '' || (rest !== '..' && !rest.startsWith(`..${sep}`) && !isAbsolute(rest));
}

export const restore: Command = {
  spec: {
    name: 'restore',
    summary: 'restore a snapshot into a folder, or into a Box or Dropbox user',
    arguments: ['<snapshot>'],
    options: {
      target: {
        type: 'string',
        short: 't',
        value: '<dir|url>',
        description: 'the folder to restore into, or box://<user>/<folder>, dropbox://<member>/<folder> (required)',
      },
      include: {
        type: 'string',
        multiple: true,
        value: '<path>',
        description: 'restore only this path of the snapshot, with everything beneath',
      },
      mode: {
        type: 'string',
        value: '<mode>',
        description: 'non-destructive (default), replace or bypass: what to do with what the target holds',
      },
      overwrite: { type: 'boolean', description: 'the same as --mode replace' },
      'dry-run': { type: 'boolean', short: 'n', description: 'print the plan for every item, write nothing' },
    },
    description: [
      '<snapshot> is "latest", a snapshot id or a unique prefix of one. Every byte is verified before it ' +
        'is written. A target inside the repository is refused.',
      'Modes: non-destructive (default) touches nothing at the target: into an empty or new folder items are ' +
        'created in place, otherwise they all go into a new "Holdfast Restore <UTC time>" folder inside it. ' +
        'replace creates missing items and overwrites existing ones with the snapshot version (identical ' +
        'ones are skipped). bypass creates missing items and leaves existing ones alone. In every mode an ' +
        'item blocked by something of another kind (a folder where the snapshot has a file, or the reverse) ' +
        'goes into the "Holdfast Restore" folder: no live folder is ever deleted.',
    ],
    examples: [
      'holdfast restore latest --target /tmp/restored',
      'holdfast restore latest --target ~/Documents --mode bypass --dry-run',
      'holdfast restore 1a2b3c4d -t ~/Documents --mode replace --include docs/a.txt',
      'holdfast restore latest --target box://ana@example.com --mode bypass',
      'holdfast restore latest --target dropbox://ben@example.com/Restored --include Projects',
    ],
    repository: true,
  },
  run: restoreCommand,
};
