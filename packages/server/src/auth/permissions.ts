/**
 * The permissions a role holds (openapi/README.md "Permissions"): an Administrator holds every permission
 * but `primary_user`; the primary user, always an Administrator, holds all of them; a Custom role holds
 * the grantable permissions it lists; an API key holds what its own access grants and never
 * `primary_user`.
 */
import type { GrantablePermission, Permission, ServiceId } from './principal.ts';

/** Every permission, in the contract's order. */
export const allPermissions = [
  'primary_user',
  'manage_account',
  'manage_users',
  'manage_api_keys',
  'view_account_settings',
  'manage_billing',
  'view_billing_notifications',
  'view_support',
  'view_activity_log',
  'view_audit_log',
  'manage_notifications',
  'view_backups',
  'activate_tasks',
  'modify_tasks',
  'delete_tasks',
  'restore_tasks',
] as const satisfies readonly Permission[];

/** The permissions a Custom role can be given. */
export const grantablePermissions = [
  'view_account_settings',
  'manage_billing',
  'view_billing_notifications',
  'view_support',
  'view_activity_log',
  'view_audit_log',
  'manage_notifications',
  'view_backups',
  'activate_tasks',
  'modify_tasks',
  'delete_tasks',
  'restore_tasks',
] as const satisfies readonly GrantablePermission[];

/** A user's or API key's access, as the contract's `Access` schema has it. */
export type Access =
  | { readonly role: 'administrator' }
  | {
      readonly role: 'custom';
      readonly operations: readonly GrantablePermission[];
      readonly services: readonly ServiceId[];
    };

export interface Holder {
  readonly kind: 'user' | 'api_key';
  /** The account's primary user (only ever a user). */
  readonly isPrimary: boolean;
}

/**
 * The permissions an access grants its holder.
 *
 * @example
 * ```ts
 * permissionsForAccess({ role: 'administrator' }, { kind: 'user', isPrimary: true }).has('primary_user'); // true
 * ```
 */
export function permissionsForAccess(access: Access, holder: Holder): ReadonlySet<Permission> {
  const primary = holder.kind === 'user' && holder.isPrimary;
  if (primary || access.role === 'administrator') {
    return new Set(allPermissions.filter((permission) => permission !== 'primary_user' || primary));
  }
  const granted = new Set<string>(grantablePermissions);
  return new Set(access.operations.filter((permission) => granted.has(permission)));
}

/** The services an access covers: `all` for Administrators. */
export function servicesForAccess(access: Access): ReadonlySet<ServiceId> | 'all' {
  return access.role === 'administrator' ? 'all' : new Set(access.services);
}
