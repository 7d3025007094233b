/**
 * The two tools under test, driven through their command lines the way a user drives them, each with its
 * own repository directory. Every call runs under GNU time ({@link runMeasured}) and returns what it
 * measured; a failing command is reported, never thrown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Measured, runMeasured } from '../lib/measure.ts';
import { repoRoot } from '../lib/work-dir.ts';

/** A backup tool with a local repository. */
export interface BackupTool {
  readonly name: 'restic' | 'holdfast';
  /** The repository directory (what the size column measures). */
  readonly repoDir: string;
  init(): Measured;
  /** Backs up `dataDir` (an absolute path) into a new snapshot. */
  backup(dataDir: string): Measured;
  /** Restores the latest snapshot into `targetDir`, an empty directory. */
  restore(targetDir: string): Measured;
}

/** The passphrase of both benchmark repositories; key derivation costs the same for every step. */
const password = 'holdfast-bench';

/** The holdfast CLI, as `pnpm run build` leaves it. */
export const holdfastCli = join(repoRoot, 'packages/engine/dist/cli.js');

/** The holdfast CLI on `repoDir`, run under the harness's own Node. */
export function holdfast(repoDir: string): BackupTool {
  const env = { ...process.env, HOLDFAST_REPOSITORY: repoDir, HOLDFAST_PASSWORD: password };
  const run = (...args: string[]): Measured => runMeasured(process.execPath, [holdfastCli, ...args], { env });
  return {
    name: 'holdfast',
    repoDir,
    init: () => run('init'),
    backup: (dataDir) => run('backup', dataDir, '--json'),
    restore: (targetDir) => run('restore', 'latest', '--target', targetDir),
  };
}

/**
 * restic on `repoDir`, repository format version 2, named explicitly though restic 0.14's `stable` default
 * is 2 already: the format with compression, used at restic's default mode `auto` (zstd, fastest level).
 * Its cache goes in `cacheDir`, so every run starts with an empty cache.
 */
export function restic(repoDir: string, cacheDir: string): BackupTool {
  const env = { ...process.env, RESTIC_PASSWORD: password };
  const run = (...args: string[]): Measured =>
    runMeasured('restic', ['--repo', repoDir, '--cache-dir', cacheDir, ...args], { env });
  return {
    name: 'restic',
    repoDir,
    init: () => run('init', '--repository-version', '2'),
    backup: (dataDir) => run('backup', '--json', dataDir),
    restore: (targetDir) => run('restore', 'latest', '--target', targetDir),
  };
}

/** restic's repository format version as its config says, e.g. `2`; `unknown` if it cannot be read. */
export function resticRepositoryVersion(repoDir: string, cacheDir: string): string {
  const result = spawnSync('restic', ['--repo', repoDir, '--cache-dir', cacheDir, 'cat', 'config'], {
    env: { ...process.env, RESTIC_PASSWORD: password },
    encoding: 'utf8',
  });
  try {
    return String((JSON.parse(result.stdout) as { version?: number }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** `restic 0.14.0 compiled with go1.19.8 on linux/amd64`, or undefined when restic is not installed. */
export function resticVersion(): string | undefined {
  const result = spawnSync('restic', ['version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Installs restic from the distribution when it is missing and we may (root on Debian). Returns its version. */
export function ensureRestic(log: (message: string) => void): string | undefined {
  const installed = resticVersion();
  if (installed !== undefined || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    return installed;
  }
  log('restic not found: apt-get install -y restic');
  spawnSync('apt-get', ['install', '-y', 'restic'], { stdio: 'inherit' });
  return resticVersion();
}

/** The summary line of `restic backup --json`, if it printed one. */
export interface ResticSummary {
  readonly files_new: number;
  readonly files_changed: number;
  readonly files_unmodified: number;
  readonly data_added: number;
  readonly total_bytes_processed: number;
}

/** Picks the `summary` message out of `restic backup --json` output. */
export function resticSummary(stdout: string): ResticSummary | undefined {
  for (const line of stdout.split('\n').reverse()) {
    if (line.includes('"message_type":"summary"')) {
      return JSON.parse(line) as ResticSummary;
    }
  }
  return undefined;
}
