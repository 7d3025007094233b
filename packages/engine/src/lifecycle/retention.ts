/**
 * Retention policies: which snapshots of one entity to keep, and why.
 *
 * Design note: a pure function of the snapshots and the policy, in UTC, so it is table-tested without a
 * repository and gives the same answer wherever it runs. The rules follow restic's `forget`, whose
 * semantics admins already know: every rule keeps some snapshots, a snapshot is kept when any rule keeps
 * it, and every reason is reported. `keepWithin` counts back from the entity's newest snapshot, not from
 * now, so a task whose backups stopped does not lose its last good snapshots while nobody looks.
 */
import { ValidationError } from '../errors/index.ts';

/** A calendar duration: whole years, months and days (months and years as on the calendar, in UTC). */
export interface RetentionDuration {
  readonly years?: number | undefined;
  readonly months?: number | undefined;
  readonly days?: number | undefined;
  readonly hours?: number | undefined;
}

/**
 * What to keep. An empty policy keeps everything (the default: unlimited retention). Counts are numbers of
 * snapshots (`keepLast`) or of periods (`keepDaily`: the newest snapshot of each of the last N days that
 * have one).
 */
export interface RetentionPolicy {
  /** The N newest snapshots. */
  readonly keepLast?: number | undefined;
  /** The newest snapshot of each of the last N hours that have one. */
  readonly keepHourly?: number | undefined;
  /** …of each of the last N days (UTC calendar days). */
  readonly keepDaily?: number | undefined;
  /** …of each of the last N ISO weeks (Monday to Sunday, UTC). */
  readonly keepWeekly?: number | undefined;
  /** …of each of the last N calendar months. */
  readonly keepMonthly?: number | undefined;
  /** …of each of the last N calendar years. */
  readonly keepYearly?: number | undefined;
  /** Every snapshot taken within this duration before the entity's newest snapshot (inclusive). */
  readonly keepWithin?: RetentionDuration | undefined;
  /** Every snapshot carrying at least one of these tags. */
  readonly keepTags?: readonly string[] | undefined;
}

/** Why a snapshot is kept. `unlimited`: the policy is empty, so everything is kept. */
export type KeepReason = 'unlimited' | 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly' | 'within' | 'tag';

/** The part of a snapshot retention looks at. */
export interface RetentionCandidate {
  readonly id: string;
  /** ISO 8601 time the snapshot was taken. */
  readonly time: string;
  readonly tags: readonly string[];
}

/** The verdict on one snapshot. */
export interface RetentionDecision<T extends RetentionCandidate = RetentionCandidate> {
  readonly snapshot: T;
  readonly keep: boolean;
  /** Every rule that keeps it, in the order of {@link KeepReason}; empty when it is forgotten. */
  readonly reasons: readonly KeepReason[];
}

const BUCKET_RULES = [
  ['hourly', 'keepHourly'],
  ['daily', 'keepDaily'],
  ['weekly', 'keepWeekly'],
  ['monthly', 'keepMonthly'],
  ['yearly', 'keepYearly'],
] as const;

/** Whether the policy keeps everything (no rule set). */
export function isUnlimited(policy: RetentionPolicy): boolean {
  return (
    policy.keepLast === undefined &&
    BUCKET_RULES.every(([, key]) => policy[key] === undefined) &&
    policy.keepWithin === undefined &&
    policy.keepTags === undefined
  );
}

/**
 * Checks a policy; throws ValidationError naming the first mistake (a negative or fractional count, an
 * empty duration, an empty tag).
 */
export function validateRetentionPolicy(policy: RetentionPolicy): void {
  const counts: [string, number | undefined][] = [
    ['keepLast', policy.keepLast],
    ...BUCKET_RULES.map(([, key]): [string, number | undefined] => [key, policy[key]]),
  ];
  for (const [name, value] of counts) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new ValidationError(`${name} must be a whole number of 0 or more, not ${String(value)}`);
    }
  }
  const within = policy.keepWithin;
  if (within !== undefined) {
    const parts = [within.years, within.months, within.days, within.hours];
    for (const part of parts) {
      if (part !== undefined && (!Number.isSafeInteger(part) || part < 0)) {
        throw new ValidationError(`keepWithin parts must be whole numbers of 0 or more, not ${String(part)}`);
      }
    }
    if (parts.every((part) => (part ?? 0) === 0)) throw new ValidationError('keepWithin must be longer than zero');
  }
  if (policy.keepTags?.some((tag) => tag === '') === true) throw new ValidationError('keepTags holds an empty tag');
}

/**
 * Decides, for the snapshots of one entity, which are kept and why. Returns one decision per snapshot,
 * newest first (ties broken by id, so the order is stable).
 *
 * @throws ValidationError for an invalid policy or a snapshot whose time does not parse.
 */
