/**
 * `holdfast restore <snapshot> --target <dir>`: restores a snapshot, or the paths given with
 * `--include`, into a folder. Existing files are left alone and reported as failed unless `--overwrite`.
 * A target inside the repository is refused. Nothing is created at the target before the repository
 * is open and the snapshot found.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { FsRestoreTarget } from '../../fs/index.ts';
import type { RestoreProgress, RestoreResult } from '../../restore/restore-run.ts';
import { flag, stringValue, stringValues, type CommandArgs } from '../args.ts';
import { CliError, usageError } from '../cli-error.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatBytes, formatCount, formatDuration, plural, shortId, type CliIo } from '../output.ts';
import { countOf, ProgressBar, progressStyle, type ProgressState } from '../progress-bar.ts';
import { outputOf, type Command } from './command.ts';

export async function restoreCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const ref = args.positionals[0] ?? '';
  const given = stringValue(args.values, 'target');
  if (given === undefined || given === '')
    throw usageError('restore: missing --target <dir> (see "holdfast restore --help")');
  const target = resolve(io.cwd, given);
  const include = stringValues(args.values, 'include').map((path) => path.replace(/^\/+|\/+$/g, ''));
  if (include.includes('')) throw usageError('restore: --include needs a path inside the snapshot');
  const overwrite = flag(args.values, 'overwrite');
  return withRepository(args, io, async ({ repository, location }) => {
    if (location.localPath !== undefined && (await isInside(target, location.localPath))) {
      throw usageError(`refusing to restore into ${target}: it is inside the repository at ${location.display}`);
    }
    const snapshot = await repository.snapshot(ref);
    let restoreTarget: FsRestoreTarget;
    try {
      restoreTarget = await FsRestoreTarget.open(target);
    } catch (error) {
      throw new CliError(exitCodes.failed, 'PERMANENT', `cannot restore to ${target}: ${targetProblem(error)}`, {
        cause: error,
      });
    }
    const progress = new ProgressBar(io, progressStyle(io, args.global.json, args.global.quiet));
    const started = Date.now();
    let result: RestoreResult;
    try {
      result = await repository.restore(snapshot, restoreTarget, {
        ...(include.length === 0 ? {} : { include }),
        overwrite,
        signal: io.signal,
        onProgress: (state) => {
          progress.update(restoreProgressState(state));
        },
      });
    } finally {
      progress.finish();
    }
    const durationMs = Date.now() - started;
    out.json({ snapshot: snapshot.id, target, ...result, durationMs });
    out.line(
      `restored snapshot ${shortId(snapshot.id)} to ${target}: ${plural(result.files, 'file')}, ` +
        `${plural(result.folders, 'folder')}, ${plural(result.symlinks, 'symlink')}, ` +
        `${formatBytes(result.bytes)} in ${formatDuration(durationMs)}`,
    );
    if (result.skipped > 0) out.line(`skipped ${plural(result.skipped, 'item')} the target cannot hold`);
    if (result.errors.length > 0 && !args.global.json) {
      // Failed items are listed even with --quiet: they are what the exit code 3 is about.
      io.stdout.write(`${plural(result.errors.length, 'item')} failed:\n`);
      for (const error of result.errors) io.stdout.write(`  ${error.path}: ${error.message}\n`);
      if (!overwrite && result.errors.some((error) => error.code === 'CONFLICT')) {
        io.stdout.write('existing files were left alone: use --overwrite to replace them\n');
      }
    }
    return result.errors.length > 0 ? exitCodes.partial : exitCodes.success;
  });
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
    summary: 'restore a snapshot into a folder',
    arguments: ['<snapshot>'],
    options: {
      target: { type: 'string', short: 't', value: '<dir>', description: 'the folder to restore into (required)' },
      include: {
        type: 'string',
        multiple: true,
        value: '<path>',
        description: 'restore only this path of the snapshot, with everything beneath',
      },
      overwrite: { type: 'boolean', description: 'replace files that exist at the target' },
    },
    description: [
      '<snapshot> is "latest", a snapshot id or a unique prefix of one. Every byte is verified before it',
      'is written. Files that exist at the target are left alone and reported as failed (exit 3) unless',
      '--overwrite is given. A target inside the repository is refused.',
    ],
    examples: ['holdfast restore latest --target /tmp/restored', 'holdfast restore 1a2b3c4d -t . --include docs/a.txt'],
    repository: true,
  },
  run: restoreCommand,
};
