/**
 * A test's view of the accounts API over real HTTP: a server on the suite's database with a clock the
 * test moves, JSON requests with or without a session (cookie + CSRF token), and the outbox to read
 * emailed links from. Messages of the public flows are sent in the background, so {@link AccountsHarness.mailTo}
 * waits for them (a condition, not a delay).
 */
import type { ServerConfig } from '../../src/config/server-config.ts';
import { readOutbox, tokenIn, type ReadMessage } from '../email/mail-reader.ts';
import type { SmtpSink } from '../email/smtp-sink.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

export interface Session {
  /** The `Cookie` header value. */
  readonly cookie: string;
  readonly token: string;
  readonly csrfToken: string;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> | null;
  readonly text: string;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly session?: Session;
  /** The CSRF token to send: the session's by default; `null` sends none. */
  readonly csrf?: string | null;
  readonly headers?: Record<string, string>;
}

export interface AccountsHarness {
  readonly running: RunningServer;
  readonly config: ServerConfig;
  /** The server's current time; set it to move time. */
  now: Date;
  advance(milliseconds: number): void;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** The messages to an address so far, oldest first. */
  messagesTo(address: string): ReadMessage[];
  /** Waits until at least `count` messages went to the address; answers the last. */
  mailTo(address: string, count?: number): Promise<ReadMessage>;
  /** Signs up, confirms with the emailed link and answers the address. */
  signUpConfirmed(facts: { name: string; email: string; password: string; region?: string }): Promise<void>;
  signIn(email: string, password: string): Promise<Session>;
  close(): Promise<void>;
}

/**
 * Starts the server. With `smtp`, email goes through that SMTP sink (and is read from it); otherwise to
 * the config's outbox folder.
 */
export async function startAccountsServer(
  config: ServerConfig,
  options: { readonly smtp?: SmtpSink } = {},
): Promise<AccountsHarness> {
  const { smtp } = options;
  const running = await startServer(smtp === undefined ? config : { ...config, smtpUrl: smtp.url }, {
    clock: () => harness.now,
  });
  const harness: AccountsHarness = {
    running,
    config,
    now: new Date('2026-12-01T09:00:00.000Z'),
    advance(milliseconds) {
      harness.now = new Date(harness.now.getTime() + milliseconds);
    },
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.session !== undefined) {
        headers['cookie'] = options.session.cookie;
        const csrf = options.csrf === undefined ? options.session.csrfToken : options.csrf;
        if (csrf !== null) headers['x-csrf-token'] = csrf;
      }
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
        text,
      };
    },
    messagesTo(address) {
      const messages = smtp === undefined ? readOutbox(config.outboxDir) : smtp.messages;
      return messages.filter((message) => message.to === address);
    },
    async mailTo(address, count = 1) {
      for (let i = 0; i < 400; i++) {
        const messages = harness.messagesTo(address);
        if (messages.length >= count) return messages[messages.length - 1]!;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`no message #${count} to ${address}`);
    },
    async signUpConfirmed(facts) {
      const before = harness.messagesTo(facts.email).length;
      const signUp = await harness.call('POST', '/v1/auth/sign-up', {
        body: { region: 'eu-central', ...facts },
      });
      if (signUp.status !== 202) throw new Error(`sign-up answered ${signUp.status}: ${signUp.text}`);
      const token = tokenIn(await harness.mailTo(facts.email, before + 1));
      const confirm = await harness.call('POST', '/v1/auth/confirm-email', { body: { token } });
      if (confirm.status !== 200) throw new Error(`confirmation answered ${confirm.status}: ${confirm.text}`);
    },
    async signIn(email, password) {
      const answer = await harness.call('POST', '/v1/auth/sign-in', { body: { email, password } });
      if (answer.status !== 200) throw new Error(`sign-in answered ${answer.status}: ${answer.text}`);
      return sessionFrom(answer);
    },
    close: () => running.close(),
  };
  return harness;
}

/** The session a sign-in answer started. */
export function sessionFrom(answer: Answer): Session {
  const setCookie = answer.headers.get('set-cookie') ?? '';
  const token = /__Host-holdfast-session=([^;]*)/.exec(setCookie)?.[1] ?? '';
  const session = answer.body?.['session'] as { csrfToken: string } | undefined;
  return { cookie: `__Host-holdfast-session=${token}`, token, csrfToken: session?.csrfToken ?? '' };
}
