/**
 * The audit entries of the users module, as facts for `recordRequestAudit` (`audit/audit-request.ts`):
 * one builder per activity, so the handlers say only when to record, and every entry of one activity
 * reads the same way. A role is written into `details` as scalars — `role`, and the Custom role's
 * `operations` and `services` as comma-separated lists in the contract's order (empty for
 * Administrators) — since details hold no arrays.
 */
import type { AuditDetail } from '../audit/audit-log.ts';
import type { AuditFact } from '../audit/audit-request.ts';
import type { User } from '../db/database-schema.ts';
import { accessFromColumns, type AccessColumns } from './access-columns.ts';

/** A role's facts: `role`, `operations`, `services` (each with `suffix`, e.g. `roleFrom`). */
export function accessDetails(columns: AccessColumns, suffix = ''): Record<string, AuditDetail> {
  const access = accessFromColumns(columns);
  return {
    [`role${suffix}`]: access.role,
    [`operations${suffix}`]: access.role === 'custom' ? access.operations.join(',') : '',
    [`services${suffix}`]: access.role === 'custom' ? access.services.join(',') : '',
  };
}

/** `Administrator`, or `Custom (view_backups, restore_tasks; box)`. */
export function accessLabel(columns: AccessColumns): string {
  const access = accessFromColumns(columns);
  if (access.role === 'administrator') return 'Administrator';
  const operations = access.operations.length === 0 ? 'no permissions' : access.operations.join(', ');
  const services = access.services.length === 0 ? 'no services' : access.services.join(', ');
  return `Custom (${operations}; ${services})`;
}

/** Whether two stored roles grant the same. */
export function sameAccess(a: AccessColumns, b: AccessColumns): boolean {
  return JSON.stringify(accessDetails(a)) === JSON.stringify(accessDetails(b));
}

type Subject = Pick<User, 'id' | 'email'> & AccessColumns;

/** The entry of each users-module activity, by the user it concerns (and, for a change, the access after). */
export const userAudit = {
  invited: (user: Subject): AuditFact => ({
    activity: 'user_invited',
    status: 'succeeded',
    description: `Invited ${user.email} as ${accessLabel(user)}.`,
    details: { userId: user.id, email: user.email, ...accessDetails(user) },
  }),
  invitationResent: (user: Subject): AuditFact => ({
    activity: 'invitation_resent',
    status: 'succeeded',
    description: `Sent ${user.email} a new invitation link; the earlier ones no longer work.`,
    details: { userId: user.id, email: user.email },
  }),
  invitationAccepted: (user: Subject): AuditFact => ({
    activity: 'invitation_accepted',
    status: 'succeeded',
    description: `${user.email} accepted their invitation and joined as ${accessLabel(user)}.`,
    details: { userId: user.id, email: user.email, ...accessDetails(user) },
  }),
  permissionsChanged: (user: Subject, after: AccessColumns): AuditFact => ({
    activity: 'user_permissions_changed',
    status: 'succeeded',
    description: `Changed the access of ${user.email} from ${accessLabel(user)} to ${accessLabel(after)}.`,
    details: { userId: user.id, email: user.email, ...accessDetails(user, 'From'), ...accessDetails(after, 'To') },
  }),
  deleted: (user: Subject): AuditFact => ({
    activity: 'user_deleted',
    status: 'succeeded',
    description: `Deleted the user ${user.email}.`,
    details: { userId: user.id, email: user.email, ...accessDetails(user) },
  }),
  deactivated: (user: Subject): AuditFact => ({
    activity: 'user_deactivated',
    status: 'succeeded',
    description: `Deactivated ${user.email}: they cannot sign in, and their sessions were ended.`,
    details: { userId: user.id, email: user.email, sessionsEnded: true },
  }),
  reactivated: (user: Subject): AuditFact => ({
    activity: 'user_reactivated',
    status: 'succeeded',
    description: `Reactivated ${user.email}: they can sign in again as ${accessLabel(user)}.`,
    details: { userId: user.id, email: user.email, ...accessDetails(user) },
  }),
  twoFactorReset: (user: Subject): AuditFact => ({
    activity: 'two_factor_reset',
    status: 'succeeded',
    description: `Turned off two-factor authentication of ${user.email} (reset by an administrator); their sessions were ended.`,
    details: { userId: user.id, email: user.email, sessionsEnded: true },
  }),
} as const;
