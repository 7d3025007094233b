/**
 * The password policy (S4), one rule per clear message: at least {@link minimumPasswordLength}
 * characters, not the user's email address (nor its part before the `@`), and not one of the common
 * passwords below (compared without case, spaces or punctuation). The list is deliberately small and
 * embedded (no download, no service): it holds the well-known passwords long enough to pass the length
 * rule, which is what the length rule alone lets through. `docs/security.md` documents the rules.
 */

import { HttpProblem } from '../http/problem.ts';

/** The shortest password accepted. */
export const minimumPasswordLength = 12;

/** Common passwords of 12 characters or more (from public breach top lists), normalised. */
const commonPasswords: ReadonlySet<string> = new Set(
  [
    'password1234',
    'password12345',
    'password123456',
    'passwordpassword',
    'password123!',
    '123456789012',
    '1234567890123',
    '12345678901234',
    '123456123456',
    '111111111111',
    '000000000000',
    'qwertyuiopas',
    'qwertyuiop123',
    'qwerty123456',
    'qwertyqwerty',
    '1q2w3e4r5t6y',
    '1qaz2wsx3edc',
    'qazwsxedcrfv',
    'zaq12wsxcde3',
    'iloveyou1234',
    'iloveyouiloveyou',
    'letmein12345',
    'welcome12345',
    'welcome123456',
    'administrator',
    'admin1234567',
    'changeme1234',
    'trustno11234',
    'sunshine1234',
    'football1234',
    'baseball1234',
    'princess1234',
    'monkey123456',
    'dragon123456',
    'abc123456789',
    'abcdefghijkl',
    'abcd12345678',
    'aaaaaaaaaaaa',
    'holdfast1234',
    'holdfastpassword',
  ].map(normalise),
);

function normalise(password: string): string {
  return password.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * Why the policy refuses `password` for the user with address `email`, or null when it accepts it.
 *
 * @example
 * ```ts
 * passwordProblem('short', 'ada@example.org'); // 'The password must be at least 12 characters long.'
 * ```
 */
export function passwordProblem(password: string, email: string): string | null {
  if (Array.from(password).length < minimumPasswordLength) {
    return `The password must be at least ${minimumPasswordLength} characters long.`;
  }
  const plain = normalise(password);
  const address = email.toLowerCase();
  const local = address.split('@')[0] ?? address;
  if (password.trim().toLowerCase() === address || plain === normalise(address) || plain === normalise(local)) {
    return 'The password must not be your email address.';
  }
  if (commonPasswords.has(plain)) return 'This password is too common; choose another.';
  return null;
}

/**
 * Throws `422 PASSWORD_REJECTED` naming the rule (and the field, `path`) when the policy refuses
 * `password` for the user with address `email`. Sign-up, password reset, invitation acceptance and
 * password change all apply it.
 */
export function assertPasswordAccepted(password: string, email: string, path: string): void {
  const problem = passwordProblem(password, email);
  if (problem !== null) throw passwordRejected(problem, path);
}

/** The `422 PASSWORD_REJECTED` problem for `detail`, on the field at `path` (`/body/password`). */
export function passwordRejected(detail: string, path: string): HttpProblem {
  return new HttpProblem(422, 'PASSWORD_REJECTED', detail, { errors: [{ path, message: detail }] });
}
