/**
 * `pnpm bench server [--quick] [--no-docs]`.
 *
 * The built server's authenticated list endpoints over an account of 10,000 users and 200 API keys, on
 * SQLite and on PostgreSQL, measured with autocannon: requests/s, mean and p99 latency, and the server's
 * CPU time per request, for `GET /v1/users` (first page of 50 and of 200, a page of 50 from the middle
 * of the list through its cursor, a free-text search) and `GET /v1/api-keys`, with `GET /healthz` as the
 * baseline of what routing, middleware and validation cost without the database. Prints the ratio
 * PostgreSQL ÷ SQLite of each; replaces this benchmark's section of `docs/benchmarks.md`.
 *
 * For each database: a fresh one (SQLite in a new data directory under `bench/.work/server/`, PostgreSQL
 * a throwaway database, dropped after), migrated and seeded through the server's own database code
 * (`data-set.ts`), then `holdfast-server serve` from `packages/server/dist` in a child process. Both
 * servers run side by side and each endpoint is measured on SQLite, then on PostgreSQL, with a bearer
 * token from `POST /v1/oauth/token` (client credentials of an Administrator API key; a new one for each
 * endpoint, since access tokens live 15 minutes), and autocannon with 10 connections for 10 s per
 * endpoint (`--quick`: 3 s) after a 2 s warm-up (`--quick`: 1 s). Any answer that is not 2xx fails the
 * bench. The bench starts on a quiet machine and measures a run again when other work disturbed it
 * (`load.ts`). The server's output is in `bench/.work/server/server-<database>.log`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeBenchmarkSection } from '../lib/benchmarks-doc.ts';
import { type Table, consoleTable, formatCount, formatRatio, markdownTable } from '../lib/format.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { describeRevision } from '../lib/revision.ts';
import { benchWorkDir } from '../lib/work-dir.ts';
import { apiKeyCount, searchText, type SeededData, seedDataSet, type ServerModule, userCount } from './data-set.ts';
import { type LoadResult, measureLoad, waitForQuiet } from './load.ts';
import { createThrowawayDatabase, postgresQuery } from './postgres.ts';
import { startServer } from './server-process.ts';

const benchName = 'server';
const log = (message: string): void => {
  console.log(`[${benchName}] ${message}`);
};
const { values: options } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'no-docs': { type: 'boolean', default: false } },
});
const serverDist = new URL('../../packages/server/dist/', import.meta.url);
const cli = fileURLToPath(new URL('cli.js', serverDist));
if (!existsSync(cli) || !existsSync(new URL('index.js', serverDist))) {
  console.error(`${benchName}: ${cli} not found: build first: pnpm run build`);
  process.exit(1);
}
const server = (await import(new URL('index.js', serverDist).href)) as ServerModule;

const connections = 10;
const seconds = options.quick ? 3 : 10;
const warmUpSeconds = options.quick ? 1 : 2;
/** Where the middle cursor points: after this many users of the newest-first list. */
const middle = userCount / 2;

type DatabaseName = 'SQLite' | 'PostgreSQL';
interface Endpoint {
  readonly label: string;
  /** The path and query, given the cursor of the middle of the users list. */
  readonly path: (middleCursor: string) => string;
  /** Items the answer must hold (none: `/healthz`). */
  readonly items?: number;
  readonly authenticated: boolean;
}
const endpoints: readonly Endpoint[] = [
  { label: 'GET /healthz', path: () => '/healthz', authenticated: false },
  { label: 'GET /v1/users?limit=50', path: () => '/v1/users?limit=50', items: 50, authenticated: true },
  { label: 'GET /v1/users?limit=200', path: () => '/v1/users?limit=200', items: 200, authenticated: true },
  {
    label: `GET /v1/users?limit=50&cursor=<after ${formatCount(middle)}>`,
    path: (cursor) => `/v1/users?limit=50&cursor=${cursor}`,
    items: 50,
    authenticated: true,
  },
  {
    label: `GET /v1/users?q=${searchText}&limit=50`,
    path: () => `/v1/users?q=${searchText}&limit=50`,
    items: 50,
    authenticated: true,
  },
  { label: 'GET /v1/api-keys?limit=50', path: () => '/v1/api-keys?limit=50', items: 50, authenticated: true },
];

interface Measurement {
  readonly endpoint: Endpoint;
  readonly database: DatabaseName;
  readonly answerBytes: number;
  readonly load: LoadResult;
}

/** A share as a percentage: `0.934` → `93%` (of one core, for CPU use; above 100% is more than one). */
function percent(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}

