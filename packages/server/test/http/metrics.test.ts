import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from '../../src/http/create-server.ts';
import { newId } from '../../src/db/ids.ts';
import { testConfig } from '../support/test-config.ts';
import { CapturedLogs } from '../support/test-server.ts';

describe('/metrics', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-metrics-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves default metrics and request durations by route template and status on the main port', async () => {
    const server = await createServer(testConfig(dir), { logDestination: new CapturedLogs() });
    const { url, metricsUrl } = await server.listen();
    try {
      expect(metricsUrl).toBeNull();
      await fetch(`${url}/healthz`);
      await fetch(`${url}/v1/users/${newId('usr')}`);
      await fetch(`${url}/v1/users/${newId('usr')}`);
      await fetch(`${url}/no/such/path`);
      const response = await fetch(`${url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain('holdfast_process_cpu_user_seconds_total');
      expect(text).toMatch(
        /holdfast_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/,
      );
      expect(text).toMatch(
        /holdfast_http_request_duration_seconds_count\{method="GET",route="\/v1\/users\/\{userId\}",status="401"\} 2/,
      );
      expect(text).toMatch(
        /holdfast_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/,
      );
      expect(text).not.toContain('usr_');
    } finally {
      await server.close();
    }
  });

  it('moves to its own listener when HOLDFAST_METRICS_PORT is set', async () => {
    const server = await createServer(testConfig(dir, undefined, { metricsPort: 0 }), {
      logDestination: new CapturedLogs(),
    });
    const { url, metricsUrl } = await server.listen();
    try {
      expect(metricsUrl).not.toBeNull();
      expect(metricsUrl).not.toBe(url);
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      const response = await fetch(`${metricsUrl ?? ''}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('holdfast_http_request_duration_seconds');
    } finally {
      await server.close();
    }
  });
});
