import { describe, expect, it } from 'vitest';
import {
  applyRetention,
  isoWeek,
  parseRetentionDuration,
  subtract,
  type KeepReason,
  type RetentionPolicy,
} from './retention.ts';

/** Snapshots named by their UTC time (`2026-01-31T10`), with optional tags after a space. */
function snapshots(...specs: string[]): { id: string; time: string; tags: string[] }[] {
  return specs.map((spec) => {
    const [time = '', ...tags] = spec.split(' ');
    return { id: time, time: `${time}:00:00.000Z`, tags };
  });
}

/** The kept snapshots with their reasons, as `time: reason,reason`. */
function kept(policy: RetentionPolicy, specs: string[]): string[] {
  return applyRetention(snapshots(...specs), policy)
    .filter((decision) => decision.keep)
    .map((decision) => `${decision.snapshot.id}: ${decision.reasons.join(',')}`);
}

// Several a day, across a month end, a year end and a leap day.
const history = [
  '2023-12-31T23',
  '2024-01-01T00',
  '2024-01-01T09',
  '2024-01-01T18',
  '2024-01-31T12',
  '2024-02-01T00',
  '2024-02-29T06',
  '2024-02-29T20',
  '2024-03-01T01',
  '2024-03-31T23',
];

describe('applyRetention', () => {
  const cases: [string, RetentionPolicy, string[]][] = [
    ['an empty policy keeps everything (unlimited)', {}, history.map((time) => `${time}: unlimited`).reverse()],
    [
      'keepLast 3 keeps the three newest',
      { keepLast: 3 },
      ['2024-03-31T23: last', '2024-03-01T01: last', '2024-02-29T20: last'],
    ],
    [
      'keepDaily 4 keeps the newest of each of the last four days that have one',
      { keepDaily: 4 },
      ['2024-03-31T23: daily', '2024-03-01T01: daily', '2024-02-29T20: daily', '2024-02-01T00: daily'],
    ],
    [
      'keepMonthly 3 keeps the newest of each month, across February of a leap year',
      { keepMonthly: 3 },
      ['2024-03-31T23: monthly', '2024-02-29T20: monthly', '2024-01-31T12: monthly'],
    ],
    [
      'keepYearly 5 keeps the newest of each year there is',
      { keepYearly: 5 },
      ['2024-03-31T23: yearly', '2023-12-31T23: yearly'],
    ],
    [
      'keepWeekly 3 uses ISO weeks (Monday to Sunday)',
      { keepWeekly: 3 },
      // 2024-03-31 is a Sunday (W13); 2024-02-29 and 2024-03-01 share W09; 2024-02-01 is W05.
      ['2024-03-31T23: weekly', '2024-03-01T01: weekly', '2024-02-01T00: weekly'],
    ],
    [
      'keepHourly 2 with snapshots in distinct hours',
      { keepHourly: 2 },
      ['2024-03-31T23: hourly', '2024-03-01T01: hourly'],
    ],
    [
      'keepWithin one month counts back from the newest snapshot, clamping 31 March to 29 February',
      // The cut-off is 2024-02-29T23:00 (without clamping it would be 2 March, dropping 1 March).
      { keepWithin: { months: 1 } },
      ['2024-03-31T23: within', '2024-03-01T01: within'],
    ],
    [
      'keepWithin one year reaches exactly one calendar year back',
      { keepWithin: { years: 1 } },
      history.map((time) => `${time}: within`).reverse(),
    ],
    [
      'rules combine and every reason is reported',
      { keepLast: 1, keepDaily: 2, keepMonthly: 2 },
      ['2024-03-31T23: last,daily,monthly', '2024-03-01T01: daily', '2024-02-29T20: monthly'],
    ],
    ['a count of zero keeps nothing by that rule', { keepLast: 0 }, []],
  ];

  it.each(cases)('%s', (_, policy, expected) => {
    expect(kept(policy, history)).toEqual(expected);
  });

  it('keeps tagged snapshots whatever their age, with the reason', () => {
    const specs = ['2020-05-01T00 legal-hold', '2024-01-01T00', '2024-01-02T00 weekly-export legal-hold'];
    expect(kept({ keepLast: 1, keepTags: ['legal-hold'] }, specs)).toEqual([
      '2024-01-02T00: last,tag',
      '2020-05-01T00: tag',
    ]);
  });

  it('returns every snapshot newest first, forgotten ones with no reasons, whatever the input order', () => {
    const decisions = applyRetention(snapshots('2024-01-01T10', '2024-01-03T10', '2024-01-02T10'), { keepLast: 1 });
    expect(decisions.map((d) => [d.snapshot.id, d.keep, d.reasons as KeepReason[]])).toEqual([
      ['2024-01-03T10', true, ['last']],
      ['2024-01-02T10', false, []],
      ['2024-01-01T10', false, []],
    ]);
  });

  it('counts periods, not snapshots, when a day has several', () => {
    const sameDay = ['2024-06-01T08', '2024-06-01T12', '2024-06-01T16', '2024-05-31T23'];
    expect(kept({ keepDaily: 2 }, sameDay)).toEqual(['2024-06-01T16: daily', '2024-05-31T23: daily']);
  });

  it('keeps nothing of an entity with no snapshots', () => {
    expect(applyRetention([], { keepLast: 3 })).toEqual([]);
  });

  it.each([
    [{ keepLast: -1 }, /keepLast must be a whole number/],
    [{ keepDaily: 1.5 }, /keepDaily must be a whole number/],
    [{ keepWithin: {} }, /keepWithin must be longer than zero/],
    [{ keepWithin: { days: -2 } }, /keepWithin parts/],
    [{ keepTags: [''] }, /empty tag/],
  ] as [RetentionPolicy, RegExp][])('refuses an invalid policy %j', (policy, message) => {
    expect(() => applyRetention(snapshots('2024-01-01T00'), policy)).toThrow(message);
  });

  it('refuses a snapshot whose time does not parse', () => {
    expect(() => applyRetention([{ id: 'x', time: 'yesterday', tags: [] }], { keepLast: 1 })).toThrow(
      /snapshot x has no valid time/,
    );
  });
});

