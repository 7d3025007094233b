import { describe, expect, it } from 'vitest';
import { csrfTokenFor, hashToken, newToken, secretsEqual } from '../../src/auth/tokens.ts';

describe('tokens', () => {
  it('are 32 random bytes in base64url behind an optional prefix, as the contract patterns say', () => {
    expect(newToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken('hfat_')).toMatch(/^hfat_[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(newToken());
  });

  it('are stored as SHA-256 digests', () => {
    const token = newToken('hfrt_');
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashToken(token)).not.toBe(hashToken(newToken('hfrt_')));
  });

  it('derive one CSRF token per session, which nobody can compute without the session token', () => {
    const session = newToken();
    expect(csrfTokenFor(session)).toBe(csrfTokenFor(session));
    expect(csrfTokenFor(session)).not.toBe(csrfTokenFor(newToken()));
    expect(csrfTokenFor(session)).not.toContain(session);
  });

  it('compare secrets whatever their lengths', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abd')).toBe(false);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
  });
});
