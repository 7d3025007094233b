/**
 * The CSV writer of the exports (`src/audit/csv-writer.ts`), table-driven: every cell as it is written,
 * and read back by the strict reader of these tests (`strict-csv.ts`), which must itself refuse what
 * RFC 4180 does not allow — or it would prove nothing about the exports.
 */
import { describe, expect, it } from 'vitest';
import { csvCell, csvChunks, csvRecord, startedStream, type CsvCell } from '../../src/audit/csv-writer.ts';
import { CsvSyntaxError, parseCsv, parseCsvRecords } from './strict-csv.ts';

/** [what, the value, the field as written, the field a reader gets back]. */
const cells: readonly (readonly [string, CsvCell, string, string])[] = [
  ['plain text', 'Sign-in failed', 'Sign-in failed', 'Sign-in failed'],
  ['empty text', '', '', ''],
  ['null', null, '', ''],
  ['a number', 2210, '2210', '2210'],
  ['zero', 0, '0', '0'],
  ['a negative number stays a number', -2, '-2', '-2'],
  ['a big count', 1073741824, '1073741824', '1073741824'],
  ['a comma', 'Box, company', '"Box, company"', 'Box, company'],
  ['quotes', 'the "Main" task', '"the ""Main"" task"', 'the "Main" task'],
  ['a newline', 'line one\nline two', '"line one\nline two"', 'line one\nline two'],
  ['CRLF inside', 'a\r\nb', '"a\r\nb"', 'a\r\nb'],
  ['non-ASCII', 'Zoë Müller — 東京 ✓', 'Zoë Müller — 東京 ✓', 'Zoë Müller — 東京 ✓'],
  ['a formula', '=1+1', "'=1+1", "'=1+1"],
  [
    'a hyperlink formula with quotes and a comma',
    '=HYPERLINK("http://x","click")',
    `"'=HYPERLINK(""http://x"",""click"")"`,
    `'=HYPERLINK("http://x","click")`,
  ],
  ['a DDE payload', "+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
  ['an at-sign function', '@SUM(1)', "'@SUM(1)", "'@SUM(1)"],
  ['minus arithmetic as text', '-2+3', "'-2+3", "'-2+3"],
  ['a leading tab', '\t=1', "'\t=1", "'\t=1"],
  ['a leading carriage return', '\r=1', `"'\r=1"`, "'\r=1"],
  ['a formula character later in the text', 'a=b+c@d', 'a=b+c@d', 'a=b+c@d'],
  ['a leading space before a formula', ' =1', "' =1", "' =1"],
  ['a leading newline', '\n=1', `"'\n=1"`, "'\n=1"],
  ['a newline alone first', '\nplain', `"'\nplain"`, "'\nplain"],
  ['a full-width equals sign (U+FF1D)', '\uFF1D1+1', "'\uFF1D1+1", "'\uFF1D1+1"],
  ['a full-width plus, minus and at sign', '\uFF0Bx', "'\uFF0Bx", "'\uFF0Bx"],
  ['a full-width commercial at', '\uFF20SUM(1)', "'\uFF20SUM(1)", "'\uFF20SUM(1)"],
  ['a zero-width space before a formula', '\u200B=1', "'\u200B=1", "'\u200B=1"],
  ['a byte-order mark before a formula', '\uFEFF@x', "'\uFEFF@x", "'\uFEFF@x"],
  ['a no-break space before a minus', '\u00A0-1', "'\u00A0-1", "'\u00A0-1"],
  ['spaces before plain text stay as they are', '  plain', '  plain', '  plain'],
  ['a full-width letter is not a formula', '\uFF21BC', '\uFF21BC', '\uFF21BC'],
  ['a single quote alone', "'", "'", "'"],
];

describe('csvCell', () => {
  it.each(cells)('writes %s', (_what, value, written) => {
    expect(csvCell(value)).toBe(written);
  });

  it.each(cells)('round-trips %s through a strict reader', (_what, value, _written, read) => {
    const text = csvRecord(['head', 'er']) + csvRecord([value, 'next']);
    expect(parseCsvRecords(text)).toEqual([
      ['head', 'er'],
      [read, 'next'],
    ]);
  });

  it('writes no number that is not finite', () => {
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe('');
  });
});

describe('the strict reader', () => {
  it.each([
    ['a bare LF', 'a,b\nc,d\r\n'],
    ['a bare CR', 'a,b\rc,d\r\n'],
    ['no CRLF at the end', 'a,b\r\nc,d'],
    ['a quote in an unquoted field', 'a,b\r\nc"x,d\r\n'],
    ['text after a closing quote', 'a,b\r\n"c"x,d\r\n'],
    ['an unterminated quote', 'a,b\r\n"c,d\r\n'],
    ['a short record', 'a,b\r\nc\r\n'],
    ['a long record', 'a,b\r\nc,d,e\r\n'],
    ['an empty file', ''],
  ])('refuses %s', (_what, text) => {
    expect(() => parseCsv(text)).toThrow(CsvSyntaxError);
  });
});

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return chunks;
}

async function* batches<T>(...list: (readonly T[])[]): AsyncGenerator<readonly T[]> {
  for (const batch of list) yield batch;
}

describe('csvChunks', () => {
  it('answers the header alone for no rows', async () => {
    expect(await collect(csvChunks(['a', 'b'], batches<number>(), (n) => [n, n]))).toEqual(['a,b\r\n']);
  });

  it('answers one chunk per batch, the header with the first', async () => {
    const chunks = await collect(csvChunks(['n', 'text'], batches([1, 2], [3]), (n) => [n, `=${String(n)}`]));
    expect(chunks).toEqual(["n,text\r\n1,'=1\r\n2,'=2\r\n", "3,'=3\r\n"]);
    expect(parseCsv(chunks.join('')).rows).toEqual([
      { n: '1', text: "'=1" },
      { n: '2', text: "'=2" },
      { n: '3', text: "'=3" },
    ]);
  });
});

describe('startedStream', () => {
  it('pulls the first chunk before answering, so its failure is thrown at once', async () => {
    // eslint-disable-next-line require-yield -- a source that fails before its first chunk
    async function* failing(): AsyncGenerator<string> {
      throw new Error('the database is down');
    }
    await expect(startedStream(failing())).rejects.toThrow('the database is down');
  });

  it('answers every chunk, the first included, and pulls the rest only when read', async () => {
    const pulled: number[] = [];
    async function* source(): AsyncGenerator<string> {
      for (const n of [1, 2, 3]) {
        pulled.push(n);
        yield String(n);
      }
    }
    const started = await startedStream(source());
    expect(pulled).toEqual([1]);
    expect(await collect(started)).toEqual(['1', '2', '3']);
    expect(pulled).toEqual([1, 2, 3]);
  });

  it('stops the source when the reader stops early (a client that went away)', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<string> {
      try {
        for (let n = 0; ; n++) yield String(n);
      } finally {
        closed = true;
      }
    }
    const started = await startedStream(source());
    for await (const chunk of started) if (chunk === '2') break;
    expect(closed).toBe(true);
  });
});
