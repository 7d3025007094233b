import { describe, expect, it } from 'vitest';
import { isHoldfastError } from '../errors/index.ts';
import {
  assertSafeItemName,
  assertSafeRelativePath,
  baseName,
  compareItemNames,
  isSafeRelativePath,
  joinItemPath,
  parentPath,
  splitItemPath,
} from './item-path.ts';

function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isHoldfastError(error, 'VALIDATION')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('assertSafeRelativePath', () => {
  it.each([
    ['a single name', 'a'],
    ['nested names', 'Documents/2026/report.pdf'],
    ['names with dots', '.hidden/..x/x../a.b.c/...'],
    ['spaces and punctuation', 'My Files/a b (1) #2 + 50%.txt'],
    ['unicode', 'snapshots/ü-日本-😀'],
    ['a colon (valid on POSIX, Box and Dropbox)', 'a:b'],
  ])('accepts %s', (_label, path) => {
    expect(isSafeRelativePath(path)).toBe(true);
    expect(() => {
      assertSafeRelativePath(path);
    }).not.toThrow();
  });

  it.each([
    ['the empty path', '', 'is empty'],
    ['an absolute path', '/etc/passwd', 'is absolute'],
    ['a trailing slash', 'a/b/', 'ends with "/"'],
    ['an empty segment', 'a//b', 'has an empty segment'],
    ['a "." segment', 'a/./b', 'has a "." segment'],
    ['a lone "."', '.', 'has a "." segment'],
    ['a ".." segment', 'a/../../x', 'has a ".." segment'],
    ['a leading ".."', '../x', 'has a ".." segment'],
    ['a lone ".."', '..', 'has a ".." segment'],
    ['NUL', 'a\0b', 'contains a NUL character'],
    ['a backslash (a separator on Windows)', '..\\..\\x', 'contains a backslash'],
  ])('refuses %s', (_label, path, problem) => {
    expect(isSafeRelativePath(path)).toBe(false);
    const message = validationMessage(() => {
      assertSafeRelativePath(path, 'item path');
    });
    expect(message).toBe(`item path ${JSON.stringify(path)} ${problem}`);
  });
});

describe('assertSafeItemName', () => {
  it.each(['export.zip', 'ü 日本 😀.zip', '..x'])('accepts %j', (name) => {
    expect(() => {
      assertSafeItemName(name);
    }).not.toThrow();
  });
  it.each([
    ['', 'is empty'],
    ['.', 'is "."'],
    ['..', 'is ".."'],
    ['a/b', 'contains "/"'],
    ['a\\b', 'contains a backslash'],
    ['a\0', 'contains a NUL character'],
  ])('refuses %j', (name) => {
    validationMessage(() => {
      assertSafeItemName(name);
    });
  });
});

describe('splitItemPath, joinItemPath, parentPath, baseName', () => {
  it.each([
    ['a', ['a'], '', 'a'],
    ['a/b', ['a', 'b'], 'a', 'b'],
    ['a/b/c.txt', ['a', 'b', 'c.txt'], 'a/b', 'c.txt'],
    ['ü/😀', ['ü', '😀'], 'ü', '😀'],
  ])('%j splits into %j, parent %j, base %j', (path, segments, parent, base) => {
    expect(splitItemPath(path)).toEqual(segments);
    expect(joinItemPath(...segments)).toBe(path);
    expect(parentPath(path)).toBe(parent);
    expect(baseName(path)).toBe(base);
    expect(joinItemPath(parentPath(path), baseName(path))).toBe(path);
  });

  it('treats the root as no segments', () => {
    expect(splitItemPath('')).toEqual([]);
    expect(joinItemPath()).toBe('');
    expect(joinItemPath('', '')).toBe('');
    expect(joinItemPath('', 'a/b', '', 'c')).toBe('a/b/c');
  });

  it.each([
    ['splitItemPath', () => splitItemPath('a/../b')],
    ['joinItemPath with ".."', () => joinItemPath('a', '..')],
    ['joinItemPath with an absolute part', () => joinItemPath('a', '/etc')],
    ['parentPath of the root', () => parentPath('')],
    ['baseName of the root', () => baseName('')],
    ['parentPath of an unsafe path', () => parentPath('a//b')],
  ])('%s refuses unsafe input', (_label, run) => {
    validationMessage(run);
  });
});

describe('compareItemNames', () => {
  const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

  it.each([
    ['ASCII', ['b', 'a', 'B', 'A', 'aa', '']],
    ['Latin and CJK', ['日本', 'ü', 'u', 'z', 'Ω']],
    ['astral vs high BMP (where UTF-16 order differs)', ['😀', '\uffff', '\ue000', 'a', '\ud7ff', '𝄞']],
    ['shared prefixes', ['ab😀', 'ab', 'ab\uffff', 'abc']],
  ])('orders %s as UTF-8 bytes do', (_label, names) => {
    expect([...names].sort(compareItemNames)).toEqual([...names].sort(utf8Order));
  });

  it('returns 0 only for equal names', () => {
    expect(compareItemNames('😀', '😀')).toBe(0);
    expect(compareItemNames('a', 'b')).toBeLessThan(0);
  });
});
