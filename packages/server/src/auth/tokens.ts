/**
 * Secret tokens and how they are stored. Every token is 32 random bytes in base64url (43 characters),
 * optionally behind a type prefix (`hfat_` access token, `hfrt_` refresh token, `hfs_` client secret);
 * the database keeps only its SHA-256 ({@link hashToken}), which is enough for values with 256 bits of
 * entropy (passwords, which have far less, get a slow KDF instead). A session's CSRF token is derived
 * from the session token ({@link csrfTokenFor}), so the server can hand it out again (`getSession`)
 * without storing it, and nobody without the session cookie can compute it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new secret token: `newToken('hfat_')` → `hfat_2nOSiGOVV2J959BTH5bMmZYmWGBOHX-3kwNMpXsA0CI`. */
export function newToken(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a token: SHA-256, base64url. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** The CSRF token of the session whose cookie value is `sessionToken`. */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('holdfast csrf token v1').digest('base64url');
}

/** Compares two secrets without leaking where they differ. */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
