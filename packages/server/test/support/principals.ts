/**
 * Principals for tests of the permission step, and a resolver that picks one by the `X-Test-Principal`
 * header (the real resolver, from the accounts module, reads sessions and bearer tokens instead).
 * Session principals accept the CSRF token {@link testCsrfToken}.
 */
import { permissionsForAccess, servicesForAccess, type Access } from '../../src/auth/permissions.ts';
import type { CredentialKind, Permission, Principal, PrincipalResolver } from '../../src/auth/principal.ts';
import { newId } from '../../src/db/ids.ts';

export const testCsrfToken = 'csrf-token-of-the-test-session';

export function principal(
  kind: 'user' | 'api_key',
  access: Access,
  options: { readonly isPrimary?: boolean; readonly credential?: CredentialKind; readonly accountId?: string } = {},
): Principal {
  const isPrimary = options.isPrimary ?? false;
  const credential = options.credential ?? (kind === 'user' ? 'session' : 'bearer');
  return {
    kind,
    accountId: options.accountId ?? newId('acc'),
    userId: kind === 'user' ? newId('usr') : null,
    apiKeyId: kind === 'api_key' ? newId('key') : null,
    permissions: permissionsForAccess(access, { kind, isPrimary }),
    isPrimary,
    services: servicesForAccess(access),
    credential,
    verifyCsrfToken: credential === 'session' ? (token) => token === testCsrfToken : null,
  };
}

/** A Custom role holding exactly these permissions (all services). */
export function customAccess(operations: readonly Permission[]): Access {
  return {
    role: 'custom',
    operations: operations.filter((permission) => permission !== 'primary_user') as never,
    services: ['box', 'dropbox', 'local_folder'],
  };
}

/** A resolver answering the principal named by the request's `X-Test-Principal` header. */
export function resolverFor(principals: Readonly<Record<string, Principal>>): PrincipalResolver {
  return (ctx) => Promise.resolve(principals[ctx.get('X-Test-Principal')] ?? null);
}
