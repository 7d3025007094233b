/**
 * Known audit and activity entries for the list and export tests, written through the recording API
 * (`recordAudit`, `recordActivity`) at chosen times, and a reference of what a filter must select, worked
 * out here in plain TypeScript from the same data, so each test compares the server's answer with an
 * independent expectation. The entries cover every filter: activities, outcomes, services, tasks,
 * performers of each kind, addresses, text with `%`, `_` and non-ASCII letters, two entries at the same
 * millisecond (the id breaks the tie), and times on the edges of the ranges the tests ask for.
 */
import type { Kysely } from 'kysely';
import { recordActivity, type ActivityEntry } from '../../src/audit/activity-log.ts';
import { recordAudit, type AuditActor, type AuditEntry } from '../../src/audit/audit-log.ts';
import type { Database } from '../../src/db/database-schema.ts';
import { newId } from '../../src/db/ids.ts';

/** The first entry's time; the others are minutes after it. */
export const base = Date.parse('2026-11-01T08:00:00.000Z');
export const minute = 60_000;
export const at = (minutes: number): Date => new Date(base + minutes * minute);

export interface StoredEntry {
  readonly id: string;
  /** Stored time, with milliseconds. */
  readonly occurredAt: string;
}

export type StoredAudit = AuditEntry & StoredEntry;
export type StoredActivity = ActivityEntry & StoredEntry;

export const taskA = newId('tsk', base);
export const taskB = newId('tsk', base + 1);

/** Writes the audit entries of the fixture into the account; answers them with their ids and times. */
export async function seedAuditLog(
  db: Kysely<Database>,
  accountId: string,
  actors: { readonly ada: AuditActor; readonly bob: AuditActor; readonly key: AuditActor },
): Promise<StoredAudit[]> {
  const anonymous: AuditActor = { kind: 'anonymous', id: null, name: 'mallory@example.net' };
  const system: AuditActor = { kind: 'system', id: null, name: null };
  const rows: [number, Omit<AuditEntry, 'accountId'>][] = [
    [
      0,
      fact('sign_in', 'failed', actors.ada, '203.0.113.7', 'Sign-in failed (wrong password).', {
        reason: 'wrong_password',
      }),
    ],
    [1, fact('sign_in', 'succeeded', actors.ada, '203.0.113.7', 'Signed in.')],
    [2, fact('user_invited', 'succeeded', actors.bob, '198.51.100.20', 'Invited charles@example.org as Custom.')],
    [3, fact('api_key_created', 'succeeded', actors.bob, '198.51.100.20', 'Created the API key Nightly export.')],
    [4, fact('lockout', 'failed', anonymous, '203.0.113.99', 'Sign-ins from this address are locked for 15 minutes.')],
    [
      5,
      {
        ...fact('user_permissions_changed', 'succeeded', actors.key, '192.0.2.1', 'Box task access changed.'),
        service: 'box',
        taskId: taskA,
      },
    ],
    [
      6,
      {
        ...fact('user_permissions_changed', 'succeeded', actors.key, '192.0.2.1', 'Dropbox task access changed.'),
        service: 'dropbox',
        taskId: taskB,
      },
    ],
    [7, fact('account_settings_changed', 'succeeded', actors.ada, '203.0.113.7', 'Progress 100%_done renamed.')],
    [
      8,
      fact(
        'two_factor_enabled',
        'succeeded',
        actors.bob,
        '2001:db8::1',
        'Zoë Müller turned on two-factor authentication.',
      ),
    ],
    [8, fact('two_factor_disabled', 'succeeded', actors.bob, '2001:db8::1', 'Turned off two-factor authentication.')],
    [9, fact('account_removal_cancelled', 'succeeded', system, null, 'The removal was cancelled by the server.')],
    [10, fact('sign_in', 'failed', anonymous, '203.0.113.99', 'Sign-in failed (unknown address).')],
  ];
  const stored: StoredAudit[] = [];
  for (const [minutes, entry] of rows) {
    const time = at(minutes);
    const full: AuditEntry = { ...entry, accountId };
    const id = await recordAudit(db, full, time);
    stored.push({ ...full, id, occurredAt: time.toISOString() });
  }
  return stored;
}

function fact(
  activity: AuditEntry['activity'],
  status: AuditEntry['status'],
  actor: AuditActor,
  sourceIp: string | null,
  description: string,
  details: AuditEntry['details'] = {},
): Omit<AuditEntry, 'accountId'> {
  return { activity, status, actor, sourceIp, description, details };
}

/** Writes the activity entries of the fixture into the account. */
export async function seedActivityLog(db: Kysely<Database>, accountId: string): Promise<StoredActivity[]> {
  const system: AuditActor = { kind: 'system', id: null, name: null };
  const run = (
    activity: ActivityEntry['activity'],
    status: ActivityEntry['status'],
    service: ActivityEntry['service'],
    taskId: string | null,
    taskName: string | null,
    item: string | null,
    description: string,
    sizeBytes: number | null,
  ): Omit<ActivityEntry, 'accountId'> => ({
    activity,
    status,
    service,
    taskId,
    taskName,
    jobId: newId('job', base),
    item,
    executionMs: sizeBytes === null ? null : 81_234,
    sizeBytes,
    itemCount: sizeBytes === null ? null : 2210,
    initiator: system,
    description,
  });
  const rows: [number, Omit<ActivityEntry, 'accountId'>][] = [
    [
      0,
      run('backup', 'succeeded', 'box', taskA, 'Box (company)', 'charles@example.org', 'Daily backup.', 5_000_000_000),
    ],
    [1, run('backup', 'failed', 'box', taskA, 'Box (company)', 'dora@example.org', 'Daily backup failed.', null)],
    [
      2,
      run(
        'restore',
        'partially_succeeded',
        'dropbox',
        taskB,
        'Dropbox team',
        '/Finance/2026',
        'Restore of a folder.',
        1024,
      ),
    ],
    [3, run('export', 'succeeded', 'dropbox', taskB, 'Dropbox team', '/Legal', 'Export to a zip file.', 2048)],
    [4, run('erase', 'canceled', 'local_folder', null, null, null, 'Erasure cancelled.', null)],
    [
      4,
      run('backup', 'succeeded', 'local_folder', null, 'Trial folder', '/srv/trial', 'Trial backup of Zoë’s files.', 0),
    ],
  ];
  const stored: StoredActivity[] = [];
  for (const [minutes, entry] of rows) {
    const time = at(minutes);
    const full: ActivityEntry = { ...entry, accountId };
    const id = await recordActivity(db, full, time);
    stored.push({ ...full, id, occurredAt: time.toISOString() });
  }
  return stored;
}

/** Entries in the list's order: by time, then id, newest first unless `ascending`. */
export function ordered<T extends StoredEntry>(entries: readonly T[], ascending = false): T[] {
  const sorted = [...entries].sort((a, b) =>
    a.occurredAt === b.occurredAt ? (a.id < b.id ? -1 : 1) : a.occurredAt < b.occurredAt ? -1 : 1,
  );
  return ascending ? sorted : sorted.reverse();
}