/** CPU time of one party during a run as a share of one core: `93%`. */
function cpuShare(load: LoadResult, party: keyof LoadResult['cpuMs']): string {
  return percent(load.cpuMs[party] / (load.seconds * 1000));
}

/** A bearer access token of the key (client credentials over HTTP Basic). */
async function accessToken(url: string, client: SeededData['client']): Promise<string> {
  const basic = Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64');
  const response = await fetch(`${url}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token?: unknown };
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`token exchange failed: ${String(response.status)} ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

interface Page {
  readonly items: readonly { readonly email?: string; readonly name?: string | null }[];
  readonly nextCursor: string | null;
}

async function getJson(
  url: string,
  headers: Readonly<Record<string, string>>,
): Promise<{ text: string; json: unknown }> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${String(response.status)} ${text.slice(0, 500)}`);
  return { text, json: JSON.parse(text) as unknown };
}

/** The cursor after the first {@link middle} users, reached through the API in pages of 200. */
async function middleCursor(url: string, headers: Readonly<Record<string, string>>): Promise<string> {
  let cursor: string | null = null;
  for (let seen = 0; seen < middle; seen += 200) {
    const query: string = cursor === null ? '' : `&cursor=${cursor}`;
    const page = (await getJson(`${url}/v1/users?limit=200${query}`, headers)).json as Page;
    cursor = page.nextCursor;
    if (cursor === null) throw new Error(`the users list ended before ${String(middle)} users`);
  }
  if (cursor === null) throw new Error('unreachable: no middle cursor');
  return cursor;
}

/** A seeded database and the server running on it. */
interface Target {
  readonly database: DatabaseName;
  readonly seeded: SeededData;
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  /** The cursor after the first {@link middle} users. */
  readonly cursor: string;
  /** Headers with a fresh bearer access token. */
  bearer(): Promise<Record<string, string>>;
}

/**
 * Seeds a fresh database and starts a server on it; `cleanups` receives what stops and removes them
 * (pushed as soon as each exists, so a failure half-way still cleans up).
 */
async function prepareTarget(database: DatabaseName, work: string, cleanups: (() => Promise<void>)[]): Promise<Target> {
  const dataDir = join(work, `data-${database.toLowerCase()}`);
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const postgres = database === 'PostgreSQL' ? await createThrowawayDatabase() : undefined;
  if (postgres !== undefined) cleanups.push(() => postgres.drop());
  const target =
    postgres === undefined
      ? ({ kind: 'sqlite', file: join(dataDir, 'holdfast.db') } as const)
      : ({ kind: 'postgres', url: postgres.url } as const);
  const seedStarted = performance.now();
  const seeded = await seedDataSet(server, target);
  // A live PostgreSQL has planner statistics (autovacuum analyses a table as it grows); a table filled a
  // moment ago has none yet, and without them the planner sorts the account's every user for each page.
  // The server never analyses SQLite (nor does SQLite on its own), so its plans stay as a server's are.
  if (postgres !== undefined) await postgresQuery('analyze', postgres.url);
  log(
    `${database}: seeded ${formatCount(seeded.users)} users (${formatCount(seeded.invitedUsers)} invited), ` +
      `${formatCount(seeded.apiKeys)} API keys, ${formatCount(seeded.emailTokens)} email tokens ` +
      `in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
  );
  const logFile = join(work, `server-${database.toLowerCase()}.log`);
  const running = await startServer(
    cli,
    { HOLDFAST_DATA_DIR: dataDir, ...(postgres === undefined ? {} : { DATABASE_URL: postgres.url }) },
    logFile,
  );
  // Stopped before the database is dropped and the directory removed (cleanups run last first).
  cleanups.push(() => running.stop());
  log(`${database}: server ${String(running.pid)} listening on ${running.url}, output in ${logFile}`);
  const bearer = async (): Promise<Record<string, string>> => ({
    authorization: `Bearer ${await accessToken(running.url, seeded.client)}`,
  });
  const cursor = await middleCursor(running.url, await bearer());
  return { database, seeded, url: running.url, pid: running.pid, logFile, cursor, bearer };
}

