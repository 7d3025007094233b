/**
 * The pure parts of the defences, table-driven: how long the n-th lockout lasts, which network a client
 * address counts under, and what a token bucket answers as time moves (forward and back).
 */
import { describe, expect, it } from 'vitest';
import { secondFactorOf } from '../../src/auth/brute-force/guards/sign-in-guards.ts';
import { defaultBruteForcePolicy, lockoutDuration } from '../../src/auth/brute-force/brute-force-policy.ts';
import { clientNetwork } from '../../src/auth/client-network.ts';
import { TokenBuckets } from '../../src/http/middleware/token-buckets.ts';

const minute = 60_000;

describe('lockoutDuration', () => {
  it.each([
    [0, 5 * minute],
    [1, 10 * minute],
    [2, 20 * minute],
    [3, 40 * minute],
    [4, 60 * minute],
    [50, 60 * minute],
    [-1, 5 * minute],
  ])('after %i lockouts in a row, the email lockout lasts %i ms', (earlier, expected) => {
    expect(lockoutDuration(defaultBruteForcePolicy.email, earlier)).toBe(expected);
  });

  it('never exceeds the maximum, even when it equals the base', () => {
    const flat = { maxFailures: 1, windowMs: minute, lockoutMs: minute, maxLockoutMs: minute };
    expect([0, 1, 7].map((n) => lockoutDuration(flat, n))).toEqual([minute, minute, minute]);
  });
});

describe('clientNetwork', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    [' 192.0.2.7 ', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['::ffff:c000:207', '192.0.2.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['2001:db8:1:2:3:4:192.0.2.1', '2001:db8:1:2::/64'],
    ['', ''],
    ['not an address', 'not an address'],
  ])('counts %s as %s', (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });
});

describe('TokenBuckets', () => {
  const limit = { requests: 2, perMs: 1000, burst: 3 };

  it.each([
    // [time of each request, expected answers ("ok" or the wait in ms)]
    [
      [0, 0, 0, 0],
      ['ok', 'ok', 'ok', 500],
    ],
    [
      [0, 0, 0, 250, 500],
      ['ok', 'ok', 'ok', 250, 'ok'],
    ],
    [
      [0, 0, 0, 10_000, 10_000, 10_000, 10_000],
      ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 500],
    ],
    // A clock moved back refills nothing (and does not break the bucket).
    [
      [1000, 1000, 1000, 0, 500],
      ['ok', 'ok', 'ok', 500, 'ok'],
    ],
  ])('at %j answers %j', (times, expected) => {
    const buckets = new TokenBuckets(limit);
    const answers = times.map((at) => {
      const taken = buckets.take('client', at);
      return taken.allowed ? 'ok' : taken.retryAfterMs;
    });
    expect(answers).toEqual(expected);
  });

  it('keeps one bucket per key, and at most maxKeys of them (least recently used go first)', () => {
    const buckets = new TokenBuckets({ requests: 1, perMs: 60_000, burst: 1 }, 2);
    expect(buckets.take('a', 0).allowed).toBe(true);
    expect(buckets.take('b', 0).allowed).toBe(true);
    expect(buckets.take('a', 0).allowed).toBe(false);
    expect(buckets.take('c', 0).allowed).toBe(true);
    expect(buckets.size).toBe(2);
    // `b` was the least recently used: dropped, it comes back full; `a` is still empty.
    expect(buckets.take('b', 0).allowed).toBe(true);
    expect(buckets.take('c', 0).allowed).toBe(false);
  });
});

describe('secondFactorOf', () => {
  it.each([
    ['123456', 'totp'],
    ['123 456', 'totp'],
    ['123-456', 'totp'],
    ['abcde-fghij', 'recovery_code'],
    ['ABCDEFGHIJ', 'recovery_code'],
  ])('reads %s as %s', (typed, kind) => {
    expect(secondFactorOf(typed)).toBe(kind);
  });
});
