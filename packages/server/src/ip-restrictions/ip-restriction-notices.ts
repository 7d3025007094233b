/**
 * Telling an account's Administrators about a change of its IP restrictions: every active user with the
 * Administrator role (the primary user is one), never Custom users or invitees. Called after the change
 * committed; a message that cannot be sent is logged (recipient's user id, never secrets) and the
 * change stands, so a broken mail server cannot block, or undo, a security change. The audit entry,
 * written in the change's transaction, is the record that cannot be lost.
 */
import type { AuditActor } from '../audit/audit-log.ts';
import type { ServerServices } from '../http/server-services.ts';
import { ipRestrictionChangedEmail, type IpRestrictionChange } from './ip-restriction-emails.ts';

/** The committed change to tell about. */
export interface ChangeNotice {
  readonly accountId: string;
  readonly accountName: string;
  readonly change: IpRestrictionChange;
  readonly actor: AuditActor;
  readonly address: string;
  readonly at: Date;
}

/** The actor as a person reads it. */
export function actorForPeople(actor: AuditActor): string {
  if (actor.kind === 'api_key') return `the API key "${actor.name ?? actor.id ?? 'unknown'}"`;
  return actor.name ?? actor.id ?? 'unknown';
}

/** Emails the change to each Administrator of the account; never throws. */
export async function notifyAdministrators(
  services: Pick<ServerServices, 'database' | 'logger' | 'config' | 'mailer'>,
  notice: ChangeNotice,
): Promise<void> {
  const log = services.logger;
  let recipients: readonly { id: string; email: string; name: string | null }[];
  try {
    recipients = await services.database.db
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where('account_id', '=', notice.accountId)
      .where('status', '=', 'active')
      .where((eb) => eb.or([eb('role', '=', 'administrator'), eb('is_primary', '=', 1)]))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  } catch (error) {
    log.error(
      { accountId: notice.accountId, err: error },
      'the Administrators to tell of an IP restriction change were not found',
    );
    return;
  }
  for (const recipient of recipients) {
    const message = ipRestrictionChangedEmail({
      publicUrl: services.config.publicUrl,
      name: recipient.name,
      accountName: notice.accountName,
      change: notice.change,
      actor: actorForPeople(notice.actor),
      address: notice.address,
      at: notice.at,
    });
    try {
      await services.mailer.send({ to: recipient.email, ...message });
    } catch (error) {
      log.warn(
        { accountId: notice.accountId, userId: recipient.id, reason: (error as Error).message },
        'an IP restriction change email was not sent',
      );
    }
  }
}
