/**
 * Runs a command the way a benchmark measures it: wall time from the harness's clock, peak resident set
 * size from GNU time (`/usr/bin/time -f %M`, the kernel's high-water mark for the child and its waited-for
 * descendants, in KiB). The child's own output is captured, not shown, so a chatty tool costs the same as a
 * quiet one; `-o` keeps GNU time's line out of the command's stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time; the harness refuses to run without it rather than report a made-up peak RSS. */
export const gnuTime = '/usr/bin/time';

/** What one measured command did. */
export interface Measured {
  /** Wall time in milliseconds, spawn to exit. */
  readonly wallMs: number;
  /** Peak resident set size in KiB, as GNU time reports it; NaN if GNU time gave none (the child was killed). */
  readonly peakRssKiB: number;
  /** The exit code, or null when a signal ended the command. */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runMeasured}. */
export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly cwd?: string | undefined;
}

/** Throws unless GNU time is installed. */
export function assertGnuTime(): void {
  if (!existsSync(gnuTime)) {
    throw new Error(`${gnuTime} not found: install GNU time (apt-get install -y time) to measure peak RSS`);
  }
}

/** Runs `command args` under GNU time and returns its wall time, peak RSS and output. Never throws for a failing command. */
export function runMeasured(command: string, args: readonly string[], options: RunOptions = {}): Measured {
  const scratch = mkdtempSync(join(tmpdir(), 'holdfast-bench-time-'));
  const rssFile = join(scratch, 'rss');
  try {
    const started = performance.now();
    const result = spawnSync(gnuTime, ['-f', '%M', '-o', rssFile, command, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
    const wallMs = performance.now() - started;
    if (result.error) {
      throw result.error;
    }
    return {
      wallMs,
      peakRssKiB: existsSync(rssFile) ? parsePeakRss(readFileSync(rssFile, 'utf8')) : Number.NaN,
      status: result.status,
      signal: result.signal,
      stdout: result.stdout,
      stderr: result.stderr,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** GNU time's `-o` file: the `%M` number on the last line, after an optional "Command exited with non-zero status N". */
function parsePeakRss(text: string): number {
  const lines = text.trim().split('\n');
  const last = lines.at(-1)?.trim() ?? '';
  return /^\d+$/.test(last) ? Number(last) : Number.NaN;
}

/** Whether a measured command succeeded. */
export function succeeded(measured: Measured): boolean {
  return measured.status === 0;
}

/** A one-paragraph description of a failed command for the console: exit status and the tail of its stderr. */
export function describeFailure(label: string, measured: Measured): string {
  const how = measured.signal === null ? `exit ${String(measured.status)}` : `signal ${measured.signal}`;
  const tail = (measured.stderr.trim() || measured.stdout.trim()).split('\n').slice(-15).join('\n');
  return `${label} failed (${how})${tail ? `:\n${tail}` : ''}`;
}
