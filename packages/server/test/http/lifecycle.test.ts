import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer } from '../../src/http/create-server.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { seedAccount } from '../support/seed.ts';
import { CapturedLogs, startServer, type RunningServer } from '../support/test-server.ts';

describeOnBothDatabases('readiness and graceful shutdown', (target) => {
  it('/readyz fails with 503 while migrations are pending', async () => {
    const running = await startServer(target().config, { migrate: false });
    try {
      const pending = await fetch(`${running.url}/readyz`);
      expect(pending.status).toBe(503);
      expect(pending.headers.get('retry-after')).toBe('5');
      expect(await pending.json()).toEqual({
        status: 'fail',
        checks: { database: { status: 'ok' }, migrations: { status: 'fail' }, accepting: { status: 'ok' } },
      });
    } finally {
      await running.close();
    }
  });

  it('finishes a request in flight, refuses new connections, then closes the database', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = await startServer(target().config, {
      handlers: {
        listRegions: async () => {
          entered();
          await gate;
          return { status: 200, body: { items: [], nextCursor: null } };
        },
      },
    });
    const inFlight = fetch(`${running.url}/v1/regions`);
    await inHandler;
    let closed = false;
    const closing = running.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    expect(closed).toBe(false);
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ items: [], nextCursor: null });
    await closing;
    expect(closed).toBe(true);
    await expect(sql`select 1`.execute(running.server.services.database.db)).rejects.toThrow();
  });
});

describeOnBothDatabases('shutdown and email still being sent', (target) => {
  it('waits for a message sent in the background (a password reset link) before it stops', async () => {
    let release!: () => void;
    const smtp = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    let started!: () => void;
    const sending = new Promise<void>((resolve) => (started = resolve));
    const running = await startServer(target().config, {
      mailer: {
        description: 'a slow SMTP server (test)',
        send: async (message) => {
          started();
          await smtp;
          sent.push(message.to);
        },
      },
    });
    // A user who signs in with a password (any stored hash will do: the reset link is what is sent).
    const account = await seedAccount(running.server.services.database.db, { passwordHash: 'stored' });
    const answer = await fetch(`${running.url}/v1/auth/password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.primary.email }),
    });
    expect(answer.status).toBe(202); // answered before the message went out
    await sending;
    let closed = false;
    const closing = running.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    expect(sent).toEqual([]);
    release();
    await closing;
    expect(sent).toEqual([account.primary.email]);
  });

  it('stops after the shutdown timeout when a message never goes out, saying so in the log', async () => {
    let started!: () => void;
    const sending = new Promise<void>((resolve) => (started = resolve));
    const stuck = {
      description: 'a stuck SMTP server (test)',
      send: () => {
        started();
        return new Promise<void>(() => undefined);
      },
    };
    const running = await startServer({ ...target().config, shutdownTimeoutMs: 100 }, { mailer: stuck });
    const account = await seedAccount(running.server.services.database.db, { passwordHash: 'stored' });
    await fetch(`${running.url}/v1/auth/password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.primary.email }),
    });
    await sending;
    await running.close();
    expect(running.logs.text()).toContain('stopping with email still being sent');
  });
});

describeOnBothDatabases('readiness without a database', (target) => {
  let running: RunningServer;
  beforeAll(async () => {
    const config = target().config;
    const unreachable =
      target().dialect === 'postgres'
        ? ({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/nothing' } as const)
        : ({ kind: 'sqlite', file: config.dataDir } as const); // a directory, not a database file
    const logs = new CapturedLogs();
    const server = await createServer({ ...config, database: unreachable, logLevel: 'warn' }, { logDestination: logs });
    const { url } = await server.listen();
    running = { server, url, logs, close: () => server.close() };
  });
  afterAll(async () => {
    await running.close();
  });

  it('/readyz answers 503 naming the database, and logs why; /healthz stays ok', async () => {
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'fail', checks: { database: { status: 'fail' } } });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    expect(running.logs.text()).toContain('readiness check failed');
  });
});