export function applyRetention<T extends RetentionCandidate>(
  snapshots: readonly T[],
  policy: RetentionPolicy,
): RetentionDecision<T>[] {
  validateRetentionPolicy(policy);
  const dated = snapshots.map((snapshot) => {
    const time = Date.parse(snapshot.time);
    if (!Number.isFinite(time))
      throw new ValidationError(`snapshot ${snapshot.id} has no valid time: ${snapshot.time}`);
    return { snapshot, time };
  });
  dated.sort((a, b) => b.time - a.time || (a.snapshot.id < b.snapshot.id ? -1 : 1));
  const reasons = dated.map(() => new Set<KeepReason>());
  if (isUnlimited(policy)) {
    for (const set of reasons) set.add('unlimited');
  } else {
    dated.forEach((_, index) => {
      if (index < (policy.keepLast ?? 0)) reasons[index]?.add('last');
    });
    for (const [reason, key] of BUCKET_RULES) {
      let remaining = policy[key] ?? 0;
      let lastBucket: string | undefined;
      for (let index = 0; index < dated.length && remaining > 0; index++) {
        const bucket = bucketOf(reason, new Date(dated[index]?.time ?? 0));
        if (bucket === lastBucket) continue;
        lastBucket = bucket;
        reasons[index]?.add(reason);
        remaining--;
      }
    }
    const newest = dated[0];
    if (policy.keepWithin !== undefined && newest !== undefined) {
      const cutoff = subtract(new Date(newest.time), policy.keepWithin).getTime();
      dated.forEach(({ time }, index) => {
        if (time >= cutoff) reasons[index]?.add('within');
      });
    }
    const tags = new Set(policy.keepTags ?? []);
    dated.forEach(({ snapshot }, index) => {
      if (snapshot.tags.some((tag) => tags.has(tag))) reasons[index]?.add('tag');
    });
  }
  return dated.map(({ snapshot }, index) => {
    const kept = [...(reasons[index] ?? [])].sort((a, b) => REASON_ORDER.indexOf(a) - REASON_ORDER.indexOf(b));
    return { snapshot, keep: kept.length > 0, reasons: kept };
  });
}

const REASON_ORDER: readonly KeepReason[] = [
  'unlimited',
  'last',
  'hourly',
  'daily',
  'weekly',
  'monthly',
  'yearly',
  'within',
  'tag',
];

/** The period a time falls in, as a comparable string. */
function bucketOf(reason: 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly', date: Date): string {
  const iso = date.toISOString();
  switch (reason) {
    case 'hourly':
      return iso.slice(0, 13);
    case 'daily':
      return iso.slice(0, 10);
    case 'monthly':
      return iso.slice(0, 7);
    case 'yearly':
      return iso.slice(0, 4);
    case 'weekly':
      return isoWeek(date);
  }
}

/** ISO 8601 week of a UTC date, `YYYY-Www`: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() === 0 ? 7 : day.getUTCDay();
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${String(day.getUTCFullYear())}-W${String(week).padStart(2, '0')}`;
}

/**
 * `date` minus a calendar duration, in UTC. Months and years move the calendar date and clamp to the end
 * of a shorter month (31 March minus one month is 28 or 29 February), then days and hours are subtracted.
 */
export function subtract(date: Date, duration: RetentionDuration): Date {
  const months = (duration.years ?? 0) * 12 + (duration.months ?? 0);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() - months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const shifted = new Date(date.getTime());
  shifted.setUTCFullYear(targetYear, targetMonth, Math.min(date.getUTCDate(), lastDay));
  return new Date(shifted.getTime() - (duration.days ?? 0) * 86_400_000 - (duration.hours ?? 0) * 3_600_000);
}

/**
 * Parses a duration as the CLI takes it: one or more `<number><unit>` with units `y`, `m` (months), `d`,
 * `h`, e.g. `30d`, `6m`, `1y6m`, `48h`.
 *
 * @throws ValidationError naming what is wrong.
 */
export function parseRetentionDuration(text: string): RetentionDuration {
  const trimmed = text.trim();
  if (!/^(\d+[ymdh])+$/i.test(trimmed)) {
    throw new ValidationError(`not a duration: "${text}" (use e.g. 30d, 6m, 1y, 1y6m, 48h)`);
  }
  const duration: Record<string, number> = {};
  const names: Record<string, string> = { y: 'years', m: 'months', d: 'days', h: 'hours' };
  for (const [, digits, unit] of trimmed.matchAll(/(\d+)([ymdh])/gi)) {
    const name = names[(unit ?? '').toLowerCase()] ?? '';
    if (name in duration) throw new ValidationError(`duration "${text}" names ${name} twice`);
    duration[name] = Number(digits);
  }
  const result = duration as RetentionDuration;
  if (Object.values(duration).every((value) => value === 0)) {
    throw new ValidationError(`duration "${text}" is zero`);
  }
  return result;
}
