/**
 * The keys of `auth_throttles` rows. Client addresses and emails are personal data, and a table of
 * emails typed at sign-in would list who has an account (and who mistyped what), so those two are stored
 * only as HMAC-SHA-256 under a key derived from the master key (HKDF, its own label): the table lists no
 * address, a copy of the database alone cannot test guesses against it, and every API process (sharing
 * the master key) computes the same key. An email is normalised first (trimmed, lower-cased, as sign-in
 * compares them), and is hashed the same way whether or not a user has it, so an unknown address is
 * counted exactly like a known one. User and API key ids are not secret and stay readable, so ops can
 * lift one lockout by deleting its row.
 *
 * Keys: `address:<hmac>`, `email:<hmac>`, `user:<usr_id>`, `api_key:<key_id>`.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { normalizeEmail } from '../../accounts/account-records.ts';
import { clientNetwork } from '../client-network.ts';
import type { ThrottleKind } from './brute-force-policy.ts';

/** A throttle key and the kind of policy it follows. */
export interface ThrottleKey {
  readonly kind: ThrottleKind;
  /** The row's `throttle_key`. */
  readonly key: string;
}

/** Makes throttle keys; the hashed ones under a key derived from the master key. */
export interface ThrottleKeys {
  /** The key of a client address (an IPv6 address counts as its /64). */
  address(clientIp: string): ThrottleKey;
  /** The key of an email typed at sign-in, whether or not anyone has it. */
  email(email: string): ThrottleKey;
  /** The key of a user's second-factor codes and current password. */
  user(userId: string): ThrottleKey;
  /** The key of an API key's secret (its id is the OAuth `client_id`). */
  apiKey(apiKeyId: string): ThrottleKey;
}

/** Throttle keys under the master key (32 bytes). */
export function throttleKeys(masterKey: Buffer): ThrottleKeys {
  const secret = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'holdfast auth throttle keys v1', 32));
  const digest = (purpose: string, value: string): string =>
    createHmac('sha256', secret).update(`${purpose}\u0000${value}`, 'utf8').digest('base64url');
  return {
    address: (clientIp) => ({ kind: 'address', key: `address:${digest('address', clientNetwork(clientIp))}` }),
    email: (email) => ({ kind: 'email', key: `email:${digest('email', normalizeEmail(email))}` }),
    user: (userId) => ({ kind: 'user', key: `user:${userId}` }),
    apiKey: (apiKeyId) => ({ kind: 'apiKey', key: `api_key:${apiKeyId}` }),
  };
}
