/** `holdfast ls <snapshot> [path]`: the items of a snapshot, streamed (a listing of millions needs no memory). */
import type { TreeNode } from '../../repository/tree.ts';
import { flag, integerValue, type CommandArgs } from '../args.ts';
import { usageError } from '../cli-error.ts';
import { withRepository } from '../context.ts';
import { exitCodes } from '../exit-codes.ts';
import { formatTime, JsonArrayWriter, type CliIo } from '../output.ts';
import { outputOf, type Command } from './command.ts';

export async function lsCommand(args: CommandArgs, io: CliIo): Promise<number> {
  const out = outputOf(args, io);
  const [ref = '', path = ''] = args.positionals;
  const long = flag(args.values, 'long');
  const depth = integerValue(args.values, 'depth');
  if (depth === 0) throw usageError('ls: --depth must be at least 1');
  return withRepository(args, io, async ({ repository }) => {
    const snapshot = await repository.snapshot(ref);
    const json = args.global.json ? new JsonArrayWriter(out.stdout) : undefined;
    for await (const { path: itemPath, node } of repository.ls(snapshot, {
      path,
      ...(depth === undefined ? {} : { depth }),
      signal: io.signal,
    })) {
      if (json !== undefined) await json.push(entryJson(itemPath, node));
      else await out.data(long ? longLine(itemPath, node) : `${itemPath}${marker(node)}`);
    }
    json?.end();
    return exitCodes.success;
  });
}

/** What `--json` prints per item: the node without its storage ids. */
export function entryJson(path: string, node: TreeNode): Record<string, unknown> {
  return {
    path,
    type: node.type,
    ...(node.size === undefined ? {} : { size: node.size }),
    ...(node.mtime === undefined ? {} : { mtime: node.mtime }),
    ...(node.mode === undefined ? {} : { mode: node.mode }),
    ...(node.link === undefined ? {} : { link: node.link }),
    ...(node.count === undefined ? {} : { count: node.count }),
  };
}

/** `/` after a folder, `@` after a symlink, `?` after anything else that is not a file. */
export function marker(node: TreeNode): string {
  return node.type === 'folder' ? '/' : node.type === 'symlink' ? '@' : node.type === 'other' ? '?' : '';
}

/** `-rw-r--r--      1234  2025-01-02 13:04:05  docs/a.txt` */
export function longLine(path: string, node: TreeNode): string {
  const size = node.type === 'file' ? String(node.size ?? 0) : '-';
  const link = node.type === 'symlink' ? ` -> ${node.link ?? ''}` : '';
  return `${modeString(node)}  ${size.padStart(12)}  ${formatTime(node.mtime).padEnd(19)}  ${path}${marker(node)}${link}`;
}

/** `drwxr-xr-x`; `?---------` when the source recorded no mode. */
export function modeString(node: TreeNode): string {
  const type = { file: '-', folder: 'd', symlink: 'l', other: '?' }[node.type];
  if (node.mode === undefined) return `${type}---------`;
  const mode = node.mode;
  const bits = 'rwxrwxrwx'.split('').map((letter, i) => ((mode >> (8 - i)) & 1 ? letter : '-'));
  return type + bits.join('');
}

export const ls: Command = {
  spec: {
    name: 'ls',
    summary: 'list the items of a snapshot',
    arguments: ['<snapshot>', '[path]'],
    options: {
      long: { type: 'boolean', short: 'l', description: 'long form: mode, size, modification time' },
      depth: { type: 'string', value: '<n>', description: 'at most n levels below the path' },
    },
    description: [
      '<snapshot> is "latest", a snapshot id or a unique prefix of one (at least 4 hex digits). Lists',
      'everything, or only [path] and what is beneath it. Folders end in "/", symlinks in "@".',
    ],
    examples: ['holdfast ls latest', 'holdfast ls 1a2b3c4d docs -l --depth 1'],
    repository: true,
  },
  run: lsCommand,
};
