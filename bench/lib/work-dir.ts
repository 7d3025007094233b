/**
 * Where benchmarks keep their data sets and repositories: `bench/.work/<name>/`, ignored by git. Data sets
 * are kept between runs (they are slow to make and checked against a manifest); repositories are not.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, whatever the current directory. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The work directory of one benchmark, created if missing. */
export function benchWorkDir(name: string): string {
  const dir = fileURLToPath(new URL(`../.work/${name}/`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}
