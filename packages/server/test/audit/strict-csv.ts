/**
 * A strict RFC 4180 reader for the export tests, written here so that the tests do not trust a lenient
 * library to forgive what a spreadsheet would not: records end with CRLF (the last one too) and a bare CR
 * or LF outside quotes is an error; an unquoted field holds no `"`; a quoted field ends with `"` followed
 * by `,`, CRLF or the end; `""` inside quotes is one quote; every record has as many fields as the
 * header. It answers the header and the records as objects by column name.
 */

/** A malformed file, with where. */
export class CsvSyntaxError extends Error {
  constructor(message: string, offset: number) {
    super(`${message} at offset ${String(offset)}`);
    this.name = 'CsvSyntaxError';
  }
}

/** The records of a CSV text, each a list of fields. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let at = 0;
  if (text.length === 0) throw new CsvSyntaxError('empty file (no header)', 0);
  while (at < text.length) {
    let field = '';
    if (text[at] === '"') {
      at++;
      for (;;) {
        if (at >= text.length) throw new CsvSyntaxError('unterminated quoted field', at);
        const char = text[at];
        if (char === '"') {
          if (text[at + 1] === '"') {
            field += '"';
            at += 2;
            continue;
          }
          at++;
          break;
        }
        field += char ?? '';
        at++;
      }
    } else {
      while (at < text.length && text[at] !== ',' && text[at] !== '\r' && text[at] !== '\n') {
        if (text[at] === '"') throw new CsvSyntaxError('a quote inside an unquoted field', at);
        field += text.charAt(at);
        at++;
      }
    }
    record.push(field);
    if (text[at] === ',') {
      at++;
      if (at >= text.length) throw new CsvSyntaxError('the file ends after a comma', at);
      continue;
    }
    if (text[at] === '\r' && text[at + 1] === '\n') {
      at += 2;
      records.push(record);
      record = [];
      continue;
    }
    if (at >= text.length) throw new CsvSyntaxError('the last record does not end with CRLF', at);
    throw new CsvSyntaxError(`unexpected ${JSON.stringify(text[at])} after a field`, at);
  }
  return records;
}

export interface ParsedCsv {
  readonly header: readonly string[];
  readonly rows: readonly Readonly<Record<string, string>>[];
}

/** The header and the records by column name; throws {@link CsvSyntaxError} on anything off. */
export function parseCsv(text: string): ParsedCsv {
  const [header, ...records] = parseCsvRecords(text);
  if (header === undefined) throw new CsvSyntaxError('no header', 0);
  if (new Set(header).size !== header.length) throw new CsvSyntaxError('duplicate column names', 0);
  const rows = records.map((record, index) => {
    if (record.length !== header.length) {
      throw new CsvSyntaxError(
        `record ${String(index + 1)} has ${String(record.length)} fields, the header ${String(header.length)}`,
        0,
      );
    }
    return Object.fromEntries(header.map((name, column) => [name, record[column] ?? '']));
  });
  return { header, rows };
}
