/**
 * `holdfast backup <dir>`: one snapshot of a local folder. The source is named by the folder's real
 * absolute path (`fs:/home/ana/Documents`), however the folder was given, so the next run finds this
 * snapshot as its parent and reads only what changed.
 */
import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BackupProgress } from '../../backup/backup-options.ts';
import { FsSource, fsSourceEntityId } from '../../fs/index.ts';
import type { Snapshot } from '../../repository/snapshot-record.ts';
import { stringValue, stringValues, type CommandArgs } from '../args.ts';
import { CliError, usageError } from '../cli-error.ts';
import { openConnector, parseConnectorLocation, type ConnectorLocation } from '../connector-locations.ts';
import { isHoldfastError } from '../../errors/index.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatBytes, formatCount, formatDuration, plural, shortId, type CliIo, type Output } from '../output.ts';
import { countOf, ProgressBar, progressStyle, type ProgressState } from '../progress-bar.ts';
import { outputOf, type Command } from './command.ts';

export async function backupCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const tags = stringValues(args.values, 'tag');
  for (const tag of tags) {
    if (tag === '' || tag.includes(','))
      throw new CliError(exitCodes.usage, 'USAGE', `invalid tag ${JSON.stringify(tag)}`);
  }
  const given = stringValue(args.values, 'source');
  const positional = args.positionals[0];
  if (given !== undefined && positional !== undefined) {
    throw usageError('backup: give the folder or --source, not both');
  }
  const service = parseConnectorLocation(given ?? positional ?? '');
  if (given !== undefined && service === undefined) {
    throw usageError(`backup: --source takes box://<user> or dropbox://<member>, not ${JSON.stringify(given)}`);
  }
  if (service !== undefined) return backupService(args, io, out, service, tags);
  if (positional === undefined) {
    throw usageError('backup: missing <dir> or --source <url> (see "holdfast backup --help")');
  }
  const folder = await sourceFolder(positional, io.cwd);
  return withRepository(args, io, async ({ repository }) => {
    const progress = new ProgressBar(io, progressStyle(io, args.global.json, args.global.quiet));
    const started = Date.now();
    let snapshot: Snapshot;
    try {
      snapshot = await repository.backup(new FsSource(folder), fsSourceEntityId, {
        tags,
        entityName: folder,
        signal: io.signal,
        onProgress: (state) => {
          progress.update(backupProgressState(state));
        },
      });
    } finally {
      progress.finish();
    }
    const durationMs = Date.now() - started;
    out.json({ snapshot, durationMs });
    printSummary(out, snapshot, durationMs);
    return snapshot.status === 'partial' ? exitCodes.partial : exitCodes.success;
  });
}

/**
 * Backs up every user a `box://` or `dropbox://` location names, one snapshot each. A user that fails
 * (a revoked token, a suspended member) is reported and the others go on; the exit code is 3 when any
 * user failed or is partial, 1 when every user failed.
 */
async function backupService(
  args: CommandArgs,
  io: CliIo,
  out: Output,
  location: ConnectorLocation,
  tags: readonly string[],
): Promise<number> {
  return withRepository(args, io, async ({ repository }) => {
    const connector = await openConnector(location.scheme, io.env);
    if (location.path !== '') {
      throw usageError(`backup: ${location.scheme}:// sources name users, not folders (got /${location.path})`);
    }
    const entities = await connector.entities(location, io.signal);
    const results: { entity: string; snapshot?: Snapshot; error?: { code: string; message: string } }[] = [];
    for (const entity of entities) {
      const label = entity.email ?? entity.name;
      const progress = new ProgressBar(io, progressStyle(io, args.global.json, args.global.quiet));
      const started = Date.now();
      try {
        out.line(`${location.scheme}: ${label}`);
        const snapshot = await repository.backup(connector.source, entity.id, {
          tags,
          entityName: label,
          signal: io.signal,
          onProgress: (state) => {
            progress.update(backupProgressState(state));
          },
        });
        progress.finish();
        results.push({ entity: entity.id, snapshot });
        printSummary(out, snapshot, Date.now() - started);
      } catch (error) {
        progress.finish();
        if (io.signal.aborted || !isHoldfastError(error) || error.code === 'CANCELED') throw error;
        results.push({ entity: entity.id, error: { code: error.code, message: error.message } });
        out.line(`  failed (${error.code}): ${error.message}`);
      }
    }
    out.json({ results });
    const failed = results.filter((result) => result.error !== undefined).length;
    const partial = results.filter((result) => result.snapshot?.status === 'partial').length;
    if (entities.length > 1) {
      out.line(
        `${plural(entities.length, 'user')}: ${String(entities.length - failed)} backed up` +
          (partial > 0 ? ` (${String(partial)} partial)` : '') +
          (failed > 0 ? `, ${String(failed)} failed` : ''),
      );
    }
    if (failed === entities.length) return exitCodes.failed;
    return failed > 0 || partial > 0 ? exitCodes.partial : exitCodes.success;
  });
}