describe('isoWeek', () => {
  it.each([
    ['2024-01-01', '2024-W01'], // a Monday
    ['2023-01-01', '2022-W52'], // a Sunday belongs to the previous ISO year
    ['2020-12-31', '2020-W53'], // a year with 53 weeks
    ['2021-01-03', '2020-W53'],
    ['2021-01-04', '2021-W01'],
    ['2024-12-30', '2025-W01'], // a Monday in December belonging to next year's week 1
  ])('%s is %s', (day, week) => {
    expect(isoWeek(new Date(`${day}T12:00:00Z`))).toBe(week);
  });
});

describe('subtract', () => {
  it.each([
    ['2024-03-31T10:00:00.000Z', { months: 1 }, '2024-02-29T10:00:00.000Z'],
    ['2023-03-31T10:00:00.000Z', { months: 1 }, '2023-02-28T10:00:00.000Z'],
    ['2024-02-29T00:00:00.000Z', { years: 1 }, '2023-02-28T00:00:00.000Z'],
    ['2024-01-15T00:00:00.000Z', { months: 2 }, '2023-11-15T00:00:00.000Z'],
    ['2024-01-01T00:00:00.000Z', { days: 1 }, '2023-12-31T00:00:00.000Z'],
    ['2024-01-01T01:00:00.000Z', { hours: 2 }, '2023-12-31T23:00:00.000Z'],
    ['2025-05-31T00:00:00.000Z', { years: 1, months: 3, days: 1 }, '2024-02-28T00:00:00.000Z'],
  ])('%s minus %j is %s', (from, duration, expected) => {
    expect(subtract(new Date(from), duration).toISOString()).toBe(expected);
  });
});

describe('parseRetentionDuration', () => {
  it.each([
    ['30d', { days: 30 }],
    ['6m', { months: 6 }],
    ['1y6m', { years: 1, months: 6 }],
    ['48h', { hours: 48 }],
    ['2Y', { years: 2 }],
  ])('%s', (text, duration) => {
    expect(parseRetentionDuration(text)).toEqual(duration);
  });

  it.each([
    ['', /not a duration/],
    ['30', /not a duration/],
    ['1w', /not a duration/],
    ['-1d', /not a duration/],
    ['1d2d', /names days twice/],
    ['0d', /is zero/],
  ])('refuses %j', (text, message) => {
    expect(() => parseRetentionDuration(text)).toThrow(message);
  });
});
