import { describe, expect, it } from 'vitest';
import { CanceledError, type ErrorCode, isHoldfastError, NotFoundError } from '../errors/index.ts';
import { errnoCode, fsErrorTable, throwIfAborted, toHoldfastError } from './fs-errors.ts';

/** A Node-style system error. */
function systemError(code: string): Error {
  return Object.assign(new Error(`${code}: something, open '/x'`), { code, errno: -1, syscall: 'open' });
}

describe('toHoldfastError', () => {
  it.each<[string, ErrorCode]>([
    ['ENOENT', 'NOT_FOUND'],
    ['ENOTDIR', 'NOT_FOUND'],
    ['EEXIST', 'CONFLICT'],
    ['ENOTEMPTY', 'CONFLICT'],
    ['EISDIR', 'CONFLICT'],
    ['EACCES', 'AUTH'],
    ['EPERM', 'AUTH'],
    ['EROFS', 'PERMANENT'],
    ['ENOSPC', 'PERMANENT'],
    ['EDQUOT', 'PERMANENT'],
    ['EIO', 'TRANSIENT'],
    ['EAGAIN', 'TRANSIENT'],
    ['EBUSY', 'TRANSIENT'],
    ['EINTR', 'TRANSIENT'],
    ['ETIMEDOUT', 'TRANSIENT'],
    ['ESTALE', 'TRANSIENT'],
    ['EMFILE', 'TRANSIENT'],
    ['ENFILE', 'TRANSIENT'],
    ['ENAMETOOLONG', 'VALIDATION'],
    ['ELOOP', 'PERMANENT'],
    ['EXDEV', 'PERMANENT'],
    ['ESOMETHINGNEW', 'PERMANENT'],
  ])('maps %s to %s, keeping the cause', (code, expected) => {
    const cause = systemError(code);
    const error = toHoldfastError(cause, 'put of key "config"');
    expect(isHoldfastError(error, expected)).toBe(true);
    expect(error.message).toBe(`put of key "config": ${code}`);
    expect(error.cause).toBe(cause);
  });

  it('lists every code it maps in the table', () => {
    expect(Object.keys(fsErrorTable)).toHaveLength(19);
  });

  it('passes Holdfast errors through unchanged', () => {
    const error = new NotFoundError('gone');
    expect(toHoldfastError(error, 'x')).toBe(error);
  });

  it('turns an AbortError into CanceledError', () => {
    const abort = Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
    expect(isHoldfastError(toHoldfastError(abort, 'x'), 'CANCELED')).toBe(true);
  });

  it('turns other errors into PermanentError with their message', () => {
    const error = toHoldfastError(new TypeError('bad argument'), 'get');
    expect(isHoldfastError(error, 'PERMANENT')).toBe(true);
    expect(error.message).toBe('get: bad argument');
    expect(toHoldfastError('a string', 'get').message).toBe('get: a string');
  });
});

describe('errnoCode', () => {
  it.each([
    ['a system error', systemError('ENOENT'), 'ENOENT'],
    ['a non-errno code', Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }), undefined],
    ['a plain error', new Error('x'), undefined],
    ['null', null, undefined],
  ])('reads %s', (_label, value, expected) => {
    expect(errnoCode(value)).toBe(expected);
  });
});

describe('throwIfAborted', () => {
  it('throws CanceledError with the reason as its cause once aborted, and nothing before', () => {
    const controller = new AbortController();
    expect(() => {
      throwIfAborted(controller.signal, 'put');
    }).not.toThrow();
    expect(() => {
      throwIfAborted(undefined, 'put');
    }).not.toThrow();
    const reason = new Error('stop');
    controller.abort(reason);
    let thrown: unknown;
    try {
      throwIfAborted(controller.signal, 'put');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CanceledError);
    expect((thrown as CanceledError).cause).toBe(reason);
  });
});
