/**
 * The security audit log through `@holdfast/sdk`, against the in-process server on SQLite and
 * PostgreSQL, as a program holding an API key would read it: the `paginate` helper across pages with
 * filters, the client's `auditEvents` resource, the CSV export as a stream (read back with the strict
 * reader of the audit tests), and a refused user security operation leaving no entry. The account is made
 * through the real sign-up flow (`sdk-account.ts`), so its first entries are the sign-up's own.
 */
import { createHoldfastClient, isHoldfastApiError, paginate, unwrap, type HoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordActivity } from '../../src/audit/activity-log.ts';
import { parseCsv } from '../audit/strict-csv.ts';
import { readOutbox, tokenIn } from '../email/mail-reader.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { signUpWithApiKey, type SdkAccount } from './sdk-account.ts';

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describeOnBothDatabases('the audit log through the SDK', (target) => {
  let running: RunningServer;
  let account: SdkAccount;
  let client: HoldfastClient;
  const invited: string[] = [];

  beforeAll(async () => {
    running = await startServer(target().config);
    account = await signUpWithApiKey(running.url, target().config.outboxDir);
    client = createHoldfastClient({
      baseUrl: running.url,
      clientId: account.clientId,
      clientSecret: account.clientSecret,
    });
    for (const name of ['Charles', 'Mary', 'Augustus', 'Sophie', 'Emmy']) {
      const user = await client.users.invite({
        email: `${name.toLowerCase()}-${account.email}`,
        name,
        access: { role: 'administrator' },
      });
      invited.push(user.id);
    }
  });
  afterAll(async () => {
    await running.close();
  });

  it('pages through the log with paginate, filters and order kept across pages', async () => {
    const seen: { activity: string; email: unknown; by: string | null }[] = [];
    for await (const event of paginate(client, '/v1/audit-events', {
      query: { activity: ['user_invited'], order: 'occurredAt', limit: 2 },
    })) {
      seen.push({ activity: event.activity, email: event.details['email'], by: event.performedBy.id });
    }
    expect(seen).toHaveLength(5);
    expect(seen.every((event) => event.activity === 'user_invited' && event.by === account.clientId)).toBe(true);
    expect(seen.map((event) => event.email)).toEqual(
      ['charles', 'mary', 'augustus', 'sophie', 'emmy'].map((name) => `${name}-${account.email}`),
    );

    const everything: string[] = [];
    for await (const event of client.auditEvents.list({ limit: 3 })) everything.push(event.activity);
    // Oldest last: the sign-up's own entry, then the key it made (sign-ins may be recorded between them).
    expect(everything.at(-1)).toBe('account_created');
    expect(everything).toContain('api_key_created');
    expect(everything.filter((activity) => activity === 'user_invited')).toHaveLength(5);
  });

  it('refuses a cursor of other filters with INVALID_CURSOR', async () => {
    const first = unwrap(
      await client.api.GET('/v1/audit-events', { params: { query: { activity: ['user_invited'], limit: 1 } } }),
    );
    expect(first.nextCursor).not.toBeNull();
    const error: unknown = await client.api
      .GET('/v1/audit-events', { params: { query: { cursor: first.nextCursor ?? '', activity: ['account_created'] } } })
      .then(unwrap)
      .catch((caught: unknown) => caught);
    expect(isHoldfastApiError(error, 'INVALID_CURSOR')).toBe(true);
  });

  it('records the user security operations, and nothing for a refused one', async () => {
    const [charles, mary] = invited;
    if (charles === undefined || mary === undefined) throw new Error('nobody invited');
    const refused: unknown = await client.users.deactivate(mary).catch((caught: unknown) => caught);
    expect(isHoldfastApiError(refused, 'CONFLICT')).toBe(true);

    const email = `charles-${account.email}`;
    const invitation = readOutbox(target().config.outboxDir).findLast((message) => message.to.includes(email));
    if (invitation === undefined) throw new Error('no invitation in the outbox');
    const anonymous = createHoldfastClient({ baseUrl: running.url });
    unwrap(
      await anonymous.api.POST('/v1/invitations/{token}/accept', {
        params: { path: { token: tokenIn(invitation) } },
        body: { name: 'Charles Babbage', password: 'difference engine number two' },
      }),
    );
    expect((await client.users.deactivate(charles)).status).toBe('deactivated');
    expect((await client.users.reactivate(charles)).status).toBe('active');

    const activities: string[] = [];
    for await (const event of client.auditEvents.list({
      activity: ['user_deactivated', 'user_reactivated', 'invitation_accepted'],
      order: 'occurredAt',
    })) {
      activities.push(`${event.activity} by ${event.performedBy.kind}`);
    }
    expect(activities).toEqual([
      'invitation_accepted by user',
      'user_deactivated by api_key',
      'user_reactivated by api_key',
    ]);
  });

  it('exports the same entries as CSV, streamed, with the same filters', async () => {
    const csv = parseCsv(
      await text(await client.auditEvents.exportCsv({ activity: ['user_invited'], order: 'occurredAt' })),
    );
    expect(csv.header[0]).toBe('id');
    const listed: string[] = [];
    for await (const event of client.auditEvents.list({ activity: ['user_invited'], order: 'occurredAt' }))
      listed.push(event.id);
    expect(csv.rows.map((row) => row['id'])).toEqual(listed);
    expect(
      csv.rows.every((row) => row['performedByKind'] === 'api_key' && row['performedById'] === account.clientId),
    ).toBe(true);

    const raw = await client.api.GET('/v1/audit-events/export', {
      params: { query: { q: 'signed up' } },
      parseAs: 'text',
    });
    expect(raw.response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(raw.response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="audit-events-\d{8}T\d{6}Z\.csv"$/,
    );
    const created = parseCsv(unwrap(raw));
    expect(created.rows.map((row) => row['activity'])).toEqual(['account_created']);
    expect(created.rows[0]?.['performedBy']).toBe(account.email);

    const activity = parseCsv(await text(await client.activityEvents.exportCsv()));
    expect(activity.rows).toEqual([]);
    expect(activity.header).toContain('sizeBytes');
  });

  it("resets another user's two-factor authentication, and lists the activity log, through the resources", async () => {
    const { db } = running.server.services.database;
    const target = invited[4] ?? '';
    await db
      .updateTable('users')
      .set({ status: 'active', totp_secret: 'v1.sealed-for-this-test' })
      .where('id', '=', target)
      .execute();
    await client.users.resetTwoFactor(target);
    const row = await db.selectFrom('users').select('totp_secret').where('id', '=', target).executeTakeFirstOrThrow();
    expect(row.totp_secret).toBeNull();
    const again: unknown = await client.users.resetTwoFactor(target).catch((caught: unknown) => caught);
    expect(isHoldfastApiError(again, 'CONFLICT')).toBe(true);
    const resets: string[] = [];
    for await (const event of client.auditEvents.list({ activity: ['two_factor_reset'] })) {
      resets.push(String(event.details['userId']));
    }
    expect(resets).toEqual([target]);
    const { account_id: accountId } = await db
      .selectFrom('users')
      .select('account_id')
      .where('id', '=', target)
      .executeTakeFirstOrThrow();
    const failed = await recordActivity(
      db,
      {
        accountId,
        activity: 'export',
        status: 'failed',
        service: 'box',
        taskId: null,
        taskName: 'Box',
        jobId: null,
        item: 'charles@example.org',
        executionMs: 12,
        sizeBytes: 0,
        itemCount: 0,
        initiator: { kind: 'system', id: null, name: null },
        description: 'Export failed.',
      },
      new Date(),
    );
    const runs: string[] = [];
    for await (const event of client.activityEvents.list({ status: ['failed'] })) runs.push(event.id);
    expect(runs).toEqual([failed]);
    const succeeded: string[] = [];
    for await (const event of client.activityEvents.list({ status: ['succeeded'] })) succeeded.push(event.id);
    expect(succeeded).toEqual([]);
  });
});
