/**
 * The manifest an export carries: what the zip holds, as JSON and as CSV, streamed line by line so a
 * snapshot of a million items never builds the manifest in memory.
 */

/** One row of the manifest. */
export interface ManifestItem {
  readonly path: string;
  readonly type: 'file' | 'folder' | 'symlink' | 'other';
  readonly size: number;
  /** ISO 8601. */
  readonly modified?: string | undefined;
  /** SHA-256 (hex) of the bytes written into the zip; files only. */
  readonly sha256?: string | undefined;
  /** The source's own content hash (`sha1:...` for Box), when it gave one. */
  readonly sourceHash?: string | undefined;
  /** Whether the item's content is in the zip (symlinks and other items are listed, not stored). */
  readonly inZip: boolean;
}

/** What the manifest says about the export as a whole. */
export interface ManifestHeader {
  readonly snapshot: { readonly id: string; readonly time: string; readonly source: string; readonly entity: string };
  readonly created: string;
  readonly include?: readonly string[] | undefined;
  readonly tool: { readonly name: string; readonly version: string };
}

export const MANIFEST_CSV_COLUMNS = ['path', 'type', 'size', 'modified', 'sha256', 'source_hash', 'in_zip', 'snapshot'];

/** `manifest.json`: `{format, version, ...header, items: [...]}`, one item per line. */
export async function* manifestJson(
  header: ManifestHeader,
  items: AsyncIterable<ManifestItem>,
): AsyncGenerator<string> {
  const head = JSON.stringify({ format: 'holdfast-export-manifest', version: 1, ...header });
  yield `${head.slice(0, -1)},"items":[`;
  let first = true;
  for await (const item of items) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(item)}`;
    first = false;
  }
  yield '\n]}\n';
}

/** `manifest.csv` (RFC 4180, UTF-8 with a header row). */
export async function* manifestCsv(snapshotId: string, items: AsyncIterable<ManifestItem>): AsyncGenerator<string> {
  yield `${MANIFEST_CSV_COLUMNS.join(',')}\r\n`;
  for await (const item of items) {
    const cells = [
      item.path,
      item.type,
      String(item.size),
      item.modified ?? '',
      item.sha256 ?? '',
      item.sourceHash ?? '',
      item.inZip ? 'yes' : 'no',
      snapshotId,
    ];
    yield `${cells.map(csvCell).join(',')}\r\n`;
  }
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break; a cell that a spreadsheet would read
 * as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'`, so a file
 * named `=HYPERLINK(...)` is shown, not run.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
