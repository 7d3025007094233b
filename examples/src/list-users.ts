/**
 * Example: listing an account's portal users with `@holdfast/sdk`.
 *
 * A program authenticates with an API key (created in the console or with `POST /v1/api-keys`): the SDK
 * exchanges its client id and secret for an access token, refreshes it when needed, and pages through
 * `GET /v1/users` as you iterate. `docs/sdk.md` explains each call.
 *
 * Run it with Node 24 from the repository root, against a running server (`pnpm start`):
 *
 * ```sh
 * HOLDFAST_URL=http://localhost:8080 HOLDFAST_CLIENT_ID=key_... HOLDFAST_CLIENT_SECRET=hfs_... \
 *   pnpm exec node examples/src/list-users.ts [status...]
 * ```
 *
 * With statuses (`active`, `invited`), it lists only users in one of them.
 */
import {
  createHoldfastClient,
  isHoldfastApiError,
  isHoldfastNetworkError,
  isOAuthError,
  type components,
} from '@holdfast/sdk';

type UserStatus = components['schemas']['UserStatus'];

/** What {@link listUsers} needs. */
export interface ListUsersOptions {
  /** `HOLDFAST_URL`, `HOLDFAST_CLIENT_ID` and `HOLDFAST_CLIENT_SECRET`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Only users in one of these statuses (default: all). */
  readonly statuses?: readonly UserStatus[];
  /** Where each line goes (default: stdout). */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

function required(env: ListUsersOptions['env'], name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`set ${name} (see examples/src/list-users.ts)`);
  return value;
}

/** Prints one line per user (email, status, role), oldest first, and answers how many there were. */
export async function listUsers(options: ListUsersOptions): Promise<number> {
  const log =
    options.log ??
    ((line: string) => {
      console.log(line);
    });
  const holdfast = createHoldfastClient({
    baseUrl: required(options.env, 'HOLDFAST_URL'),
    clientId: required(options.env, 'HOLDFAST_CLIENT_ID'),
    clientSecret: required(options.env, 'HOLDFAST_CLIENT_SECRET'),
    userAgent: 'holdfast-example-list-users',
  });

  let count = 0;
  const statuses = options.statuses ?? [];
  const query = { order: 'createdAt' as const, ...(statuses.length === 0 ? {} : { status: [...statuses] }) };
  for await (const user of holdfast.paginate('/v1/users', {
    query,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })) {
    const role = user.access.role === 'custom' ? `custom: ${user.access.operations.join(', ')}` : user.access.role;
    log(`${user.email}\t${user.status}\t${role}${user.primary ? '\tprimary' : ''}`);
    count += 1;
  }
  log(`${String(count)} user${count === 1 ? '' : 's'}`);
  return count;
}

/** A one-line message for what went wrong, by kind of error. */
export function describeListFailure(error: unknown): string {
  if (isOAuthError(error))
    return `the API key was refused (${error.code}): check HOLDFAST_CLIENT_ID and HOLDFAST_CLIENT_SECRET`;
  if (isHoldfastApiError(error, 'PERMISSION_DENIED')) return 'this API key may not list users (it needs manage_users)';
  if (isHoldfastApiError(error))
    return `${error.code}: ${error.detail ?? error.title} (request ${error.requestId ?? '?'})`;
  if (isHoldfastNetworkError(error)) return `no answer from the server: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

if (import.meta.main) {
  try {
    await listUsers({ env: process.env, statuses: process.argv.slice(2) as UserStatus[] });
  } catch (error) {
    console.error(describeListFailure(error));
    process.exitCode = 1;
  }
}
