import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.ts';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('parseRetryAfter', () => {
  it.each<[string, string | number | null | undefined, number | undefined]>([
    ['delay-seconds', '120', 120_000],
    ['zero', '0', 0],
    ['surrounding whitespace', '  5 ', 5_000],
    ['fractional seconds (some services send them)', '1.5', 1_500],
    ['a number from a JSON body (Dropbox retry_after)', 3, 3_000],
    ['an HTTP-date in the future', 'Sun, 22 Nov 2026 12:00:30 GMT', 30_000],
    ['an HTTP-date in the past means now', 'Sun, 22 Nov 2026 11:59:00 GMT', 0],
    ['missing', undefined, undefined],
    ['null', null, undefined],
    ['empty', '', undefined],
    ['negative', '-5', undefined],
    ['a word', 'soon', undefined],
    ['a date without GMT', '2026-11-22T12:00:30Z', undefined],
    ['a malformed HTTP-date', 'Sun, 99 Foo 2026 12:00:30 GMT', undefined],
    ['a negative number', -1, undefined],
    ['NaN', Number.NaN, undefined],
  ])('%s', (_label, value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
