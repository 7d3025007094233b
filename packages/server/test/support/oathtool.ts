/**
 * Codes from `oathtool` (OATH Toolkit), an independent TOTP implementation, so the 2FA tests do not only
 * check our code against itself. Install it with `apt-get install -y oathtool`; without it these tests
 * fail (never skip) with the command's ENOENT.
 */
import { execFileSync } from 'node:child_process';

/** The TOTP code (SHA-1, 30 s) of a base32 secret at a moment. */
export function oathtoolCode(base32Secret: string, at: Date, digits = 6): string {
  return execFileSync(
    'oathtool',
    ['--totp', '-b', '-d', String(digits), '-N', `@${Math.floor(at.getTime() / 1000)}`, base32Secret],
    { encoding: 'utf8' },
  ).trim();
}
