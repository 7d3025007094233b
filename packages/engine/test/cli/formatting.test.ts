import { describe, expect, it } from 'vitest';
import { findCommandWords } from '../../src/cli/args.ts';
import { classify, CliError } from '../../src/cli/cli-error.ts';
import { exitCodes } from '../../src/cli/exit-codes.ts';
import {
  drained,
  formatBytes,
  formatDuration,
  formatTable,
  JsonArrayWriter,
  truncateStart,
  type CliIo,
} from '../../src/cli/output.ts';
import { ProgressBar, renderBar, renderLine, type ProgressState } from '../../src/cli/progress-bar.ts';
import { AuthError, CanceledError, ConflictError, NotFoundError, ValidationError } from '../../src/errors/index.ts';

describe('formatBytes', () => {
  const cases: readonly (readonly [number, string])[] = [
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [300_011, '293 KiB'],
    [10 * 1024 * 1024, '10.0 MiB'],
    [5.5 * 1024 ** 4, '5.50 TiB'],
  ];
  for (const [bytes, text] of cases)
    it(`${String(bytes)} → ${text}`, () => {
      expect(formatBytes(bytes)).toBe(text);
    });
});

describe('formatDuration', () => {
  const cases: readonly (readonly [number, string])[] = [
    [0, '0 ms'],
    [850, '850 ms'],
    [12_340, '12.3 s'],
    [185_000, '3m05s'],
    [3_720_000, '1h02m'],
    [-1, '?'],
  ];
  for (const [ms, text] of cases)
    it(`${String(ms)} → ${text}`, () => {
      expect(formatDuration(ms)).toBe(text);
    });
});

describe('truncateStart and formatTable', () => {
  it('keeps the end of a path', () => {
    expect(truncateStart('a/b/c/file.txt', 20)).toBe('a/b/c/file.txt');
    expect(truncateStart('a/b/c/file.txt', 9)).toBe('…file.txt');
  });

  it('aligns columns and leaves the last one unpadded', () => {
    expect(
      formatTable(
        ['ID', 'NAME'],
        [
          ['1', 'x'],
          ['22', 'long name'],
        ],
      ),
    ).toEqual(['ID  NAME', '1   x', '22  long name']);
  });
});

describe('writing to a stream', () => {
  it('waits for drain only when the sink says it is full', async () => {
    const listeners: (() => void)[] = [];
    const sink = { write: () => true, once: (_event: 'drain', listener: () => void) => listeners.push(listener) };
    await drained(sink, true);
    expect(listeners).toHaveLength(0);
    let done = false;
    const waiting = drained(sink, false).then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    listeners[0]?.();
    await waiting;
    expect(done).toBe(true);
  });

  it('streams a JSON array that parses, empty or not', async () => {
    for (const values of [[], [1], [{ a: 'b' }, null, 'x']]) {
      let text = '';
      const writer = new JsonArrayWriter({ write: (chunk: string) => (text += chunk) });
      for (const value of values) await writer.push(value);
      writer.end();
      expect(JSON.parse(text)).toEqual(values);
    }
  });
});

describe('the progress bar', () => {
  const state: ProgressState = {
    label: 'backup',
    counts: '1,234 items',
    bytesDone: 50 * 1024 * 1024,
    bytesTotal: 200 * 1024 * 1024,
    fraction: 0.25,
    bytesPerSecond: 10 * 1024 * 1024,
    etaMs: 15_000,
    currentPath: 'photos/2024/summer/very-long-file-name.jpg',
  };

  it('shows bar, counts, bytes, rate, ETA and the path cut to the width', () => {
    const line = renderBar(state, 140);
    expect(line).toBe(
      '[#####---------------]  25%  1,234 items  50.0 MiB / 200 MiB  10.0 MiB/s  ETA 15.0 s  ' +
        'photos/2024/summer/very-long-file-name.jpg',
    );
    const narrow = renderBar(state, 100);
    expect(narrow).toHaveLength(99);
    expect(narrow).toMatch(/ETA 15\.0 s {2}…[^ ]*-name\.jpg$/);
    expect(renderBar(state, 40)).toHaveLength(39);
  });

  it('writes a plain line for logs', () => {
    expect(renderLine(state)).toBe('backup: 1,234 items, 50.0 MiB / 200 MiB, 10.0 MiB/s, ETA 15.0 s, 25%');
  });

  it('redraws at most every 250 ms on a terminal, and lines at most every 10 s elsewhere', () => {
    let now = 1_000_000;
    const writes: string[] = [];
    const io: CliIo = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => writes.push(text) },
      env: {},
      isTTY: true,
      cwd: '/',
      signal: new AbortController().signal,
    };
    const bar = new ProgressBar(io, 'bar', { now: () => now });
    for (let i = 0; i < 40; i++, now += 50) bar.update(state); // 2 s
    expect(writes).toHaveLength(8);
    bar.finish();
    expect(writes.at(-1)).toBe('\r\u001b[K');

    writes.length = 0;
    now = 0;
    const lines = new ProgressBar(io, 'lines', { now: () => now });
    for (let i = 0; i < 250; i++, now += 100) lines.update(state); // 25 s
    expect(writes).toEqual([`${renderLine(state)}\n`, `${renderLine(state)}\n`]);
    lines.finish();
    expect(writes).toHaveLength(2);

    const off = new ProgressBar(io, 'off');
    off.update(state);
    expect(writes).toHaveLength(2);
  });
});

describe('findCommandWords', () => {
  const valueOptions = new Set(['repo', 'r', 'target', 't', 'password-file']);
  const groups = new Set(['key']);
  const cases: readonly (readonly [readonly string[], readonly string[]])[] = [
    [[], []],
    [['backup', 'dir'], ['backup']],
    [['--repo', 'backup', 'snapshots'], ['snapshots']],
    [['-r', 'x', '--json', 'ls', 'latest'], ['ls']],
    [['--repo=x', 'check'], ['check']],
    [
      ['key', '--json', 'add'],
      ['key', 'add'],
    ],
    [['--', 'check'], []],
  ];
  for (const [argv, words] of cases) {
    it(`${argv.join(' ') || '(nothing)'} → ${words.join(' ') || '(none)'}`, () => {
      expect(findCommandWords(argv, valueOptions, groups)).toEqual(words);
    });
  }
});

describe('classify', () => {
  const cases: readonly (readonly [unknown, boolean, number, string])[] = [
    [new CliError(exitCodes.noRepository, 'NOT_FOUND', 'x'), false, 10, 'NOT_FOUND'],
    [new ValidationError('x'), false, 2, 'VALIDATION'],
    [new NotFoundError('x'), false, 1, 'NOT_FOUND'],
    [new AuthError('x'), false, 1, 'AUTH'],
    [new ConflictError('a repository exists at fs:/x already'), false, 1, 'CONFLICT'],
    [new ConflictError('the repository is locked (exclusive, key rotate) by a@b pid 1 since t'), false, 11, 'CONFLICT'],
    [new CanceledError('x'), false, 130, 'CANCELED'],
    [new Error('AbortError'), true, 130, 'CANCELED'],
    [new Error('boom'), false, 1, 'PERMANENT'],
  ];
  for (const [error, interrupted, exitCode, code] of cases) {
    it(`${(error as Error).name}: ${(error as Error).message} → ${String(exitCode)}`, () => {
      expect(classify(error, interrupted)).toMatchObject({ exitCode, code });
    });
  }
});
