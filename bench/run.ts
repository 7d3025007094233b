/**
 * `pnpm bench [name...]`: runs the benchmarks under `bench/`, each a folder with an `index.ts` that
 * measures Holdfast against a peer in the same run, prints ratios, and updates `docs/benchmarks.md`.
 * With names, runs only those; options (words starting with `--`, e.g. `--quick`, `--no-docs`) are passed to
 * every benchmark run. Benchmarks are never part of the test run: tests do not depend on timing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const benchDir = new URL('.', import.meta.url);
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/index.ts`, benchDir)))
  .map((entry) => entry.name)
  .sort();

/** Options that take a value (`--only holdfast`). */
const VALUED_OPTIONS = new Set(['--only']);
const args = process.argv.slice(2).filter((arg) => arg !== '--');
const options: string[] = [];
const asked: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? '';
  if (!arg.startsWith('--')) asked.push(arg);
  else if (VALUED_OPTIONS.has(arg) && i + 1 < args.length) options.push(arg, args[++i] ?? '');
  else options.push(arg);
}
const unknown = asked.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ') || 'none'}`);
  process.exit(2);
}

const chosen = asked.length > 0 ? asked : available;
if (chosen.length === 0) {
  console.log('bench: no benchmarks yet (each lives in bench/<name>/index.ts)');
}
for (const name of chosen) {
  console.log(`\n=== bench ${name}`);
  const result = spawnSync(process.execPath, [new URL(`${name}/index.ts`, benchDir).pathname, ...options], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(`bench: ${name} failed (exit ${String(result.status ?? result.signal)})`);
    process.exit(1);
  }
}
