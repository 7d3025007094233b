/**
 * Parsers of the brute-force and rate-limit settings, in the manner of `config-fields.ts`: each takes
 * the raw value (an environment string, or a JSON value from the file) and the label to name it by, and
 * answers the value or throws a one-line {@link ConfigValueError}.
 *
 * - A throttle policy: `failures=5,window=15m,lockout=5m,maxLockout=1h`, any of the four (the others
 *   keep the kind's defaults); in the file the same string or `{ "failures", "window", "lockout",
 *   "maxLockout" }`. Durations are `30s`, `15m`, `1h` or whole seconds, from 1 second to 24 hours.
 * - A rate limit: `30/min` or `30/min,burst=60` (`s`, `min`, `h`), or `off`.
 */
import {
  defaultBruteForcePolicy,
  type ThrottleKind,
  type ThrottlePolicy,
} from '../auth/brute-force/brute-force-policy.ts';
import type { RateLimit } from '../http/middleware/token-buckets.ts';
import { ConfigValueError, shown } from './config-fields.ts';

const unitMs: Readonly<Record<string, number>> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000 };
const maxDurationMs = 24 * 3_600_000;

/** `30s`, `15m`, `1h` or whole seconds, in milliseconds; null when it is none of them or out of range. */
function durationMs(raw: unknown): number | null {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string') return null;
  const match = /^(\d{1,6})\s*([smh]?)$/i.exec(text.trim());
  const unit = unitMs[(match?.[2] ?? '').toLowerCase()];
  if (match === null || unit === undefined) return null;
  const ms = Number(match[1]) * unit;
  return ms >= 1000 && ms <= maxDurationMs ? ms : null;
}

/** A count of failures (1-1000000), or null. */
function failuresOf(raw: unknown): number | null {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !/^\d{1,7}$/.test(text.trim())) return null;
  const count = Number(text);
  return count >= 1 && count <= 1_000_000 ? count : null;
}

/** `300000` → `5m`, for messages. */
function durationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

const policyFields = { failures: 'maxFailures', window: 'windowMs', lockout: 'lockoutMs', maxLockout: 'maxLockoutMs' };
type PolicyField = keyof typeof policyFields;

/** The parser of one kind's throttle policy, whose unset parts keep that kind's defaults. */
export function throttlePolicyParser(kind: ThrottleKind): (raw: unknown, label: string) => ThrottlePolicy {
  const must =
    'failures=<n>,window=<duration>,lockout=<duration>,maxLockout=<duration> (any of them; failures 1-1000000, ' +
    'durations like 30s, 15m, 1h, up to 24h)';
  return (raw, label) => {
    let entries: [string, unknown][];
    if (typeof raw === 'string') {
      entries = raw
        .split(',')
        .filter((part) => part.trim() !== '')
        .map((part) => {
          const [name = '', ...value] = part.split('=');
          return [name.trim(), value.length === 0 ? undefined : value.join('=').trim()];
        });
    } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      entries = Object.entries(raw);
    } else {
      throw new ConfigValueError(`${label} must be ${must}, got ${shown(raw)}`);
    }
    if (entries.length === 0) throw new ConfigValueError(`${label} must be ${must}, got ${shown(raw)}`);
    const policy: Record<string, number> = { ...defaultBruteForcePolicy[kind] };
    for (const [name, value] of entries) {
      if (!(name in policyFields)) throw new ConfigValueError(`${label} must be ${must}, got ${shown(raw)}`);
      const parsed = name === 'failures' ? failuresOf(value) : durationMs(value);
      if (parsed === null) throw new ConfigValueError(`${label} must be ${must}, got ${shown(raw)}`);
      policy[policyFields[name as PolicyField]] = parsed;
    }
    const result = policy as unknown as ThrottlePolicy;
    if (result.maxLockoutMs < result.lockoutMs) {
      throw new ConfigValueError(
        `${label}: maxLockout (${durationText(result.maxLockoutMs)}) must be at least lockout (${durationText(result.lockoutMs)})`,
      );
    }
    return result;
  };
}

const periodMs: Readonly<Record<string, number>> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

/** A rate limit, or null for `off`. */
export function parseRateLimit(raw: unknown, label: string): RateLimit | null {
  const must = '<requests>/<s|min|h>, optionally ,burst=<n> (e.g. 30/min,burst=60; 1-1000000 each), or off';
  if (raw === false || (typeof raw === 'string' && raw.trim().toLowerCase() === 'off')) return null;
  const match =
    typeof raw === 'string' ? /^(\d{1,7})\s*\/\s*([a-z]+)\s*(?:,\s*burst\s*=\s*(\d{1,7}))?$/i.exec(raw.trim()) : null;
  const perMs = periodMs[(match?.[2] ?? '').toLowerCase()];
  if (match === null || perMs === undefined) throw new ConfigValueError(`${label} must be ${must}, got ${shown(raw)}`);
  const requests = Number(match[1]);
  const burst = match[3] === undefined ? requests : Number(match[3]);
  if (requests < 1 || requests > 1_000_000 || burst < 1 || burst > 1_000_000) {
    throw new ConfigValueError(`${label} must be ${must}, got ${shown(raw)}`);
  }
  return { requests, perMs, burst };
}
