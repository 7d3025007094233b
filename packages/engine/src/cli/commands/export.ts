/** `holdfast export <snapshot> --to <dir>`: a snapshot, or some of its paths, as one zip with a manifest. */
import { resolve } from 'node:path';
import type { ExportResult } from '../../export/zip-export.ts';
import { FsExportDestination } from '../../fs/index.ts';
import { integerValue, stringValue, stringValues, type CommandArgs } from '../args.ts';
import { usageError } from '../cli-error.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatBytes, formatDuration, plural, shortId, type CliIo } from '../output.ts';
import { countOf, ProgressBar, progressStyle } from '../progress-bar.ts';
import { openConnector, parseConnectorLocation } from '../connector-locations.ts';
import { openRemoteDestination, parseRemoteLocation } from '../remote-locations.ts';
import { outputOf, type Command } from './command.ts';

export async function exportCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const ref = args.positionals[0] ?? '';
  const to = stringValue(args.values, 'to');
  if (to === undefined || to === '') throw usageError('export: missing --to <dir> (see "holdfast export --help")');
  const remote = parseRemoteLocation(to);
  const service = parseConnectorLocation(to);
  const folder = remote === undefined && service === undefined ? resolve(io.cwd, to) : to;
  const include = stringValues(args.values, 'include').map((path) => path.replace(/^\/+|\/+$/g, ''));
  if (include.includes('')) throw usageError('export: --include needs a path inside the snapshot');
  const level = integerValue(args.values, 'level');
  if (level !== undefined && level > 9) throw usageError(`export: --level is 0 (store) to 9, not ${String(level)}`);
  const name = stringValue(args.values, 'name');
  return withRepository(args, io, async ({ repository }) => {
    const snapshot = await repository.snapshot(ref);
    const progress = new ProgressBar(io, progressStyle(io, args.global.json, args.global.quiet));
    const started = Date.now();
    let result: ExportResult;
    try {
      const destination =
        service !== undefined
          ? await (await openConnector(service.scheme, io.env)).destination(service, io.signal)
          : remote === undefined
            ? new FsExportDestination(folder)
            : await openRemoteDestination(remote, io.env);
      result = await repository.export(snapshot, destination, {
        ...(include.length === 0 ? {} : { include }),
        ...(name === undefined ? {} : { name }),
        ...(level === undefined ? {} : { compressionLevel: level }),
        signal: io.signal,
        onProgress: (state) => {
          const elapsedMs = Date.now() - started;
          progress.update({
            label: 'export',
            counts: countOf(state.files, 'files'),
            bytesDone: state.bytes,
            bytesTotal: state.totalBytes,
            fraction:
              state.totalBytes === undefined || state.totalBytes === 0 ? undefined : state.bytes / state.totalBytes,
            bytesPerSecond: elapsedMs > 0 ? (state.bytes * 1000) / elapsedMs : 0,
            etaMs: undefined,
          });
        },
      });
    } finally {
      progress.finish();
    }
    const durationMs = Date.now() - started;
    out.json({ ...result, durationMs });
    out.line(
      `exported snapshot ${shortId(snapshot.id)} to ${result.location.location}: ${plural(result.files, 'file')}, ` +
        `${plural(result.folders, 'folder')}, ${formatBytes(result.bytes)} (zip ${formatBytes(result.location.size)}) ` +
        `in ${formatDuration(durationMs)}; manifest in ${result.manifest.json} and ${result.manifest.csv}`,
    );
    if (result.skipped > 0)
      out.line(`${plural(result.skipped, 'item')} listed in the manifest but not stored (symlinks)`);
    return exitCodes.success;
  });
}

export const exportZip: Command = {
  spec: {
    name: 'export',
    summary: 'export a snapshot as a zip with a manifest',
    arguments: ['<snapshot>'],
    options: {
      to: {
        type: 'string',
        value: '<dir|url>',
        description:
          'the folder, or s3://, azure://, gs://, box://<user>/<folder>, dropbox://<member>/<folder> location, to write the zip into (required)',
      },
      include: {
        type: 'string',
        multiple: true,
        value: '<path>',
        description: 'export only this path of the snapshot, with everything beneath',
      },
      name: { type: 'string', value: '<file>', description: 'the zip file name (default: holdfast-<id>-<time>Z.zip)' },
      level: {
        type: 'string',
        value: '<0-9>',
        description: 'deflate level: 0 stores (default, fastest), 1-9 compress',
      },
    },
    description: [
      'Writes one zip (zip64 when large) of the snapshot, or of the --include paths, into a folder, with ' +
        'manifest.json and manifest.csv (path, type, size, modified, SHA-256, source hash, snapshot) inside. ' +
        'Every byte is verified on the way; memory stays flat however large the export. The zip appears only ' +
        'when complete: a failed or interrupted export leaves nothing. An existing file of that name is refused.',
    ],
    examples: [
      'holdfast export latest --to /mnt/usb',
      'holdfast export 1a2b3c4d --to . --include clients/acme --name acme.zip',
      'holdfast export latest --to box://it-admin@example.com/Offboarding --name ana.zip',
    ],
    repository: true,
  },
  run: exportCommand,
};
