/**
 * The permission step against the whole contract: every operation, called by every kind of principal,
 * answers as its `x-holdfast-permission` and `security` say (openapi/README.md, "The generated permission
 * test"). Principals are injected here; the accounts module's tests run the same matrix with real
 * sessions and tokens. A principal allowed through gets whatever comes next: a validation error (no body
 * is sent), the handler's answer, or 501 while the operation has no handler.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationAccess } from '../../src/auth/require-permission.ts';
import { grantablePermissions } from '../../src/auth/permissions.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { newId } from '../../src/db/ids.ts';
import { loadApi } from '../../src/http/openapi/api-document.ts';
import { customAccess, principal, resolverFor, testCsrfToken } from '../support/principals.ts';
import { testConfig } from '../support/test-config.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';

const { operations } = await loadApi();
const grantable: ReadonlySet<string> = new Set(grantablePermissions);

const parameters: Readonly<Record<string, string>> = {
  userId: newId('usr'),
  apiKeyId: newId('key'),
  token: 'A'.repeat(43),
};

function principalsFor(permission: string): Record<string, Principal | null> {
  const others = grantablePermissions.filter((p) => p !== permission);
  const cases: Record<string, Principal | null> = {
    nobody: null,
    'the primary user': principal('user', { role: 'administrator' }, { isPrimary: true }),
    'another Administrator': principal('user', { role: 'administrator' }),
    'an Administrator API key': principal('api_key', { role: 'administrator' }),
    'a Custom user with every grantable permission but this one': principal('user', customAccess(others)),
  };
  if (grantable.has(permission)) {
    cases['a Custom user with exactly this permission'] = principal('user', customAccess([permission as never]));
    cases['a Custom API key with exactly this permission'] = principal('api_key', customAccess([permission as never]));
  }
  return cases;
}

describe('the permission step on every operation of the contract', () => {
  let dir: string;
  let running: RunningServer;
  const registered: Record<string, Principal> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'holdfast-matrix-'));
    running = await startServer(testConfig(dir), { resolvePrincipal: resolverFor(registered), migrate: false });
  });
  afterAll(async () => {
    try {
      await running.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(operations.map((operation) => [operation.operationId, operation] as const))('%s', (_id, operation) => {
    const access = operationAccess(operation);
    const method = operation.method.toUpperCase();
    const path = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => parameters[name] ?? 'x');
    const unsafe = !['GET', 'HEAD'].includes(method);

    it.each(Object.entries(principalsFor(access.permission)))('called by %s', async (name, who) => {
      const key = `${operation.operationId}:${name}`;
      if (who !== null) registered[key] = who;
      const send = async (csrf: boolean): Promise<{ status: number; code: unknown }> => {
        const headers: Record<string, string> = { 'X-Test-Principal': key };
        if (csrf) headers['X-CSRF-Token'] = testCsrfToken;
        const response = await fetch(`${running.url}${path}`, { method, headers });
        const text = await response.text();
        return {
          status: response.status,
          code: text === '' ? undefined : (JSON.parse(text) as { code?: unknown }).code,
        };
      };
      const answer = await send(true);
      expect(answer.status, `${method} ${path}`).not.toBe(500);
      if (access.permission === 'public') {
        expect([401, 403]).not.toContain(answer.status);
        return;
      }
      if (who === null || !access.accepts.has(who.credential)) {
        expect(answer).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
        return;
      }
      const holds = access.permission === 'authenticated' || who.permissions.has(access.permission);
      if (!holds) {
        expect(answer).toEqual({ status: 403, code: 'PERMISSION_DENIED' });
        return;
      }
      expect([200, 201, 202, 204, 400, 501]).toContain(answer.status);
      if (who.credential === 'session' && unsafe && access.sessionNeedsCsrf) {
        expect(await send(false)).toEqual({ status: 403, code: 'CSRF_FAILED' });
      }
    });
  });
});
