import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createHoldfastClient, unwrap } from '@holdfast/sdk';
import { createServer, loadConfig, migrateToLatest, type HoldfastServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeListFailure, listUsers } from './list-users.ts';

/** The link token of the newest outbox message to `email` (messages are .eml files, maybe quoted-printable). */
async function linkToken(outboxDir: string, email: string): Promise<string> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const names = (await readdir(outboxDir).catch(() => []))
      .filter((name) => name.endsWith('.eml'))
      .sort()
      .reverse();
    for (const name of names) {
      const raw = await readFile(join(outboxDir, name), 'utf8');
      const text = raw
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      const token = /#token=([A-Za-z0-9_-]{43})/.exec(text)?.[1];
      if (text.includes(email) && token !== undefined) return token;
    }
    await delay(25); // the server sends mail after it answers
  }
  throw new Error(`no email to ${email} in ${outboxDir}`);
}

describe('examples/list-users', () => {
  let work = '';
  let server: HoldfastServer;
  let url = '';
  const env: Record<string, string> = {};
  const email = `ada-${randomBytes(4).toString('hex')}@example.org`;

  beforeAll(async () => {
    // A real server on its embedded defaults (SQLite, outbox email) in a temporary folder.
    work = await mkdtemp(join(tmpdir(), 'holdfast-list-users-'));
    const config = loadConfig({
      env: { HOLDFAST_DATA_DIR: work, HOLDFAST_PORT: '0', HOLDFAST_LOG_LEVEL: 'silent' },
      cwd: work,
    });
    server = await createServer(config);
    await migrateToLatest(server.services.database.db);
    ({ url } = await server.listen());

    // Sign up, confirm, sign in, invite a user and create an API key, as a person would in the console.
    const anonymous = createHoldfastClient({ baseUrl: url });
    const password = 'correct horse battery staple';
    const region = (await anonymous.regions()).find((candidate) => candidate.default)?.id ?? '';
    unwrap(await anonymous.api.POST('/v1/auth/sign-up', { body: { name: 'Ada Lovelace', email, password, region } }));
    const token = await linkToken(config.outboxDir, email);
    unwrap(await anonymous.api.POST('/v1/auth/confirm-email', { body: { token } }));
    const signIn = await anonymous.api.POST('/v1/auth/sign-in', { body: { email, password } });
    const session = {
      Cookie: signIn.response.headers.get('set-cookie')?.split(';')[0] ?? '',
      'X-CSRF-Token': unwrap(signIn).session.csrfToken,
    };
    unwrap(
      await anonymous.api.POST('/v1/users', {
        headers: session,
        body: { email: `charles-${email}`, authType: 'email', access: { role: 'administrator' } },
      }),
    );
    const key = unwrap(
      await anonymous.api.POST('/v1/api-keys', {
        headers: session,
        body: { name: 'list-users example', access: { role: 'administrator' } },
      }),
    );
    Object.assign(env, {
      HOLDFAST_URL: url,
      HOLDFAST_CLIENT_ID: key.clientId,
      HOLDFAST_CLIENT_SECRET: key.clientSecret,
    });
  }, 60_000);

  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it('lists every user, oldest first', async () => {
    const lines: string[] = [];
    const count = await listUsers({ env, log: (line) => lines.push(line) });
    expect(count).toBe(2);
    expect(lines).toEqual([
      `${email}\tactive\tadministrator\tprimary`,
      `charles-${email}\tinvited\tadministrator`,
      '2 users',
    ]);
  });

  it('lists users in the given statuses', async () => {
    const lines: string[] = [];
    await listUsers({ env, statuses: ['invited'], log: (line) => lines.push(line) });
    expect(lines).toEqual([`charles-${email}\tinvited\tadministrator`, '1 user']);
  });

  it('says what is wrong with the credentials', async () => {
    const error = await listUsers({ env: { ...env, HOLDFAST_CLIENT_SECRET: 'hfs_wrong' }, log: () => undefined }).catch(
      (caught: unknown) => caught,
    );
    expect(describeListFailure(error)).toBe(
      'the API key was refused (invalid_client): check HOLDFAST_CLIENT_ID and HOLDFAST_CLIENT_SECRET',
    );
    await expect(listUsers({ env: { HOLDFAST_URL: url } })).rejects.toThrow('set HOLDFAST_CLIENT_ID');
  });
});
