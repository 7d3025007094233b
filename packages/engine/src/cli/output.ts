/**
 * What the CLI writes, and how numbers look. Data and final summaries go to stdout; progress, warnings
 * and errors go to stderr. With `--json` stdout carries exactly one JSON document; with `--quiet` the
 * human summaries are left out (errors, and the items that failed, are still printed).
 */

/** Where text goes: `process.stdout`, `process.stderr`, or a buffer in tests. */
export interface TextSink {
  /** Returns `false` when the sink's buffer is full (a stream): wait for `drain` before writing more. */
  write(text: string): unknown;
  once?(event: 'drain', listener: () => void): unknown;
}

/**
 * Waits until `sink` takes more text, if its last write said it was full. Long listings await this
 * after each line, so piping millions of lines into a slow reader does not buffer them all in memory.
 */
export async function drained(sink: TextSink, lastWrite: unknown): Promise<void> {
  if (lastWrite !== false || sink.once === undefined) return;
  const once = sink.once.bind(sink);
  await new Promise<void>((resolve) => {
    once('drain', resolve);
  });
}

/** Everything a command touches outside itself, so commands run in-process in tests. */
export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: live progress bar instead of plain progress lines. */
  readonly isTTY: boolean;
  /** Resolves relative paths. */
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM: the running operation cancels cleanly. */
  readonly signal: AbortSignal;
  /** Width of the terminal, for the progress bar. Default 80. */
  readonly columns?: number | undefined;
  /** Asks for a passphrase without echo (interactive runs only). Absent: no prompting. */
  readonly promptPassphrase?: ((prompt: string) => Promise<string>) | undefined;
}

/** The output mode every command gets from the global options. */
export interface OutputMode {
  readonly json: boolean;
  readonly quiet: boolean;
}

/** Writes a command's output in the chosen mode. */
export class Output {
  readonly #io: CliIo;
  readonly mode: OutputMode;

  constructor(io: CliIo, mode: OutputMode) {
    this.#io = io;
    this.mode = mode;
  }

  /** Whether human summaries are printed (neither `--json` nor `--quiet`). */
  get human(): boolean {
    return !this.mode.json && !this.mode.quiet;
  }

  /** A line of a human summary on stdout: dropped with `--json` or `--quiet`. */
  line(text = ''): void {
    if (this.human) this.#io.stdout.write(`${text}\n`);
  }

  /**
   * A line of data on stdout (ls, diff, snapshots): printed with `--quiet`, not with `--json`. Resolves
   * when stdout can take more.
   */
  async data(text: string): Promise<void> {
    if (!this.mode.json) await drained(this.#io.stdout, this.#io.stdout.write(`${text}\n`));
  }

  /** The one JSON document of a `--json` run. */
  json(value: unknown): void {
    if (this.mode.json) this.#io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Raw stdout, for streamed JSON arrays. */
  get stdout(): TextSink {
    return this.#io.stdout;
  }
}

/** Streams a JSON array to stdout, one element at a time, so a listing of millions needs no memory. */
export class JsonArrayWriter {
  readonly #sink: TextSink;
  #count = 0;

  constructor(sink: TextSink) {
    this.#sink = sink;
    sink.write('[');
  }

  /** Writes one element; resolves when the sink can take more. */
  async push(value: unknown): Promise<void> {
    const written = this.#sink.write(`${this.#count === 0 ? '\n  ' : ',\n  '}${JSON.stringify(value)}`);
    this.#count++;
    await drained(this.#sink, written);
  }

  end(): void {
    this.#sink.write(this.#count === 0 ? ']\n' : '\n]\n');
  }
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `1536` → `1.5 KiB`: binary units, three significant digits. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${units[unit] ?? 'B'}`;
}

/** A rate in MiB/s, as the progress bar shows it. */
export function formatRate(bytesPerSecond: number): string {
  return `${(bytesPerSecond / (1024 * 1024)).toFixed(1)} MiB/s`;
}

/** `850` → `850 ms`, `12_300` → `12.3 s`, `185_000` → `3m05s`, `3_720_000` → `1h02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${pad(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h${pad(Math.floor((seconds % 3600) / 60))}m`;
}

/** A count with thousands separators: `12345` → `12,345`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `1 file`, `2 files`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** An ISO time as local `YYYY-MM-DD HH:MM:SS`. */
export function formatTime(iso: string | undefined): string {
  if (iso === undefined) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** The 8-hex short form of an id. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Shortens `text` to `width` characters, keeping its end (the file name): `…/deep/file.txt`. */
export function truncateStart(text: string, width: number): string {
  const chars = codePoints(text);
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(chars.length - Math.max(0, width)).join('');
  return `…${chars.slice(chars.length - width + 1).join('')}`;
}

/** The characters (code points) of `text`: what a terminal shows as one column, near enough. */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/** Aligns rows into columns under a header; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => codePoints(row[column] ?? '').length)),
  );
  const render = (row: readonly string[]): string =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)];
}
