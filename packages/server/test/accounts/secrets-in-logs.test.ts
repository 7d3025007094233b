/**
 * No secret of the accounts flows reaches the logs, at the most verbose level, on both databases:
 * passwords (sign-up, sign-in, reset, wrong ones), emailed link tokens, session cookies and CSRF tokens,
 * the SMTP password (email goes through a real SMTP sink that requires it), and a failed send's error.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tokenIn } from '../email/mail-reader.ts';
import { startSmtpSink, type SmtpSink } from '../email/smtp-sink.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startAccountsServer, type AccountsHarness } from './account-client.ts';

const smtpPassword = 'SmtpPassw0rd-x9f3kq';
const passwords = {
  signUp: 'SignUpPassword-x9f3kq',
  wrong: 'WrongPassword-x9f3kq',
  reset: 'ResetPassword-x9f3kq',
};

describeOnBothDatabases(
  'secrets in the logs of the accounts flows',
  (target) => {
    let sink: SmtpSink;
    let api: AccountsHarness;
    beforeAll(async () => {
      sink = await startSmtpSink({ user: 'holdfast', password: smtpPassword });
      api = await startAccountsServer(target().config, { smtp: sink });
    });
    afterAll(async () => {
      await api.close();
      await sink.close();
    });

    it('keeps passwords, tokens, cookies and the SMTP password out', async () => {
      const email = 'ada@example.org';
      const secrets: string[] = [smtpPassword, ...Object.values(passwords)];
      await api.signUpConfirmed({ name: 'Ada', email, password: passwords.signUp });
      secrets.push(tokenIn(await api.mailTo(email, 1)));
      await api.call('POST', '/v1/auth/sign-in', { body: { email, password: passwords.wrong } });
      const session = await api.signIn(email, passwords.signUp);
      secrets.push(session.token, session.csrfToken);
      await api.call('PATCH', '/v1/me', { session, body: { name: 'Ada L.' } });
      await api.call('POST', '/v1/account/email-change', { session, body: { email: 'ada@engines.example' } });
      secrets.push(tokenIn(await api.mailTo('ada@engines.example')));
      await api.call('GET', '/v1/auth/session', { session });
      await api.call('POST', '/v1/auth/password-reset', { body: { email } });
      const reset = tokenIn(await api.mailTo(email, 3));
      secrets.push(reset);
      await api.call('POST', '/v1/auth/password-reset/complete', { body: { token: reset, password: passwords.reset } });
      await api.call('POST', '/v1/auth/confirm-email', { body: { token: reset } });

      const lines = api.running.logs.lines();
      expect(lines.some((line) => line['msg'] === 'email goes through SMTP')).toBe(true);
      expect(lines.filter((line) => line['msg'] === 'email sent').length).toBeGreaterThanOrEqual(5);
      expect(lines.filter((line) => line['msg'] === 'request completed').length).toBeGreaterThanOrEqual(10);
      const text = api.running.logs.text();
      for (const secret of secrets) expect(text, 'a secret in the logs').not.toContain(secret);
      expect(text).toContain('[redacted]');
      expect(text).not.toContain(Buffer.from(`\0holdfast\0${smtpPassword}`).toString('base64'));
    });

    it('keeps the SMTP password out of a failed send', async () => {
      await sink.close();
      const email = 'grace@example.org';
      await api.call('POST', '/v1/auth/sign-up', {
        body: { name: 'Grace', email, password: passwords.signUp, region: 'eu-central' },
      });
      for (let i = 0; i < 400 && !api.running.logs.text().includes('email not sent'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const text = api.running.logs.text();
      expect(text).toContain('email not sent');
      expect(text).toContain('an account email was not sent');
      expect(text).not.toContain(smtpPassword);
    });
  },
  { logLevel: 'trace' },
);
