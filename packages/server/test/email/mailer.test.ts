/**
 * The mailer against a real SMTP server (`smtp-server` on a free port) and the outbox folder: messages
 * arrive whole and readable, the outbox is private (0700/0600), and a failed send is a clear error that
 * never holds the SMTP password (neither does the log).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../src/email/create-mailer.ts';
import { MailDeliveryError } from '../../src/email/mailer.ts';
import { invitationEmail, passwordResetEmail } from '../../src/email/templates.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { CapturedLogs } from '../support/test-server.ts';
import { readOutbox, tokenIn } from './mail-reader.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

const token = 'Tk0123456789abcdefghijABCDEFGHIJ_-xyzXYZ789';
const password = 'sm7p-Pa55word!';

function capture(): { logs: CapturedLogs; logger: ReturnType<typeof createLogger> } {
  const logs = new CapturedLogs();
  return { logs, logger: createLogger('info', logs) };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

describe('the SMTP mailer', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink({ user: 'holdfast', password });
  });
  afterAll(async () => {
    await sink.close();
  });

  it('delivers a message the sink receives whole', async () => {
    const { logs, logger } = capture();
    const mailer = createMailer(
      { smtpUrl: sink.url, mailFrom: 'Backups <backups@example.org>', outboxDir: '/nonexistent' },
      logger,
    );
    const expiresAt = new Date('2026-12-01T10:00:00Z');
    await mailer.send({
      to: 'ada@example.org',
      ...passwordResetEmail({ publicUrl: 'https://backup.example.org', name: 'Ada', token, expiresAt }),
    });
    expect(sink.recipients.at(-1)).toEqual(['ada@example.org']);
    const message = sink.messages.at(-1);
    expect(message).toMatchObject({
      to: 'ada@example.org',
      from: 'Backups <backups@example.org>',
      subject: 'Reset your Holdfast password',
    });
    expect(message?.text).toContain(`https://backup.example.org/reset-password#token=${token}`);
    expect(message?.text).toContain('2026-12-01 10:00 UTC');
    expect(message?.html).toContain(`https://backup.example.org/reset-password#token=${token}`);
    expect(tokenIn(message!)).toBe(token);
    expect(mailer.description).toBe(`SMTP smtp://holdfast:redacted@127.0.0.1:${sink.port}`);
    const text = logs.text();
    expect(text).toContain('email goes through SMTP');
    expect(text).toContain('email sent');
    expect(text).not.toContain(password);
    expect(text).not.toContain(token);
  });

  it('fails clearly, without the password, when the server refuses the credentials', async () => {
    const { logs, logger } = capture();
    const wrong = 'Wr0ng-Secret-pw';
    const mailer = createMailer(
      {
        smtpUrl: `smtp://holdfast:${wrong}@127.0.0.1:${sink.port}`,
        mailFrom: 'holdfast@localhost',
        outboxDir: '/nonexistent',
      },
      logger,
    );
    const failure = await mailer
      .send({ to: 'ada@example.org', subject: 'x', text: `secret ${token}` })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MailDeliveryError);
    const error = failure as MailDeliveryError;
    expect(error.code).toBe('EAUTH');
    expect(error.message).toMatch(/^could not send email through smtp:\/\/holdfast:redacted@127\.0\.0\.1:\d+: /);
    expect(error.message).toContain('Invalid');
    expect(JSON.stringify(error)).not.toContain(wrong);
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(Buffer.from(`\0holdfast\0${wrong}`).toString('base64'));
    expect(logs.text()).toContain('email not sent');
    expect(logs.text()).not.toContain(wrong);
    expect(logs.text()).not.toContain(token);
  });

  it('fails clearly when nothing listens', async () => {
    const port = await closedPort();
    const { logger } = capture();
    const mailer = createMailer(
      { smtpUrl: `smtp://u:${password}@127.0.0.1:${port}`, mailFrom: 'holdfast@localhost', outboxDir: '/x' },
      logger,
    );
    const error = (await mailer
      .send({ to: 'a@example.org', subject: 'x', text: 'y' })
      .catch((e: unknown) => e)) as MailDeliveryError;
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect(error.code).toBe('ESOCKET');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain(password);
  });
});

describe('the outbox mailer', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-outbox-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes each message as a private, readable .eml file and logs only where', async () => {
    const outboxDir = join(dir, 'outbox');
    const { logs, logger } = capture();
    const mailer = createMailer({ smtpUrl: null, mailFrom: 'Holdfast <holdfast@localhost>', outboxDir }, logger);
    expect(statSync(outboxDir).mode & 0o777).toBe(0o700);
    const expiresAt = new Date('2026-12-02T10:00:00Z');
    const name = 'Ch\u00e4rles <script>';
    for (const accountName of ['First Ltd', 'Second Ltd']) {
      await mailer.send({
        to: 'charles@example.org',
        ...invitationEmail({
          publicUrl: 'http://localhost:8080',
          name,
          accountName,
          inviterName: 'Ada',
          token,
          expiresAt,
        }),
      });
    }
    const files = readdirSync(outboxDir).sort();
    expect(files).toHaveLength(4);
    for (const file of files) {
      expect(file).toMatch(/\.(eml|txt)$/);
      expect(statSync(join(outboxDir, file)).mode & 0o777).toBe(0o600);
    }
    const plain = readFileSync(join(outboxDir, files.find((file) => file.endsWith('.txt')) ?? ''), 'utf8');
    expect(plain).toMatch(/^To: charles@example\.org\nSubject: You are invited to First Ltd on Holdfast\n\nHello /);
    expect(plain).toContain(`http://localhost:8080/accept-invitation#token=${token}\n`);
    const [first, second] = readOutbox(outboxDir);
    expect(first).toMatchObject({
      to: 'charles@example.org',
      from: 'Holdfast <holdfast@localhost>',
      subject: 'You are invited to First Ltd on Holdfast',
    });
    expect(second?.subject).toBe('You are invited to Second Ltd on Holdfast');
    expect(first?.raw).toMatch(/\r\n/);
    expect(first?.raw).toMatch(/^Content-Type: multipart\/alternative/m);
    expect(first?.text).toContain(`Hello ${name},`);
    expect(first?.text).toContain('Ada invited you to join First Ltd on Holdfast.');
    expect(first?.text).toContain(`http://localhost:8080/accept-invitation#token=${token}`);
    expect(first?.html).toContain('Ch\u00e4rles &#60;script&#62;');
    expect(first?.html).not.toContain('<script>');
    expect(tokenIn(first!)).toBe(token);
    expect(mailer.description).toBe(`outbox ${outboxDir}`);
    const text = logs.text();
    expect(text).toContain(outboxDir);
    expect(text.match(/no SMTP server configured/g)).toHaveLength(1);
    expect(text).not.toContain(token);
  });
});