/** Checks the endpoint's answer on the target, then measures it under load. */
async function measure(target: Target, endpoint: Endpoint): Promise<Measurement> {
  const { database } = target;
  const url = `${target.url}${endpoint.path(target.cursor)}`;
  const answer = await getJson(url, endpoint.authenticated ? await target.bearer() : {});
  checkAnswer(endpoint, answer.json, target.seeded);
  const load = await measureLoad({
    url,
    // A fresh access token for every try: waiting for a quiet machine may outlast one (15 minutes).
    headers: () => (endpoint.authenticated ? target.bearer() : Promise.resolve({})),
    connections,
    warmUpSeconds,
    seconds,
    serverPid: target.pid,
    log: (message) => {
      log(`${database}, ${endpoint.label}: ${message}`);
    },
  });
  if (load.failures > 0) {
    throw new Error(
      `${database}, ${endpoint.label}: ${String(load.failures)} answers were not 2xx (${load.statusCodes}); ` +
        `see ${target.logFile}`,
    );
  }
  log(
    `${database}, ${endpoint.label}: ${load.requestsPerSecond.toFixed(0)} requests/s, ` +
      `mean ${load.meanMs.toFixed(2)} ms, p99 ${String(load.p99Ms)} ms, ` +
      `server CPU ${(load.cpuMs.server / load.requests).toFixed(3)} ms a request; CPU use (of one core): ` +
      `server ${cpuShare(load, 'server')}, load generator ${cpuShare(load, 'load')}, ` +
      `PostgreSQL ${cpuShare(load, 'postgres')}, rest of the machine ${cpuShare(load, 'rest')}`,
  );
  return { endpoint, database, answerBytes: Buffer.byteLength(answer.text), load };
}

/** The answer before the load: the right number of items, and for the search only matching users. */
function checkAnswer(endpoint: Endpoint, json: unknown, seeded: SeededData): void {
  if (endpoint.items === undefined) {
    if ((json as { status?: unknown }).status !== 'ok') throw new Error(`${endpoint.label}: ${JSON.stringify(json)}`);
    return;
  }
  const page = json as Page;
  if (page.items.length !== endpoint.items) {
    throw new Error(`${endpoint.label}: ${String(page.items.length)} items, expected ${String(endpoint.items)}`);
  }
  if (endpoint.label.includes('q=')) {
    const stray = page.items.filter(
      (item) => !`${item.email ?? ''} ${item.name ?? ''}`.toLowerCase().includes(searchText),
    );
    if (stray.length > 0 || seeded.searchMatches < endpoint.items) {
      throw new Error(`${endpoint.label}: ${String(stray.length)} items do not match`);
    }
  }
}

