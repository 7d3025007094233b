/**
 * The email and password-hashing settings: `HOLDFAST_SMTP_URL` (a secret: never echoed, masked by
 * `describeConfig`), `HOLDFAST_MAIL_FROM`, `HOLDFAST_PASSWORD_HASHING`.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { describeConfig } from '../../src/config/server-config.ts';

const cwd = '/srv/holdfast';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env, cwd });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('email settings', () => {
  it('reads the SMTP URL, the sender and the hashing costs', () => {
    const config = loadConfig({
      cwd,
      env: {
        HOLDFAST_SMTP_URL: 'smtp://mailer:s3cr3t-pw@mail.example.org:587',
        HOLDFAST_MAIL_FROM: 'Backups <backups@example.org>',
        HOLDFAST_PASSWORD_HASHING: 'm=65536, t=3, p=2',
      },
    });
    expect(config).toMatchObject({
      smtpUrl: 'smtp://mailer:s3cr3t-pw@mail.example.org:587',
      mailFrom: 'Backups <backups@example.org>',
      passwordHashing: { memoryKiB: 65536, passes: 3, parallelism: 2 },
    });
    const described = JSON.stringify(describeConfig(config));
    expect(described).not.toContain('s3cr3t-pw');
    expect(described).toContain('smtp://mailer:redacted@mail.example.org:587');
  });

  it.each([
    [
      { HOLDFAST_SMTP_URL: 'http://mailer:s3cr3t-pw@mail.example.org' },
      'HOLDFAST_SMTP_URL must be an smtp:// or smtps:// URL (e.g. smtp://user:password@mail.example.org:587), got a http: URL',
    ],
    [
      { HOLDFAST_SMTP_URL: 's3cr3t-pw' },
      'HOLDFAST_SMTP_URL must be an smtp:// or smtps:// URL (e.g. smtp://user:password@mail.example.org:587), got no URL',
    ],
    [
      { HOLDFAST_MAIL_FROM: 'Holdfast' },
      "HOLDFAST_MAIL_FROM must be an email address, optionally with a name (e.g. Holdfast <holdfast@example.org>), got 'Holdfast'",
    ],
    [
      { HOLDFAST_PASSWORD_HASHING: 'm=4,t=1,p=1' },
      "HOLDFAST_PASSWORD_HASHING must be argon2id costs as m=<memory KiB>,t=<passes>,p=<lanes> (e.g. m=19456,t=2,p=1), m at least 8×p, got 'm=4,t=1,p=1'",
    ],
  ])('refuses %o with one clear line, never echoing a secret', (env, message) => {
    const problems = problemsOf(env);
    expect(problems).toEqual([message]);
    expect(problems.join('\n')).not.toContain('s3cr3t-pw');
  });

  it('accepts a bare address as the sender', () => {
    expect(loadConfig({ cwd, env: { HOLDFAST_MAIL_FROM: 'holdfast@example.org' } }).mailFrom).toBe(
      'holdfast@example.org',
    );
  });
});
