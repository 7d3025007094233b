/**
 * The server bench's data set: one account holding 10,000 portal users and 200 API keys, written into a
 * freshly migrated database through the built server's own database code (`createDatabase` and
 * `migrateToLatest` of `packages/server/dist`, the same Kysely schema types), in one transaction.
 *
 * The rows are the ones the API leaves behind (see `users-handlers.ts`, `invitations.ts`,
 * `create-account.ts`, `api-keys-store.ts`):
 * - the primary user, an Administrator who signed up;
 * - 9,999 invited users, one every 53 minutes over the past year, each with the `invitation` email token
 *   its invitation issued; nine in ten accepted it (active, address confirmed, a password, the token
 *   used), one in ten has not (invited, the token unused: the list shows it as a pending invitation);
 * - one user in five an Administrator, the others a custom role of a few permissions and services; none
 *   with two-factor sign-in;
 * - 200 API keys created by Administrators over the year, half Administrator, half custom, a few with
 *   an expiry; the first is the bench's own client (an Administrator key whose secret is returned).
 *
 * Every active user carries the same argon2id hash (OWASP's minimum costs, as the server's default),
 * computed once: the list never reads it, but the rows are as long as real ones. Ids and times follow
 * the server's conventions (`newId`, ISO 8601 UTC with milliseconds). Names are first names and surnames
 * from fixed lists, so a free-text search for a surname matches a known 1% of the users, evenly spread in
 * creation order.
 */
import { argon2Sync, randomBytes } from 'node:crypto';
import type * as ServerDist from '../../packages/server/dist/index.js';

/** What of the built server the seeding uses (loaded at run time, after checking it was built). */
export type ServerModule = Pick<
  typeof ServerDist,
  'createDatabase' | 'migrateToLatest' | 'newId' | 'newToken' | 'hashToken' | 'grantablePermissions'
>;
type Db = ServerDist.ServerDatabase['db'];
type DatabaseTarget = Parameters<ServerModule['createDatabase']>[0]['database'];
/** A table's row as inserted, every column given (Kysely's `ColumnType` read through its insert type). */
type Row<Table> = {
  [Column in keyof Table]: Table[Column] extends { readonly __insert__: infer Insert }
    ? Exclude<Insert, undefined>
    : Table[Column];
};

export const userCount = 10_000;
export const apiKeyCount = 200;

/** The free-text search the bench measures: part of one surname of {@link surnames}. */
export const searchText = 'okonk';

// prettier-ignore
const firstNames = [
  'Ada', 'Alan', 'Amara', 'Anil', 'Astrid', 'Beatriz', 'Bruno', 'Chen', 'Dalia', 'Diego',
  'Elif', 'Emeka', 'Farah', 'Felix', 'Greta', 'Hana', 'Hugo', 'Ines', 'Ivan', 'Jonas',
  'Kaito', 'Lara', 'Leila', 'Luca', 'Maja', 'Mateo', 'Mei', 'Nadia', 'Nils', 'Omar',
  'Priya', 'Rafael', 'Rosa', 'Sami', 'Sofia', 'Tariq', 'Ulla', 'Vera', 'Wen', 'Yusuf',
];
// prettier-ignore
const surnames = [
  'Abbott', 'Adeyemi', 'Alvarez', 'Andersen', 'Baker', 'Bauer', 'Bianchi', 'Brennan', 'Castillo', 'Chowdhury',
  'Costa', 'Dahl', 'Delgado', 'Dubois', 'Eriksen', 'Fischer', 'Fontaine', 'Garcia', 'Gomez', 'Gupta',
  'Haddad', 'Hansen', 'Horvath', 'Ibrahim', 'Ito', 'Jansen', 'Jovanovic', 'Kaur', 'Kowalski', 'Kumar',
  'Larsen', 'Lefebvre', 'Lindqvist', 'Lopez', 'Madsen', 'Mancini', 'Mendes', 'Meyer', 'Moreau', 'Murphy',
  'Nakamura', 'Navarro', 'Nguyen', 'Novak', 'Nowak', 'Okafor', 'Okonkwo', 'Olsen', 'Ortiz', 'Park',
  'Patel', 'Pereira', 'Petrov', 'Quinn', 'Ramos', 'Reyes', 'Ricci', 'Rossi', 'Russo', 'Sato',
  'Schmidt', 'Schneider', 'Silva', 'Singh', 'Smith', 'Sokolov', 'Suzuki', 'Svensson', 'Takahashi', 'Tanaka',
  'Thomsen', 'Torres', 'Tran', 'Ueda', 'Umarov', 'Valdez', 'Vargas', 'Vasquez', 'Vogel', 'Wagner',
  'Walsh', 'Wang', 'Weber', 'Williams', 'Wilson', 'Wolf', 'Wong', 'Wright', 'Xu', 'Yamada',
  'Yang', 'Yilmaz', 'Young', 'Zhang', 'Zhou', 'Zielinski', 'Zimmermann', 'Zoric', 'Zuniga', 'Zwart',
];
const services = ['box', 'dropbox', 'local_folder'] as const;

/** The data set as written: what the bench needs to authenticate and to check the answers. */
export interface SeededData {
  readonly accountId: string;
  /** The bench's Administrator API key. */
  readonly client: { readonly id: string; readonly secret: string };
  readonly users: number;
  readonly invitedUsers: number;
  readonly apiKeys: number;
  /** Users whose address or name contains {@link searchText}, case-insensitively. */
  readonly searchMatches: number;
  /** Rows in `email_tokens` (one invitation link per invited user). */
  readonly emailTokens: number;
}

const yearMs = 365 * 24 * 60 * 60 * 1000;

