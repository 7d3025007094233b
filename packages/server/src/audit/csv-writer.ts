/**
 * CSV as RFC 4180 writes it, for the log exports: fields separated by `,`, records ended by CRLF (the
 * last one too), a header record first; a field holding `"`, `,`, CR or LF is quoted and its quotes
 * doubled; text is UTF-8 without a byte-order mark (a BOM would become part of the first header name
 * for strict readers; spreadsheets import the file as UTF-8 when asked).
 *
 * Formula injection (CWE-1236, OWASP "CSV Injection"): a spreadsheet opening the file runs a text cell
 * that starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)`, DDE `=cmd|...`), and some also
 * after a leading TAB or CR. Log text comes from users (names, descriptions, typed addresses), so every
 * TEXT cell starting with one of those characters gets a leading `'`, which spreadsheets show as text,
 * also when white space, control or zero-width characters come first, or the character is a full-width
 * or other compatibility form of one of them (`＝`, U+FF1D), as some spreadsheets normalise.
 * Number cells are written as numbers and never prefixed (`-2` stays a number; counts are never
 * negative anyway). The prefix changes what a strict reader sees (`'=1+1`): the export favours the people
 * opening it in a spreadsheet over byte-exact round trips, and the API's JSON keeps the exact text.
 *
 * {@link csvChunks} turns keyset batches of rows into text chunks, one per batch, the header joined to
 * the first: the first chunk exists only once the first query has answered, so a caller that awaits it
 * (see {@link startedStream}) fails with a proper problem answer if the database does.
 */

/** One field: text (neutralised and quoted as needed), a number, or empty (null). */
export type CsvCell = string | number | null;

/** The characters a spreadsheet starts a formula with (after NFKC: full-width `＝` is `=`). */
const formulaStart = /^[=+\-@\t\r\n]/;
/** What spreadsheets skip before they look for a formula: white space, controls, invisible format marks. */
const ignoredLead = /^[\s\p{Cc}\p{Cf}]+/u;
const needsQuotes = /[",\r\n]/;

/**
 * Whether a spreadsheet could read `text` as a formula: its first character after what spreadsheets
 * skip (white space, control and zero-width characters), compatibility-normalised (NFKC, so the
 * full-width `＝＋－＠` count), is one of `= + - @`, or it starts with TAB, CR or LF.
 */
export function looksLikeFormula(text: string): boolean {
  if (/^[\t\r\n]/.test(text)) return true;
  return formulaStart.test(text.replace(ignoredLead, '').normalize('NFKC'));
}

/** One field as CSV text. */
export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = looksLikeFormula(value) ? `'${value}` : value;
  return needsQuotes.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRecord(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * The CSV text of a header and batches of rows, one chunk per batch (the header with the first). An
 * empty result is the header alone.
 */
export async function* csvChunks<Row>(
  header: readonly string[],
  batches: AsyncIterable<readonly Row[]>,
  cells: (row: Row) => readonly CsvCell[],
): AsyncGenerator<string, void, undefined> {
  let pending = csvRecord(header);
  for await (const batch of batches) {
    yield pending + batch.map((row) => csvRecord(cells(row))).join('');
    pending = '';
  }
  if (pending !== '') yield pending;
}

/**
 * Pulls the first chunk of `source` now (so its failure is thrown here, before any answer is sent) and
 * answers an iterable of every chunk, the first included. Stopping the answer early (the client went
 * away) stops `source` too.
 */
export async function startedStream(source: AsyncIterable<string>): Promise<AsyncIterable<string>> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* rest(): AsyncGenerator<string, void, undefined> {
    let finished = first.done === true;
    try {
      if (first.done === true) return;
      yield first.value;
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } finally {
      if (!finished) await iterator.return?.();
    }
  })();
}
