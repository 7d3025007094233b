/**
 * Number formatting and tables shared by the benchmarks. Tables render both for the console and as
 * Markdown laid out exactly as Prettier would lay them out, so `docs/benchmarks.md` stays
 * `prettier --check` clean after a run.
 */

const MiB = 1024 * 1024;

/** Bytes as MiB or GiB with one or two decimals: `812.4 MiB`, `1.27 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) {
    return 'n/a';
  }
  return bytes >= 1024 * MiB ? `${(bytes / 1024 / MiB).toFixed(2)} GiB` : `${(bytes / MiB).toFixed(1)} MiB`;
}

/** Milliseconds as seconds: `10.52 s`. */
export function formatSeconds(ms: number): string {
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a';
}

/** Throughput in MiB/s of `bytes` processed in `ms`. */
export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / MiB / (ms / 1000);
}

/** A throughput: `121.4 MiB/s`. */
export function formatRate(rate: number, unit = 'MiB/s'): string {
  return Number.isFinite(rate) ? `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} ${unit}` : 'n/a';
}

/** A peak RSS given in KiB, shown in MiB: `124.0 MiB`. */
export function formatRss(kib: number): string {
  return Number.isFinite(kib) ? `${(kib / 1024).toFixed(1)} MiB` : 'n/a';
}

/** A ratio of Holdfast's figure to the peer's: `1.32×`. */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a';
}

/** An integer with thousands separators: `1,000,000`. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** How a column lines up. Numbers read best right-aligned. */
export type Align = 'left' | 'right';

/** A table: a header row, alignment per column, and rows of already-formatted cells. */
export interface Table {
  readonly header: readonly string[];
  readonly align: readonly Align[];
  readonly rows: readonly (readonly string[])[];
}

/** The table as Markdown, laid out as Prettier lays it out (padded cells, `---:` for right-aligned). */
export function markdownTable(table: Table): string {
  const widths = columnWidths(table, 3);
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => pad(cell, widths[column] ?? 0, table.align[column] ?? 'left')).join(' | ')} |`;
  const rule = widths.map((width, column) =>
    table.align[column] === 'right' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width),
  );
  return [line(table.header), `| ${rule.join(' | ')} |`, ...table.rows.map(line)].join('\n');
}

/** The table for the console: columns separated by two spaces, a rule under the header. */
export function consoleTable(table: Table): string {
  const widths = columnWidths(table, 0);
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => pad(cell, widths[column] ?? 0, table.align[column] ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(table.header), widths.map((width) => '-'.repeat(width)).join('  '), ...table.rows.map(line)].join('\n');
}

function columnWidths(table: Table, minimum: number): number[] {
  return table.header.map((heading, column) =>
    Math.max(minimum, heading.length, ...table.rows.map((row) => (row[column] ?? '').length)),
  );
}

function pad(cell: string, width: number, align: Align): string {
  return align === 'right' ? cell.padStart(width) : cell.padEnd(width);
}