function customAccess(index: number, permissions: readonly string[]): { operations: string; services: string } {
  // A few permissions and services, varying with the index, kept in the contract's order as the server
  // writes them (`accessToColumns`).
  const operations = permissions.filter((_permission, i) => (index + i) % 3 !== 0);
  const chosen = services.filter((_service, i) => (index + i) % 2 === 0);
  return { operations: JSON.stringify(operations), services: JSON.stringify(chosen) };
}

/** Migrates the empty database `target` and writes the data set into it. */
export async function seedDataSet(server: ServerModule, target: DatabaseTarget): Promise<SeededData> {
  const database = server.createDatabase({ database: target });
  try {
    await server.migrateToLatest(database.db);
    return await database.db.transaction().execute((trx) => writeRows(server, trx));
  } finally {
    await database.close();
  }
}

async function insertInChunks<T>(rows: readonly T[], insert: (chunk: readonly T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
}

async function writeRows(server: ServerModule, db: Db): Promise<SeededData> {
  const { newId, newToken, hashToken, grantablePermissions } = server;
  const now = Date.now();
  const start = now - yearMs;
  const at = (ms: number): string => new Date(ms).toISOString();
  const salt = randomBytes(16);
  const tag = argon2Sync('argon2id', {
    message: randomBytes(16).toString('base64url'),
    nonce: salt,
    parallelism: 1,
    tagLength: 32,
    memory: 19_456,
    passes: 2,
  });
  const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');
  const passwordHash = `$argon2id$v=19$m=19456,t=2,p=1$${b64(salt)}$${b64(tag)}`;

  const accountId = newId('acc', start);
  await db
    .insertInto('accounts')
    .values({
      id: accountId,
      name: 'Bench Industries',
      region: 'local',
      status: 'active',
      created_at: at(start),
      updated_at: at(start),
      removal_requested_at: null,
      removal_requested_by: null,
      removal_purge_at: null,
      removal_reason: null,
      require_two_factor: 0,
      password_max_age_days: null,
    })
    .execute();

  const step = yearMs / userCount;
  const users: Row<ServerDist.UsersTable>[] = [];
  const tokens: Row<ServerDist.EmailTokensTable>[] = [];
  const administrators: string[] = [];
  let invitedUsers = 0;
  let searchMatches = 0;
  for (let i = 0; i < userCount; i++) {
    const created = start + Math.floor(i * step);
    const id = newId('usr', created);
    const name = `${firstNames[i % firstNames.length] ?? ''} ${surnames[i % surnames.length] ?? ''}`;
    const email = `${name.toLowerCase().replace(' ', '.')}.${String(i)}@example.org`;
    if (`${email} ${name.toLowerCase()}`.includes(searchText)) searchMatches++;
    const primary = i === 0;
    const administrator = primary || i % 5 === 0;
    const invited = !primary && i % 10 === 9;
    const accepted = created + 60 * 60 * 1000;
    const access = administrator
      ? { role: 'administrator', operations: '[]', services: '[]' }
      : { role: 'custom', ...customAccess(i, grantablePermissions) };
    users.push({
      id,
      account_id: accountId,
      email,
      email_normalized: email,
      name,
      auth_type: 'email',
      status: invited ? 'invited' : 'active',
      is_primary: primary ? 1 : 0,
      ...access,
      password_hash: invited ? null : passwordHash,
      email_confirmed_at: invited ? null : at(primary ? created : accepted),
      invited_by: primary ? null : (administrators[i % administrators.length] ?? null),
      last_sign_in_at: invited ? null : at(Math.min(now - 1000, accepted + ((i * 7919) % 30) * 86_400_000)),
      totp_secret: null,
      totp_pending_secret: null,
      totp_enabled_at: null,
      totp_last_step: null,
      password_changed_at: invited || primary ? null : at(accepted),
      created_at: at(created),
      updated_at: at(invited || primary ? created : accepted),
    });
    if (!primary) {
      tokens.push({
        id: newId('etk', created),
        account_id: accountId,
        user_id: id,
        purpose: 'invitation',
        token_hash: hashToken(newToken()),
        new_email: null,
        created_at: at(created),
        expires_at: at(created + 24 * 60 * 60 * 1000),
        used_at: invited ? null : at(accepted),
      });
    }
    if (invited) invitedUsers++;
    if (administrator && !invited) administrators.push(id);
  }
  await insertInChunks(users, (chunk) => db.insertInto('users').values(chunk).execute());
  await insertInChunks(tokens, (chunk) => db.insertInto('email_tokens').values(chunk).execute());

  const keys: Row<ServerDist.ApiKeysTable>[] = [];
  let client: SeededData['client'] | undefined;
  for (let j = 0; j < apiKeyCount; j++) {
    const created = start + Math.floor(((j + 0.5) * yearMs) / apiKeyCount);
    const id = newId('key', created);
    const secret = newToken('hfs_');
    const administrator = j % 2 === 0;
    if (j === 0) client = { id, secret };
    keys.push({
      id,
      account_id: accountId,
      name: j === 0 ? 'Bench client' : `Integration ${String(j)}`,
      secret_hash: hashToken(secret),
      ...(administrator
        ? { role: 'administrator', operations: '[]', services: '[]' }
        : { role: 'custom', ...customAccess(j, grantablePermissions) }),
      created_by: administrators[j % administrators.length] ?? null,
      created_at: at(created),
      last_used_at: null,
      expires_at: j % 10 === 5 ? at(now + yearMs) : null,
    });
  }
  await insertInChunks(keys, (chunk) => db.insertInto('api_keys').values(chunk).execute());
  if (client === undefined) throw new Error('unreachable: the first key is the client');
  return {
    accountId,
    client,
    users: users.length,
    invitedUsers,
    apiKeys: keys.length,
    searchMatches,
    emailTokens: tokens.length,
  };
}
