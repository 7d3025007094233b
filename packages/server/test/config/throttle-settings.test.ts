/**
 * The brute-force and rate-limit settings: the defaults are the documented policy, any part of a policy
 * can be set (the rest keeps the kind's defaults), the file takes strings or objects, `off` turns the
 * rate limit off, and every bad value is one clear line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBruteForcePolicy } from '../../src/auth/brute-force/brute-force-policy.ts';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

const cwd = '/srv/holdfast';
const minute = 60_000;

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env, cwd });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('brute-force and rate-limit settings', () => {
  it('default to the documented policy', () => {
    const config = loadConfig({ env: {}, cwd });
    expect(config.bruteForce).toEqual(defaultBruteForcePolicy);
    expect(config.bruteForce.email).toEqual({
      maxFailures: 5,
      windowMs: 15 * minute,
      lockoutMs: 5 * minute,
      maxLockoutMs: 60 * minute,
    });
    expect(config.publicRateLimit).toEqual({ requests: 30, perMs: minute, burst: 30 });
  });

  it('read a whole policy, or part of one, from the environment', () => {
    const config = loadConfig({
      cwd,
      env: {
        HOLDFAST_THROTTLE_EMAIL: 'failures=3, window=10m, lockout=30s, maxLockout=2h',
        HOLDFAST_THROTTLE_ADDRESS: 'failures=200',
        HOLDFAST_THROTTLE_USER: 'lockout=900',
        HOLDFAST_THROTTLE_API_KEY: 'maxLockout=24h',
        HOLDFAST_PUBLIC_RATE_LIMIT: '120/min,burst=300',
      },
    });
    expect(config.bruteForce).toEqual({
      email: { maxFailures: 3, windowMs: 10 * minute, lockoutMs: 30_000, maxLockoutMs: 120 * minute },
      address: { ...defaultBruteForcePolicy.address, maxFailures: 200 },
      user: { ...defaultBruteForcePolicy.user, lockoutMs: 15 * minute },
      apiKey: { ...defaultBruteForcePolicy.apiKey, maxLockoutMs: 24 * 60 * minute },
    });
    expect(config.publicRateLimit).toEqual({ requests: 120, perMs: minute, burst: 300 });
  });

  it.each([
    ['10/s', { requests: 10, perMs: 1000, burst: 10 }],
    ['1000/hour', { requests: 1000, perMs: 3_600_000, burst: 1000 }],
    [' 5 / minute , burst = 1 ', { requests: 5, perMs: minute, burst: 1 }],
    ['off', null],
    ['OFF', null],
  ])('reads the rate limit %j', (value, expected) => {
    expect(loadConfig({ env: { HOLDFAST_PUBLIC_RATE_LIMIT: value }, cwd }).publicRateLimit).toEqual(expected);
  });

  it('take strings or objects in the file, and false for no rate limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holdfast-throttle-config-'));
    try {
      writeFileSync(
        join(dir, 'holdfast.json'),
        JSON.stringify({
          throttleEmail: { failures: 10, window: '1h' },
          throttleUser: 'failures=2',
          publicRateLimit: false,
        }),
      );
      const config = loadConfig({ env: { HOLDFAST_CONFIG: 'holdfast.json' }, cwd: dir });
      expect(config.bruteForce.email).toEqual({
        ...defaultBruteForcePolicy.email,
        maxFailures: 10,
        windowMs: 60 * minute,
      });
      expect(config.bruteForce.user.maxFailures).toBe(2);
      expect(config.publicRateLimit).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const policyMust =
    'must be failures=<n>,window=<duration>,lockout=<duration>,maxLockout=<duration> (any of them; failures ' +
    '1-1000000, durations like 30s, 15m, 1h, up to 24h)';
  const rateMust = 'must be <requests>/<s|min|h>, optionally ,burst=<n> (e.g. 30/min,burst=60; 1-1000000 each), or off';

  it.each([
    [{ HOLDFAST_THROTTLE_EMAIL: 'five' }, `HOLDFAST_THROTTLE_EMAIL ${policyMust}, got 'five'`],
    [{ HOLDFAST_THROTTLE_EMAIL: 'failures=0' }, `HOLDFAST_THROTTLE_EMAIL ${policyMust}, got 'failures=0'`],
    [{ HOLDFAST_THROTTLE_ADDRESS: 'failures=-3' }, `HOLDFAST_THROTTLE_ADDRESS ${policyMust}, got 'failures=-3'`],
    [{ HOLDFAST_THROTTLE_USER: 'window=2d' }, `HOLDFAST_THROTTLE_USER ${policyMust}, got 'window=2d'`],
    [{ HOLDFAST_THROTTLE_USER: 'lockout=25h' }, `HOLDFAST_THROTTLE_USER ${policyMust}, got 'lockout=25h'`],
    [{ HOLDFAST_THROTTLE_API_KEY: 'lockout=0s' }, `HOLDFAST_THROTTLE_API_KEY ${policyMust}, got 'lockout=0s'`],
    [{ HOLDFAST_THROTTLE_API_KEY: 'retries=3' }, `HOLDFAST_THROTTLE_API_KEY ${policyMust}, got 'retries=3'`],
    [{ HOLDFAST_THROTTLE_EMAIL: 'failures' }, `HOLDFAST_THROTTLE_EMAIL ${policyMust}, got 'failures'`],
    [
      { HOLDFAST_THROTTLE_EMAIL: 'lockout=10m,maxLockout=5m' },
      'HOLDFAST_THROTTLE_EMAIL: maxLockout (5m) must be at least lockout (10m)',
    ],
    [{ HOLDFAST_PUBLIC_RATE_LIMIT: 'lots' }, `HOLDFAST_PUBLIC_RATE_LIMIT ${rateMust}, got 'lots'`],
    [{ HOLDFAST_PUBLIC_RATE_LIMIT: '30/fortnight' }, `HOLDFAST_PUBLIC_RATE_LIMIT ${rateMust}, got '30/fortnight'`],
    [{ HOLDFAST_PUBLIC_RATE_LIMIT: '0/min' }, `HOLDFAST_PUBLIC_RATE_LIMIT ${rateMust}, got '0/min'`],
    [{ HOLDFAST_PUBLIC_RATE_LIMIT: '30/min,burst=0' }, `HOLDFAST_PUBLIC_RATE_LIMIT ${rateMust}, got '30/min,burst=0'`],
  ])('refuse %o with one clear line', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });
});