/** The folder to back up, as a real absolute path; exit 1 if it is not a folder. */
async function sourceFolder(given: string, cwd: string): Promise<string> {
  const absolute = resolve(cwd, given);
  try {
    const folder = await realpath(absolute);
    if ((await stat(folder)).isDirectory()) return folder;
  } catch (error) {
    throw new CliError(exitCodes.failed, 'NOT_FOUND', `cannot back up ${absolute}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  throw new CliError(exitCodes.failed, 'NOT_FOUND', `cannot back up ${absolute}: not a folder`);
}

export function backupProgressState(state: BackupProgress): ProgressState {
  const estimate = state.estimatedTotalBytes;
  return {
    label: state.phase === 'walking' ? 'backup' : 'backup: finishing',
    counts: countOf(state.items, 'items') + (state.failedItems > 0 ? `, ${countOf(state.failedItems, 'failed')}` : ''),
    bytesDone: state.totalBytes,
    bytesTotal: estimate,
    fraction: estimate === undefined || estimate === 0 ? undefined : state.totalBytes / estimate,
    bytesPerSecond: state.bytesPerSecond,
    etaMs: state.etaMs,
    currentPath: state.currentPath,
  };
}

function printSummary(out: Output, snapshot: Snapshot, durationMs: number): void {
  const { stats } = snapshot;
  const partial = snapshot.status === 'partial' ? ` (partial: ${plural(stats.failedItems, 'item')} failed)` : '';
  out.line(`snapshot ${shortId(snapshot.id)} saved${partial}`);
  out.line(
    `  files: ${formatCount(stats.newFiles)} new, ${formatCount(stats.changedFiles)} changed, ` +
      `${formatCount(stats.unchangedFiles)} unchanged; ${formatCount(stats.deletedItems)} deleted, ` +
      `${formatCount(stats.failedItems)} failed; ${plural(stats.items, 'item')} in all`,
  );
  out.line(
    `  data:  ${formatBytes(stats.totalBytes)} in the snapshot, ${formatBytes(stats.bytesRead)} read, ` +
      `${formatBytes(stats.bytesAdded)} added to the repository`,
  );
  const requests = stats.requests;
  if (requests !== undefined) {
    out.line(
      `  requests: ${String(requests.put)} PUT, ${String(requests.get)} GET, ${String(requests.list)} LIST, ` +
        `${String(requests.head)} HEAD, ${String(requests.delete)} DELETE`,
    );
  }
  out.line(`  took ${formatDuration(durationMs)}`);
  if (snapshot.errors.length > 0) {
    out.line('failed items:');
    for (const error of snapshot.errors) out.line(`  ${error.path}: ${error.message}`);
    const unlisted = stats.failedItems - snapshot.errors.length;
    if (unlisted > 0) out.line(`  ... and ${plural(unlisted, 'more item')}`);
  }
}

export const backup: Command = {
  spec: {
    name: 'backup',
    summary: 'back up a folder, or Box or Dropbox users, into new snapshots',
    arguments: ['[<dir>]'],
    options: {
      source: {
        type: 'string',
        value: '<url>',
        description: 'box://<user> or dropbox://<member> (id or email; box:// alone: every user)',
      },
      tag: { type: 'string', multiple: true, value: '<tag>', description: 'tag the snapshot' },
    },
    description: [
      'Backs up <dir> into a new snapshot. Files unchanged since the last snapshot of the same folder are',
      'not read again. Items that cannot be read are listed and the snapshot is marked partial (exit 3).',
      'With --source box://<user> or dropbox://<member>, backs up that user (every user with box:// or',
      'dropbox:// alone), one snapshot each; after the first, only the changes the service reports are read.',
      'Credentials come from the environment (docs/connectors/). A user that fails is reported and the',
      'others go on (exit 3; exit 1 if every user failed).',
      'Ctrl-C cancels cleanly: no snapshot is written and the repository stays consistent (exit 130).',
    ],
    examples: [
      'holdfast backup ~/Documents --tag daily',
      'holdfast backup --source box://ana@example.com',
      'holdfast backup --source dropbox:// --tag nightly',
    ],
    repository: true,
  },
  run: backupCommand,
};
