import { describe, expect, it } from 'vitest';
import { operationAccess, requirePermission, type OperationAccess } from '../../src/auth/require-permission.ts';
import { allPermissions, grantablePermissions, permissionsForAccess } from '../../src/auth/permissions.ts';
import type { Permission } from '../../src/auth/principal.ts';
import { HttpProblem } from '../../src/http/problem.ts';
import { customAccess, principal, testCsrfToken } from '../support/principals.ts';

describe('permissionsForAccess', () => {
  const everyButPrimary = allPermissions.filter((permission) => permission !== 'primary_user');
  it.each([
    ['the primary user', { role: 'administrator' } as const, 'user', true, [...allPermissions]],
    ['another Administrator', { role: 'administrator' } as const, 'user', false, everyButPrimary],
    ['an Administrator API key', { role: 'administrator' } as const, 'api_key', false, everyButPrimary],
    ['an API key claiming to be primary', { role: 'administrator' } as const, 'api_key', true, everyButPrimary],
    [
      'a Custom user',
      customAccess(['view_backups', 'restore_tasks']),
      'user',
      false,
      ['view_backups', 'restore_tasks'],
    ],
    ['a Custom API key', customAccess(['view_audit_log']), 'api_key', false, ['view_audit_log']],
    [
      'a Custom role listing what it cannot be granted',
      { role: 'custom', operations: ['manage_users', 'view_support'] as never, services: [] },
      'user',
      false,
      ['view_support'],
    ],
  ] as const)('%s holds exactly its permissions', (_name, access, kind, isPrimary, expected) => {
    expect([...permissionsForAccess(access, { kind, isPrimary })].sort()).toEqual([...expected].sort());
  });
});

describe('requirePermission', () => {
  const rules = (
    permission: OperationAccess['permission'],
    accepts: ('session' | 'bearer')[],
    sessionNeedsCsrf = false,
  ): OperationAccess => ({ permission, accepts: new Set(accepts), sessionNeedsCsrf });
  const admin = principal('user', { role: 'administrator' });
  const primary = principal('user', { role: 'administrator' }, { isPrimary: true });
  const key = principal('api_key', { role: 'administrator' });
  const viewer = principal('user', customAccess(['view_account_settings']));

  function outcome(access: OperationAccess, who: typeof admin | null, method = 'GET', csrf?: string): string {
    try {
      requirePermission(access, who, method, csrf);
      return 'ok';
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      return `${error.status} ${error.code}`;
    }
  }

  it.each([
    ['anyone on a public operation', rules('public', []), null, 'GET', undefined, 'ok'],
    [
      'nobody on an authenticated one',
      rules('authenticated', ['bearer', 'session']),
      null,
      'GET',
      undefined,
      '401 UNAUTHENTICATED',
    ],
    ['a key on an authenticated one', rules('authenticated', ['bearer', 'session']), key, 'GET', undefined, 'ok'],
    [
      'a key where only a session will do',
      rules('authenticated', ['session'], true),
      key,
      'POST',
      undefined,
      '401 UNAUTHENTICATED',
    ],
    [
      'a session without its CSRF token',
      rules('manage_users', ['bearer', 'session'], true),
      admin,
      'POST',
      undefined,
      '403 CSRF_FAILED',
    ],
    [
      'a session with a wrong CSRF token',
      rules('manage_users', ['bearer', 'session'], true),
      admin,
      'DELETE',
      'nope',
      '403 CSRF_FAILED',
    ],
    [
      'a session with its CSRF token',
      rules('manage_users', ['bearer', 'session'], true),
      admin,
      'PATCH',
      testCsrfToken,
      'ok',
    ],
    [
      'a session reading without a CSRF token',
      rules('manage_users', ['bearer', 'session'], true),
      admin,
      'GET',
      undefined,
      'ok',
    ],
    ['a key needing no CSRF token', rules('manage_users', ['bearer', 'session'], true), key, 'POST', undefined, 'ok'],
    [
      'a Custom user lacking the permission',
      rules('manage_users', ['bearer', 'session']),
      viewer,
      'GET',
      undefined,
      '403 PERMISSION_DENIED',
    ],
    ['a Custom user holding it', rules('view_account_settings', ['bearer', 'session']), viewer, 'GET', undefined, 'ok'],
    [
      'an Administrator on a primary-user operation',
      rules('primary_user', ['session'], true),
      admin,
      'POST',
      testCsrfToken,
      '403 PERMISSION_DENIED',
    ],
    ['the primary user on it', rules('primary_user', ['session'], true), primary, 'POST', testCsrfToken, 'ok'],
  ] as const)('%s: %s', (_name, access, who, method, csrf, expected) => {
    expect(outcome(access, who, method, csrf)).toBe(expected);
  });

  it('reads access rules from a contract operation', () => {
    const access = operationAccess({
      operationId: 'updateUser',
      security: [{ bearerAuth: [] }, { sessionCookie: [], csrfToken: [] }],
      'x-holdfast-permission': 'manage_users',
    });
    expect(access).toEqual({
      permission: 'manage_users',
      accepts: new Set(['bearer', 'session']),
      sessionNeedsCsrf: true,
    });
    expect(() => operationAccess({ operationId: 'x', 'x-holdfast-permission': 'root' })).toThrow(
      /x-holdfast-permission/,
    );
  });

  it('knows every grantable permission as a permission', () => {
    const all: ReadonlySet<Permission> = new Set(allPermissions);
    for (const permission of grantablePermissions) expect(all.has(permission)).toBe(true);
  });
});
