/** The commit a benchmark measured, so a results section says which code produced it. */
import { spawnSync } from 'node:child_process';
import { repoRoot } from './work-dir.ts';

/** `9820cd0`, or `9820cd0 + uncommitted changes under packages/`, or `unknown` outside a git checkout. */
export function describeRevision(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
  if (head.status !== 0) {
    return 'unknown';
  }
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: repoRoot, encoding: 'utf8' });
  const commit = head.stdout.trim();
  return dirty.stdout.trim() === '' ? commit : `${commit} + uncommitted changes under packages/`;
}
