import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

describeOnBothDatabases('probes and regions', (target) => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startServer(target().config);
  });
  afterAll(async () => {
    await running.close();
  });

  it('/healthz answers ok', async () => {
    const response = await fetch(`${running.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers ok with every check', async () => {
    const response = await fetch(`${running.url}/readyz`);
    expect(await response.json()).toEqual({
      status: 'ok',
      checks: { database: { status: 'ok' }, migrations: { status: 'ok' }, accepting: { status: 'ok' } },
    });
    expect(response.status).toBe(200);
  });

  it('GET /v1/regions lists the configured regions', async () => {
    const response = await fetch(`${running.url}/v1/regions`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      items: [
        { id: 'eu-central', name: 'Europe (Frankfurt)', default: true },
        { id: 'us-east', name: 'United States (Virginia)', default: false },
      ],
      nextCursor: null,
    });
  });
});
