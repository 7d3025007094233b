/**
 * Progress on stderr. On a terminal: one line redrawn in place (`\r`, at most 4 times a second) with a
 * bar when the total is known, counts, bytes, rate, ETA and the current path cut to the terminal's
 * width. Elsewhere (a log file, CI): a plain line at most every 10 seconds. Nothing with `--json` or
 * `--quiet`. Commands turn their engine's progress type into a {@link ProgressState}; this file knows
 * nothing about backups or restores.
 */
import {
  codePoints,
  formatBytes,
  formatCount,
  formatDuration,
  formatRate,
  truncateStart,
  type CliIo,
} from './output.ts';

/** One moment of an operation, as the CLI shows it. */
export interface ProgressState {
  /** What is running: `backup`, `restore`, `check: packs`. */
  readonly label: string;
  /** The counts: `1,234 items, 2 failed`. */
  readonly counts: string;
  readonly bytesDone?: number | undefined;
  readonly bytesTotal?: number | undefined;
  /** How far along, 0..1, when known (from bytes or from a count). */
  readonly fraction?: number | undefined;
  readonly bytesPerSecond?: number | undefined;
  readonly etaMs?: number | undefined;
  readonly currentPath?: string | undefined;
}

export type ProgressStyle = 'bar' | 'lines' | 'off';

/** The style for this run: off with `--json`/`--quiet`, a bar on a terminal, lines otherwise. */
export function progressStyle(io: CliIo, json: boolean, quiet: boolean): ProgressStyle {
  if (json || quiet) return 'off';
  return io.isTTY ? 'bar' : 'lines';
}

export interface ProgressBarOptions {
  /** Minimum ms between redraws on a terminal. Default 250. */
  readonly redrawInterval?: number | undefined;
  /** Minimum ms between plain lines. Default 10 000. */
  readonly lineInterval?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** Draws progress on stderr in one {@link ProgressStyle}. */
export class ProgressBar {
  readonly #io: CliIo;
  readonly #style: ProgressStyle;
  readonly #redrawInterval: number;
  readonly #lineInterval: number;
  readonly #now: () => number;
  #last: number;
  #drawn = false;

  constructor(io: CliIo, style: ProgressStyle, options: ProgressBarOptions = {}) {
    this.#io = io;
    this.#style = style;
    this.#redrawInterval = options.redrawInterval ?? 250;
    this.#lineInterval = options.lineInterval ?? 10_000;
    this.#now = options.now ?? Date.now;
    // Plain lines start after one interval: a short run prints none.
    this.#last = style === 'lines' ? this.#now() : 0;
  }

  /** Shows `state` if the last draw is old enough. */
  update(state: ProgressState): void {
    if (this.#style === 'off') return;
    const now = this.#now();
    const interval = this.#style === 'bar' ? this.#redrawInterval : this.#lineInterval;
    if (now - this.#last < interval) return;
    this.#last = now;
    if (this.#style === 'bar') {
      this.#io.stderr.write(`\r${renderBar(state, this.#io.columns ?? 80)}\u001b[K`);
      this.#drawn = true;
    } else {
      this.#io.stderr.write(`${renderLine(state)}\n`);
    }
  }

  /** Clears the bar, so the summary starts on a clean line. Idempotent. */
  finish(): void {
    if (this.#drawn) this.#io.stderr.write('\r\u001b[K');
    this.#drawn = false;
  }
}

/** The terminal line: `[#####-----]  45% 1,234 items  120 MiB / 300 MiB  45.2 MiB/s  ETA 12.0 s  path`. */
export function renderBar(state: ProgressState, columns: number): string {
  const parts: string[] = [];
  if (state.fraction !== undefined) {
    const fraction = Math.min(1, Math.max(0, state.fraction));
    const width = 20;
    const filled = Math.round(fraction * width);
    parts.push(
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`,
    );
  } else {
    parts.push(state.label);
  }
  parts.push(state.counts);
  if (state.bytesDone !== undefined) {
    parts.push(
      state.bytesTotal === undefined
        ? formatBytes(state.bytesDone)
        : `${formatBytes(state.bytesDone)} / ${formatBytes(state.bytesTotal)}`,
    );
  }
  if (state.bytesPerSecond !== undefined) parts.push(formatRate(state.bytesPerSecond));
  if (state.etaMs !== undefined) parts.push(`ETA ${formatDuration(state.etaMs)}`);
  let line = parts.join('  ');
  const width = Math.max(20, columns - 1); // never write the last column: some terminals wrap there
  const length = codePoints(line).length;
  if (length > width) return codePoints(line).slice(0, width).join('');
  if (state.currentPath !== undefined && state.currentPath !== '') {
    const room = width - length - 2;
    if (room >= 8) line += `  ${truncateStart(state.currentPath, room)}`;
  }
  return line;
}

/** The plain line: `backup: 1,234 items, 120 MiB / 300 MiB, 45.2 MiB/s, ETA 12.0 s`. */
export function renderLine(state: ProgressState): string {
  const parts = [state.counts];
  if (state.bytesDone !== undefined) {
    parts.push(
      state.bytesTotal === undefined
        ? formatBytes(state.bytesDone)
        : `${formatBytes(state.bytesDone)} / ${formatBytes(state.bytesTotal)}`,
    );
  }
  if (state.bytesPerSecond !== undefined) parts.push(formatRate(state.bytesPerSecond));
  if (state.etaMs !== undefined) parts.push(`ETA ${formatDuration(state.etaMs)}`);
  if (state.fraction !== undefined) parts.push(`${String(Math.floor(Math.min(1, state.fraction) * 100))}%`);
  return `${state.label}: ${parts.join(', ')}`;
}

/** `1,234 items` for progress counts. */
export function countOf(n: number, what: string): string {
  return `${formatCount(n)} ${what}`;
}
