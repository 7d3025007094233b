/**
 * Secrets are compared in constant time: no `===`/`!==` in `src/` between values named like secrets
 * (an identifier ending in token, secret, digest, hash, csrf, password or code) — those go through `secretsEqual` or
 * `timingSafeEqual`, or are looked up by digest in the database. A comparison with `null`, `undefined`,
 * a `typeof` or a length is no comparison of secrets. The few lines below compare two values of the same
 * request (nothing stored an attacker could learn by timing) and were reviewed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../../src', import.meta.url));

/** Reviewed: both sides come from the same request body (or are not secrets). */
const reviewed: readonly RegExp[] = [
  /body\.confirmation !== body\.newPassword/,
  /body\.newPassword === body\.currentPassword/,
  /existing\.request_hash !== hash/, // a digest of the request body, for idempotency: not a secret
];

/** An identifier whose last word names a secret: `token_hash`, `csrfToken`, `clientSecret`, `code`. */
const secretName = String.raw`[\w.\]\)]*(?:token|secret|digest|hash|csrf|password|code)s?\b`;
const comparison = new RegExp(
  String.raw`(?:\b${secretName}\s*[!=]==\s*[^\s;)]+)|(?:[^\s(]+\s*[!=]==\s*${secretName}\b)`,
  'i',
);
const harmless =
  /[!=]==\s*(?:null|undefined|''|true|false|\d)|(?:null|undefined|''|\d)\s*[!=]==|typeof|\.length|\.status\b|\.kind\b|\.code\s*[!=]==\s*'|'\w+'\s*$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('secret comparisons in src/', () => {
  it('use a constant-time comparison', () => {
    const found: string[] = [];
    for (const file of sourceFiles(srcDir)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const code = line.replace(/\/\/.*$/, '').trim();
          if (code.startsWith('*') || code.startsWith('/*')) return;
          const match = comparison.exec(code);
          if (match === null || harmless.test(match[0]) || reviewed.some((pattern) => pattern.test(code))) return;
          found.push(`${relative(srcDir, file)}:${index + 1}: ${code}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('would catch one', () => {
    expect(comparison.test('if (presented === row.token_hash) return true;')).toBe(true);
    expect(comparison.test('return csrfToken !== expected;')).toBe(true);
    expect(comparison.test('if (token === null) return;')).toBe(true);
    expect(harmless.test('token === null')).toBe(true);
  });
});
