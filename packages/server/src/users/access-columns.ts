/**
 * A role as the contract writes it (`Access`) and as the `users` and `api_keys` tables keep it (`role`,
 * `operations` and `services` columns, the lists as JSON text), and the rule that nobody hands out more
 * than they hold: an access is within a principal's when every permission it grants is one the principal
 * holds and every service it covers is one the principal may touch (an Administrator access needs an
 * Administrator's permissions and every service).
 *
 * Reading is forgiving (unknown permissions or services in a row are dropped, so a value removed from the
 * contract never breaks a read); writing keeps the contract's order, so equal accesses store equal text.
 */
import type { components } from '@holdfast/sdk';
import { grantablePermissions, allPermissions, type Access } from '../auth/permissions.ts';
import type { GrantablePermission, Principal, ServiceId } from '../auth/principal.ts';

/** The columns of a role in `users` and `api_keys`. */
export interface AccessColumns {
  readonly role: string;
  readonly operations: string;
  readonly services: string;
}

const serviceOrder: readonly ServiceId[] = ['box', 'dropbox', 'local_folder'];

function parseList(text: string): unknown[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

/** The contract's `Access` of a stored row. */
export function accessFromColumns(row: AccessColumns): components['schemas']['Access'] {
  if (row.role === 'administrator') return { role: 'administrator' };
  const operations = new Set(parseList(row.operations));
  const services = new Set(parseList(row.services));
  return {
    role: 'custom',
    operations: grantablePermissions.filter((permission) => operations.has(permission)),
    services: serviceOrder.filter((service) => services.has(service)),
  };
}

/** The stored columns of an `Access`. */
export function accessToColumns(access: Access): AccessColumns {
  if (access.role === 'administrator') return { role: 'administrator', operations: '[]', services: '[]' };
  const operations = new Set<string>(access.operations);
  const services = new Set<string>(access.services);
  return {
    role: 'custom',
    operations: JSON.stringify(grantablePermissions.filter((permission) => operations.has(permission))),
    services: JSON.stringify(serviceOrder.filter((service) => services.has(service))),
  };
}

/** What of `access` the principal does not hold itself, for the refusal's detail (empty: it holds all). */
export function accessBeyond(access: Access, principal: Principal): string[] {
  const missing: string[] = [];
  const wanted: readonly string[] =
    access.role === 'administrator'
      ? allPermissions.filter((permission) => permission !== 'primary_user')
      : access.operations;
  for (const permission of wanted) {
    if (!principal.permissions.has(permission as GrantablePermission)) missing.push(permission);
  }
  if (principal.services !== 'all') {
    const held = principal.services;
    if (access.role === 'administrator') missing.push('every service');
    else missing.push(...access.services.filter((service) => !held.has(service)));
  }
  return missing;
}