const work = benchWorkDir(benchName);
// Other work on the machine takes CPU from the server: start on a quiet machine.
await waitForQuiet(log);
const versionRow = (await postgresQuery('show server_version'))[0];
const postgresVersion = typeof versionRow?.['server_version'] === 'string' ? versionRow['server_version'] : 'unknown';
// Both servers run side by side and each endpoint is measured on one, then at once on the other, so a
// slow drift of the machine (another virtual machine on the host) touches both alike.
const measurements: Measurement[] = [];
const cleanups: (() => Promise<void>)[] = [];
let searchMatches: number;
try {
  const targets = [await prepareTarget('SQLite', work, cleanups), await prepareTarget('PostgreSQL', work, cleanups)];
  searchMatches = targets[0]?.seeded.searchMatches ?? 0;
  for (const endpoint of endpoints) {
    for (const target of targets) measurements.push(await measure(target, endpoint));
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
const retried = measurements.reduce((sum, m) => sum + m.load.retries, 0);

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const find = (endpoint: Endpoint, database: DatabaseName): Measurement | undefined =>
  measurements.find((m) => m.endpoint === endpoint && m.database === database);
const healthz = endpoints[0];

/** The results table; `label` writes an endpoint's name (plain for the console, code for Markdown). */
function resultTable(label: (endpoint: Endpoint) => string): Table {
  const rows: string[][] = [];
  for (const endpoint of endpoints) {
    const sqlite = find(endpoint, 'SQLite');
    const postgres = find(endpoint, 'PostgreSQL');
    if (sqlite === undefined || postgres === undefined) continue;
    for (const { database, load } of [sqlite, postgres]) {
      rows.push([
        label(endpoint),
        database,
        formatCount(Math.round(load.requestsPerSecond)),
        ms(load.meanMs),
        `${String(load.p99Ms)} ms`,
        formatCount(load.failures),
        ms(load.cpuMs.server / load.requests),
        cpuShare(load, 'server'),
        cpuShare(load, 'load'),
        cpuShare(load, 'postgres'),
        cpuShare(load, 'rest'),
      ]);
    }
    const cpuPerRequest = (load: LoadResult): number => load.cpuMs.server / load.requests;
    rows.push([
      label(endpoint),
      'PostgreSQL ÷ SQLite',
      formatRatio(postgres.load.requestsPerSecond / sqlite.load.requestsPerSecond),
      formatRatio(postgres.load.meanMs / sqlite.load.meanMs),
      formatRatio(postgres.load.p99Ms / sqlite.load.p99Ms),
      '',
      formatRatio(cpuPerRequest(postgres.load) / cpuPerRequest(sqlite.load)),
      '',
      '',
      '',
      '',
    ]);
  }
  return {
    header: [
      'Endpoint',
      'Database',
      'Requests/s',
      'Mean latency',
      'p99 latency',
      'Non-2xx',
      'Server CPU a request',
      'CPU: server',
      'load generator',
      'PostgreSQL',
      'rest',
    ],
    align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows,
  };
}

/** Each endpoint's requests/s beside `/healthz`'s, and the size of its answer. */
function baselineTable(label: (endpoint: Endpoint) => string): Table {
  const rows: string[][] = [];
  const baseSqlite = healthz === undefined ? undefined : find(healthz, 'SQLite');
  const basePostgres = healthz === undefined ? undefined : find(healthz, 'PostgreSQL');
  for (const endpoint of endpoints) {
    const sqlite = find(endpoint, 'SQLite');
    const postgres = find(endpoint, 'PostgreSQL');
    if (sqlite === undefined || postgres === undefined || baseSqlite === undefined || basePostgres === undefined) {
      continue;
    }
    rows.push([
      label(endpoint),
      `${formatCount(sqlite.answerBytes)} B`,
      formatRatio(sqlite.load.requestsPerSecond / baseSqlite.load.requestsPerSecond),
      formatRatio(postgres.load.requestsPerSecond / basePostgres.load.requestsPerSecond),
    ]);
  }
  return {
    header: ['Endpoint', 'Answer size', 'Requests/s ÷ /healthz, SQLite', 'Requests/s ÷ /healthz, PostgreSQL'],
    align: ['left', 'right', 'right', 'right'],
    rows,
  };
}

const plain = (endpoint: Endpoint): string => endpoint.label;
const code = (endpoint: Endpoint): string => `\`${endpoint.label}\``;
console.log(`\n${consoleTable(resultTable(plain))}\n\n${consoleTable(baselineTable(plain))}\n`);

if (!options['no-docs']) {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const machine = describeMachine();
  writeBenchmarkSection(
    benchName,
    [
      '## server: list endpoints on SQLite and PostgreSQL',
      '',
      `${options.quick ? '`pnpm bench server --quick`' : '`pnpm bench server`'}, run ${date}${options.quick ? ' at quick scale (a development run, not a result)' : ''}.`,
      '',
      `- Machine: ${formatMachine(machine)}. The server, the load generator and PostgreSQL share its CPUs.`,
      `- Holdfast: commit ${describeRevision()}; \`holdfast-server serve\` from \`packages/server/dist\` in its own process, default settings but \`HOLDFAST_LOG_LEVEL=warn\` (the default \`info\` writes a JSON line per request).`,
      `- Databases: SQLite (\`node:sqlite\`, WAL, one connection) in a fresh data directory; PostgreSQL ${postgresVersion} on this machine (default settings, the server's pool of 10 connections), a throwaway database, analysed after seeding (as autovacuum keeps a live one) and dropped after the run.`,
      `- Data: one account with ${formatCount(userCount)} users (one in ten with a pending invitation, the rest active; one in five an Administrator), their ${formatCount(userCount - 1)} invitation email tokens and ${formatCount(apiKeyCount)} API keys, written through the server's own migrations and Kysely schema as the API writes them (\`bench/server/data-set.ts\`). Lists are newest first (the default order); the middle cursor is the one after ${formatCount(middle)} users, reached through the API; \`q=${searchText}\` matches ${formatCount(searchMatches)} users (1%), spread evenly in creation order.`,
      `- Load: autocannon ${autocannonVersion()} in the bench's process, ${String(connections)} connections (one request in flight each), ${String(warmUpSeconds)} s warm-up then ${String(seconds)} s per endpoint, with the bearer token of an Administrator API key from \`POST /v1/oauth/token\`. autocannon records latency in whole milliseconds.`,
      `- CPU: user + system time during the measured run, from \`/proc\`: the server process's per request; and as shares of one core (the machine has ${String(machine.cpus * 100)}%), the server's, the load generator's (the bench's process), PostgreSQL's processes' and the rest of the machine's. A run in which the rest took more than a quarter of a core is measured again once the machine is quiet${retried > 0 ? ` (${String(retried)} in this run)` : ''}.`,
      '',
      markdownTable(resultTable(code)),
      '',
      'What each endpoint costs beside the baseline (`/healthz` goes through the same middleware, routing and validation, without credentials or the database):',
      '',
      markdownTable(baselineTable(code)),
    ].join('\n'),
  );
  log('results written to docs/benchmarks.md');
}

function autocannonVersion(): string {
  const manifest = createRequire(import.meta.url).resolve('autocannon/package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
