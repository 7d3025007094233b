import { describe, expect, it } from 'vitest';
import { allErrorCodes, errorCodes, type ErrorCode } from './error-codes.ts';
import {
  AuthError,
  CanceledError,
  ConflictError,
  HoldfastError,
  IntegrityError,
  isHoldfastError,
  NotFoundError,
  PermanentError,
  ThrottledError,
  TransientError,
  ValidationError,
} from './holdfast-error.ts';

const classes: readonly {
  readonly make: (message: string, cause?: unknown) => HoldfastError;
  readonly code: ErrorCode;
  readonly name: string;
  readonly retryable: boolean;
}[] = [
  { make: (m, c) => new NotFoundError(m, { cause: c }), code: 'NOT_FOUND', name: 'NotFoundError', retryable: false },
  { make: (m, c) => new ConflictError(m, { cause: c }), code: 'CONFLICT', name: 'ConflictError', retryable: false },
  { make: (m, c) => new ThrottledError(m, { cause: c }), code: 'THROTTLED', name: 'ThrottledError', retryable: true },
  { make: (m, c) => new TransientError(m, { cause: c }), code: 'TRANSIENT', name: 'TransientError', retryable: true },
  { make: (m, c) => new PermanentError(m, { cause: c }), code: 'PERMANENT', name: 'PermanentError', retryable: false },
  { make: (m, c) => new IntegrityError(m, { cause: c }), code: 'INTEGRITY', name: 'IntegrityError', retryable: false },
  { make: (m, c) => new AuthError(m, { cause: c }), code: 'AUTH', name: 'AuthError', retryable: false },
  {
    make: (m, c) => new ValidationError(m, { cause: c }),
    code: 'VALIDATION',
    name: 'ValidationError',
    retryable: false,
  },
  { make: (m, c) => new CanceledError(m, { cause: c }), code: 'CANCELED', name: 'CanceledError', retryable: false },
];

describe('HoldfastError subclasses', () => {
  it('cover every error code exactly once', () => {
    expect(classes.map((c) => c.code).sort()).toEqual([...allErrorCodes].sort());
  });

  describe.each(classes)('$name', ({ make, code, name, retryable }) => {
    const cause = new Error('socket hang up');
    const error = make('object packs/ab is missing', cause);

    it('is an Error with its stable code, name, message and cause', () => {
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(HoldfastError);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(error.message).toBe('object packs/ab is missing');
      expect(error.cause).toBe(cause);
      expect(String(error)).toBe(`${name}: object packs/ab is missing`);
      expect(error.stack).toContain(name);
    });

    it(`is ${retryable ? '' : 'not '}retryable, as the code table says`, () => {
      expect(error.retryable).toBe(retryable);
      expect(errorCodes[code].retryable).toBe(retryable);
    });

    it('is recognised by the guard, by its own code and no other', () => {
      expect(isHoldfastError(error)).toBe(true);
      expect(isHoldfastError(error, code)).toBe(true);
      for (const other of allErrorCodes.filter((c) => c !== code)) expect(isHoldfastError(error, other)).toBe(false);
    });

    it('serialises without its cause', () => {
      const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
      expect(json).toEqual({ name, code, message: 'object packs/ab is missing', retryable });
      expect(JSON.stringify(error)).not.toContain('socket hang up');
    });
  });

  it('keep cause absent when none was given', () => {
    const error = new NotFoundError('no such snapshot');
    expect('cause' in error).toBe(false);
  });
});

describe('ThrottledError.retryAfter', () => {
  it('carries the wait in milliseconds and serialises it', () => {
    const error = new ThrottledError('429 from Box', { retryAfter: 2_000 });
    expect(error.retryAfter).toBe(2_000);
    expect(error.toJSON()).toMatchObject({ code: 'THROTTLED', retryAfter: 2_000 });
  });

  it('is undefined when the service did not say', () => {
    const error = new ThrottledError('503 SlowDown');
    expect(error.retryAfter).toBeUndefined();
    expect(error.toJSON()).not.toHaveProperty('retryAfter');
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s', (retryAfter) => {
    expect(() => new ThrottledError('x', { retryAfter })).toThrow(RangeError);
  });

  it('narrows through the guard so retryAfter is typed', () => {
    const error: unknown = new ThrottledError('slow down', { retryAfter: 1_500 });
    const wait = isHoldfastError(error, 'THROTTLED') ? error.retryAfter : undefined;
    expect(wait).toBe(1_500);
  });
});

describe('isHoldfastError', () => {
  it.each([
    ['a plain Error', new Error('x')],
    ['an Error with a matching code property', Object.assign(new Error('x'), { code: 'NOT_FOUND' })],
    ['a look-alike object', { name: 'NotFoundError', code: 'NOT_FOUND', message: 'x' }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'NOT_FOUND'],
  ])('refuses %s', (_label, value) => {
    expect(isHoldfastError(value)).toBe(false);
    expect(isHoldfastError(value, 'NOT_FOUND')).toBe(false);
  });

  it('recognises an error from another copy of the engine by its registered brand', () => {
    // A second copy of the package defines its own classes but registers the same global symbol.
    const foreign = new Error('from another copy');
    Object.defineProperty(foreign, Symbol.for('@holdfast/engine:HoldfastError'), { value: true });
    Object.defineProperty(foreign, 'code', { value: 'CONFLICT' });
    expect(isHoldfastError(foreign, 'CONFLICT')).toBe(true);
    expect(foreign instanceof HoldfastError).toBe(false);
  });
});
