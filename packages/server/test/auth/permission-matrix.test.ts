/**
 * The permission matrix, generated from the contract (openapi/README.md "The generated permission test"):
 * every operation of `openapi/holdfast.yaml`, called with a valid request (`support/valid-requests.ts`) by
 * every kind of principal, through the server's own resolver with real credentials — browser sessions of
 * seeded users and bearer tokens of seeded API keys. Each case runs in a fresh account, so destructive
 * operations never disturb another case.
 *
 * Expected: a `public` operation never answers 401 or 403; otherwise a caller without a credential the
 * operation accepts gets `401 UNAUTHENTICATED`, one lacking the permission `403 PERMISSION_DENIED`, and
 * one holding it a success (2xx). A session on an unsafe method without its CSRF token gets
 * `403 CSRF_FAILED`. Operations still answering `501` are collected and must be exactly
 * {@link notImplemented}: the list shrinks as handlers land, and nothing passes silently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.ts';
import { grantablePermissions, permissionsForAccess, type Access } from '../../src/auth/permissions.ts';
import { operationAccess } from '../../src/auth/require-permission.ts';
import { loadApi } from '../../src/http/openapi/api-document.ts';
import { CapturedMail } from '../support/captured-mail.ts';
import { bearerCredential, sessionCredential, type Credential } from '../support/credentials.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { customAccess } from '../support/principals.ts';
import { seedAccount, seedApiKey, seedUser, type SeededAccount, type SeededUser } from '../support/seed.ts';
import { startServer, type RunningServer } from '../support/test-server.ts';
import { send, validRequests, type RequestContext } from '../support/valid-requests.ts';

/** Operations without a handler yet (answering `501 NOT_IMPLEMENTED`). */
const notImplemented: readonly string[] = [];

const { operations } = await loadApi();
const grantable: ReadonlySet<string> = new Set(grantablePermissions);

interface PrincipalKind {
  readonly name: string;
  readonly credential: 'none' | 'session' | 'bearer';
  /** The role; absent for nobody. */
  readonly access?: Access;
  readonly primary?: boolean;
}

function kindsFor(permission: string): PrincipalKind[] {
  const allBut = customAccess(grantablePermissions.filter((p) => p !== permission));
  const kinds: PrincipalKind[] = [
    { name: 'nobody', credential: 'none' },
    { name: 'the primary user', credential: 'session', access: { role: 'administrator' }, primary: true },
    { name: 'another Administrator', credential: 'session', access: { role: 'administrator' } },
    { name: 'a Custom user with no permission', credential: 'session', access: customAccess([]) },
    { name: 'a Custom user with every grantable permission but this one', credential: 'session', access: allBut },
    { name: 'an Administrator API key', credential: 'bearer', access: { role: 'administrator' } },
    { name: 'a Custom API key without this permission', credential: 'bearer', access: allBut },
  ];
  if (grantable.has(permission)) {
    const exactly = customAccess([permission as never]);
    kinds.push(
      { name: 'a Custom user with exactly this permission', credential: 'session', access: exactly },
      { name: 'a Custom API key with exactly this permission', credential: 'bearer', access: exactly },
    );
  }
  return kinds;
}

describeOnBothDatabases('the permission matrix over every operation of the contract', (target) => {
  const now = new Date('2026-12-01T09:00:00.000Z');
  let running: RunningServer;
  let passwordHash: string;
  const answered501 = new Set<string>();

  beforeAll(async () => {
    running = await startServer(target().config, { clock: () => now, mailer: new CapturedMail() });
    passwordHash = await hashPassword('correct horse battery staple', target().config.passwordHashing);
  });
  afterAll(async () => {
    await running.close();
  });

  /** The credential of a principal kind, and the user it signs in (the valid requests act on them). */
  async function credentialFor(
    url: string,
    account: SeededAccount,
    kind: PrincipalKind,
  ): Promise<{ credential: Credential | null; user: SeededUser | null }> {
    if (kind.credential === 'none' || kind.access === undefined) return { credential: null, user: null };
    const { db } = running.server.services.database;
    if (kind.credential === 'bearer') {
      const key = await seedApiKey(db, account.id, { access: kind.access, now });
      return { credential: await bearerCredential(url, key), user: null };
    }
    const user =
      kind.primary === true
        ? account.primary
        : await seedUser(db, account.id, { access: kind.access, now, passwordHash });
    return { credential: await sessionCredential(db, user, now), user };
  }

  it('has a valid request for every operation', () => {
    const missing = operations
      .map((operation) => operation.operationId)
      .filter((id) => validRequests[id] === undefined);
    expect(missing).toEqual([]);
  });

  describe.each(operations.map((operation) => [operation.operationId, operation] as const))('%s', (id, operation) => {
    const access = operationAccess(operation);
    const method = operation.method.toUpperCase();
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);

    it.each(kindsFor(access.permission).map((kind) => [kind.name, kind] as const))(
      'called by %s',
      async (_name, kind) => {
        const { db } = running.server.services.database;
        const account = await seedAccount(db, { now, passwordHash });
        const { credential, user } = await credentialFor(running.url, account, kind);
        const context: RequestContext = {
          db,
          url: running.url,
          account,
          now,
          masterKey: running.server.services.masterKey,
          caller: user ?? account.primary,
        };
        const build = validRequests[id];
        if (build === undefined) throw new Error(`no valid request for ${id}`);
        const spec = await build(context);
        const where = `${method} ${operation.path} as ${kind.name}`;

        const holds =
          access.permission === 'public' ||
          access.permission === 'authenticated' ||
          (kind.access !== undefined &&
            permissionsForAccess(kind.access, {
              kind: kind.credential === 'bearer' ? 'api_key' : 'user',
              isPrimary: kind.primary === true,
            }).has(access.permission));
        const accepted = credential !== null && access.accepts.has(credential.kind);

        if (
          access.permission !== 'public' &&
          accepted &&
          holds &&
          credential.kind === 'session' &&
          unsafe &&
          access.sessionNeedsCsrf
        ) {
          const withoutCsrf = await send(running.url, method, operation.path, spec, credential.headers(false));
          expect({ status: withoutCsrf.status, code: withoutCsrf.code }, `${where} without X-CSRF-Token`).toEqual({
            status: 403,
            code: 'CSRF_FAILED',
          });
        }
        const answer = await send(running.url, method, operation.path, spec, credential?.headers() ?? {});
        const outcome = { status: answer.status, code: answer.code };
        if (answer.status === 501) {
          answered501.add(id);
          expect(notImplemented, `${id} answers 501: list it in notImplemented, or give it a handler`).toContain(id);
          return;
        }
        expect(answer.status, `${where}: ${answer.text}`).not.toBe(500);
        if (access.permission === 'public') {
          expect([401, 403], `${where}: ${answer.text}`).not.toContain(answer.status);
          return;
        }
        if (!accepted) {
          expect(outcome, where).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
          return;
        }
        if (!holds) {
          expect(outcome, where).toEqual({ status: 403, code: 'PERMISSION_DENIED' });
          return;
        }
        expect(answer.status, `${where}: ${answer.text}`).toBeGreaterThanOrEqual(200);
        expect(answer.status, `${where}: ${answer.text}`).toBeLessThan(300);
      },
    );
  });

  it('leaves exactly the listed operations unimplemented (501)', () => {
    if (answered501.size > 0) console.info(`operations answering 501: ${[...answered501].sort().join(', ')}`);
    expect([...answered501].sort()).toEqual([...notImplemented].sort());
  });
});
