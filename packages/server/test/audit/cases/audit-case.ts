/**
 * What the audited-action cases (`../audited-actions.test.ts`) share: the shape of a case and of an
 * expected entry, and small helpers. A case sets up a fresh account, and answers its one action and the
 * entries that action must add (worked out after the action, for ids the action makes).
 */
import { expect } from 'vitest';
import type { AuditDetail } from '../../../src/audit/audit-log.ts';
import type { SeededUser } from '../../support/seed.ts';
import type { AuditHarness } from '../audit-harness.ts';

/** An entry as the test expects it (the source address and time are the same for every case). */
export interface Expected {
  readonly activity: string;
  readonly status: 'succeeded' | 'failed';
  readonly actor: { readonly kind: string; readonly id: string | null; readonly name: string | null };
  readonly description: string;
  readonly details: Readonly<Record<string, AuditDetail>>;
}

export interface Case {
  /** Sets up, and answers the action and what it must leave (worked out after the action). */
  readonly run: (
    h: AuditHarness,
  ) => Promise<{ act: () => Promise<void>; expected: () => Promise<Expected[]> | Expected[] }>;
}

export type Cases = Readonly<Record<string, Case>>;

export const day = 86_400_000;
export const noAccess = { role: 'custom', operations: [], services: [] } as const;

/** The actor of a user, as recorded. */
export const userActor = (user: Pick<SeededUser, 'id' | 'email'>) => ({ kind: 'user', id: user.id, name: user.email });

/** Awaits an answer and checks its status (with its text when it differs). */
export async function expectStatus(answer: Promise<{ status: number; text: string }>, status: number): Promise<void> {
  const { status: got, text } = await answer;
  expect(got, text).toBe(status);
}

/** Sets a user's status straight in the database. */
export async function setStatus(h: AuditHarness, user: SeededUser, status: string): Promise<void> {
  await h.db
    .updateTable('users')
    .set({ status })
    .where('account_id', '=', user.accountId)
    .where('id', '=', user.id)
    .execute();
}
