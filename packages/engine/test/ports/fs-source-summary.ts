/** A compact, comparable summary of an FsSource walk: one line per entry. */
import { FsSource, fsSourceEntityId } from '../../src/fs/index.ts';

/** `item <type> <path>` or `error <code> <path>` per entry, in walk order. */
export async function summarizeWalk(root: string): Promise<string[]> {
  const walk = await new FsSource(root).walk(fsSourceEntityId);
  const lines: string[] = [];
  for await (const entry of walk.entries) {
    if (entry.kind === 'item') lines.push(`item ${entry.item.type} ${entry.item.path}`);
    else if (entry.kind === 'error') lines.push(`error ${entry.error.code} ${entry.path}`);
  }
  return lines;
}
