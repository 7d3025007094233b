/**
 * Resource ids: a type prefix and a ULID in lower-case Crockford base32 (`usr_01je28jt97kb6cq643dzvmxxqk`),
 * as the contract's id patterns say. The first 10 characters are the creation time in milliseconds, so ids
 * sort roughly by creation and index well; the last 16 are 80 random bits, so ids cannot be guessed.
 */
import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

/** Prefixes in use; the contract reserves more (`tsk_`, `ent_`, `snp_`, `job_`, …) for later resources. */
export type IdPrefix =
  'acc' | 'usr' | 'key' | 'ses' | 'etk' | 'otk' | 'job' | 'req' | 'rcc' | 'sic' | 'aud' | 'act' | 'ipr' | 'tsk';

/** A new id: `newId('usr')` → `usr_01je28jt97kb6cq643dzvmxxqk`. */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  return `${prefix}_${ulid(now)}`;
}

/** A ULID (26 characters) for the time `now` in milliseconds. */
export function ulid(now: number = Date.now()): string {
  let time = '';
  let rest = Math.floor(now);
  for (let i = 0; i < 10; i++) {
    time = alphabet.charAt(rest % 32) + time;
    rest = Math.floor(rest / 32);
  }
  const bytes = randomBytes(10);
  let random = '';
  // 80 bits = 16 groups of 5 bits.
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      random += alphabet.charAt((buffer >> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  return time + random;
}

/** The pattern of an id with this prefix, as in the contract. */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`);
}
