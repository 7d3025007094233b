/**
 * SaaS locations given as URLs: `box://<user>[/<folder path>]` and `dropbox://<member>[/<folder path>]`,
 * as a backup source (`holdfast backup box://ana@example.com`, or `box://` for every user), a restore
 * target and an export destination. `<user>` is the service's id or the user's email address.
 *
 * The connector is imported from `@holdfast/storage-adapters` only when such a URL is used. Credentials
 * come from documented environment variables, or a JSON file of connection options named by
 * `HOLDFAST_BOX_CONFIG` / `HOLDFAST_DROPBOX_CONFIG` (`docs/connectors/`), never from the URL. A Box
 * OAuth connection keeps its single-use refresh token in a token file, rewritten on every renewal.
 *
 * The engine does not depend on the adapters' types: each class is typed here by the part the CLI uses.
 */
import { readFile } from 'node:fs/promises';
import type { ExportDestination, RestoreTarget, Source, SourceEntity } from '../ports/index.ts';
import { CliError } from './cli-error.ts';
import { FileTokenStore } from './file-token-store.ts';
import { exitCodes } from './exit-codes.ts';

export type ConnectorScheme = 'box' | 'dropbox';

export interface ConnectorLocation {
  readonly scheme: ConnectorScheme;
  /** A user's or member's id or email; `''` for every entity (backups only). */
  readonly entity: string;
  /** A folder path inside the entity's files, without leading or trailing `/`; `''` for the root. */
  readonly path: string;
}

type Env = Readonly<Record<string, string | undefined>>;
type Options = Record<string, unknown>;
type Constructor<T> = new (options: Options) => T;

/** Parses `box://…` or `dropbox://…`; undefined for anything else. Percent-escapes are decoded. */
export function parseConnectorLocation(location: string): ConnectorLocation | undefined {
  const match = /^(box|dropbox):\/\/([^/]*)(?:\/(.*))?$/i.exec(location);
  if (match === null) return undefined;
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new CliError(exitCodes.usage, 'USAGE', `${location}: malformed percent-escape`);
    }
  };
  const path = decode(match[3] ?? '').replace(/^\/+|\/+$/g, '');
  if (path.split('/').some((name) => name === '.' || name === '..')) {
    throw new CliError(exitCodes.usage, 'USAGE', `${location}: the path may not contain . or ..`);
  }
  return { scheme: (match[1] ?? '').toLowerCase() as ConnectorScheme, entity: decode(match[2] ?? ''), path };
}

/** An open connection: a source of the service and the entities a location names. */
export interface Connector {
  readonly source: Source;
  /** The entities `location.entity` names: all of them for `''`; exit 1 when none matches. */
  entities(location: ConnectorLocation, signal?: AbortSignal): Promise<SourceEntity[]>;
  /** A restore target in one entity, under `location.path`. */
  target(location: ConnectorLocation, signal?: AbortSignal): Promise<RestoreTarget>;
  /** An export destination: the folder `location.path` of one entity. */
  destination(location: ConnectorLocation, signal?: AbortSignal): Promise<ExportDestination>;
}

/** Opens the connector of `scheme` with credentials from the environment. */
export async function openConnector(scheme: ConnectorScheme, env: Env): Promise<Connector> {
  return scheme === 'box' ? openBox(env) : openDropbox(env);
}

async function openBox(env: Env): Promise<Connector> {
  const module = await load('@holdfast/storage-adapters/box', 'box://', 'box-node-sdk');
  const connection = new (exported<object>(module, 'BoxConnection', 'box'))(await boxConnectionOptions(env));
  const source = new (exported<Source>(module, 'BoxSource', 'box'))({ connection });
  const entities = entityResolver(source, 'box');
  return {
    source,
    entities,
    target: async (location, signal) => {
      const [entity] = await single(entities, location, signal);
      return new (exported<RestoreTarget>(module, 'BoxRestoreTarget', 'box'))({
        connection,
        userId: entity.id,
        ...(location.path === '' ? {} : { rootPath: location.path }),
      });
    },
    destination: async (location, signal) => {
      const [entity] = await single(entities, location, signal);
      return new (exported<ExportDestination>(module, 'BoxExportDestination', 'box'))({
        connection,
        userId: entity.id,
        ...(location.path === '' ? {} : { folderPath: location.path }),
      });
    },
  };
}

async function openDropbox(env: Env): Promise<Connector> {
  const module = await load('@holdfast/storage-adapters/dropbox', 'dropbox://', 'dropbox');
  const { mode: given, ...options } = await dropboxConnectionOptions(env);
  const client = new (exported<object>(module, 'DropboxClient', 'dropbox'))(options);
  const mode = given === 'user' ? 'user' : 'team';
  const source = new (exported<Source>(module, 'DropboxSource', 'dropbox'))({ client, mode });
  const entities = entityResolver(source, 'dropbox');
  const member = async (location: ConnectorLocation, signal?: AbortSignal): Promise<Options> => {
    if (mode === 'user') return {};
    const [entity] = await single(entities, location, signal);
    return { member: entity.id };
  };
  return {
    source,
    entities,
    target: async (location, signal) =>
      new (exported<RestoreTarget>(module, 'DropboxRestoreTarget', 'dropbox'))({
        client,
        ...(await member(location, signal)),
        ...(location.path === '' ? {} : { root: `/${location.path}` }),
      }),
    destination: async (location, signal) =>
      new (exported<ExportDestination>(module, 'DropboxExportDestination', 'dropbox'))({
        client,
        ...(await member(location, signal)),
        ...(location.path === '' ? {} : { folder: `/${location.path}` }),
      }),
  };
}

/** Connection options of Box: the config file, or the first credential form the environment gives. */
export async function boxConnectionOptions(env: Env): Promise<Options> {
  const baseUrls = defined({
    baseUrl: env['HOLDFAST_BOX_API_URL'],
    uploadUrl: env['HOLDFAST_BOX_UPLOAD_URL'],
    oauth2Url: env['HOLDFAST_BOX_OAUTH_URL'],
  });
  const withUrls = (options: Options): Options =>
    Object.keys(baseUrls).length === 0 ? options : { baseUrls, ...options };
  const file = env['HOLDFAST_BOX_CONFIG'];
  if (file !== undefined && file !== '') return withUrls(await jsonFile(file, 'HOLDFAST_BOX_CONFIG'));
  const clientId = env['BOX_CLIENT_ID'];
  const clientSecret = env['BOX_CLIENT_SECRET'];
  const jwtConfig = env['BOX_JWT_CONFIG_FILE'];
  if (jwtConfig !== undefined && jwtConfig !== '') {
    return withUrls({ auth: { type: 'jwt', configFile: jwtConfig, ...defined({ userId: env['BOX_USER_ID'] }) } });
  }
  if (
    present(clientId) &&
    present(clientSecret) &&
    (present(env['BOX_ENTERPRISE_ID']) || present(env['BOX_USER_ID']))
  ) {
    return withUrls({
      auth: {
        type: 'client-credentials',
        clientId,
        clientSecret,
        ...defined({ enterpriseId: env['BOX_ENTERPRISE_ID'], userId: env['BOX_USER_ID'] }),
      },
    });
  }
  if (present(clientId) && present(clientSecret)) {
    const path = env['HOLDFAST_BOX_TOKEN_FILE'];
    if (path === undefined || path === '') {
      throw usage(
        'a Box OAuth connection keeps its refresh token in a file: set HOLDFAST_BOX_TOKEN_FILE ' +
          '(seed it with BOX_REFRESH_TOKEN the first time; see docs/connectors/box.md)',
      );
    }
    const tokenStore = new FileTokenStore(path, defined({ refreshToken: env['BOX_REFRESH_TOKEN'] }));
    return withUrls({ auth: { type: 'oauth', clientId, clientSecret, tokenStore } });
  }
  const accessToken = env['BOX_ACCESS_TOKEN'];
  if (present(accessToken)) return withUrls({ auth: { type: 'access-token', accessToken } });
  throw usage(
    'box:// locations need credentials: set BOX_CLIENT_ID, BOX_CLIENT_SECRET and BOX_ENTERPRISE_ID ' +
      '(Client Credentials Grant), or BOX_JWT_CONFIG_FILE, or BOX_CLIENT_ID, BOX_CLIENT_SECRET and ' +
      'HOLDFAST_BOX_TOKEN_FILE (OAuth 2), or BOX_ACCESS_TOKEN, or HOLDFAST_BOX_CONFIG (see docs/connectors/box.md)',
  );
}

/** Client options of Dropbox (plus `mode`): the config file, or the environment. */
export async function dropboxConnectionOptions(env: Env): Promise<Options> {
  const baseUrls = defined({
    api: env['HOLDFAST_DROPBOX_API_URL'],
    content: env['HOLDFAST_DROPBOX_CONTENT_URL'],
  });
  const mode = env['HOLDFAST_DROPBOX_MODE'] ?? 'team';
  if (mode !== 'team' && mode !== 'user') throw usage(`HOLDFAST_DROPBOX_MODE must be team or user, got ${mode}`);
  const extra: Options = { mode, ...(Object.keys(baseUrls).length === 0 ? {} : { baseUrls }) };
  const file = env['HOLDFAST_DROPBOX_CONFIG'];
  if (file !== undefined && file !== '') return { ...extra, ...(await jsonFile(file, 'HOLDFAST_DROPBOX_CONFIG')) };
  const credentials = defined({
    appKey: env['DROPBOX_APP_KEY'],
    appSecret: env['DROPBOX_APP_SECRET'],
    refreshToken: env['DROPBOX_REFRESH_TOKEN'],
    accessToken: env['DROPBOX_ACCESS_TOKEN'],
  });
  if (credentials['refreshToken'] === undefined && credentials['accessToken'] === undefined) {
    throw usage(
      'dropbox:// locations need credentials: set DROPBOX_APP_KEY, DROPBOX_APP_SECRET and DROPBOX_REFRESH_TOKEN ' +
        '(or DROPBOX_ACCESS_TOKEN), or HOLDFAST_DROPBOX_CONFIG (see docs/connectors/dropbox.md)',
    );
  }
  return { ...extra, credentials };
}

/** Finds entities by id or email (case-insensitive), or all of them for `''`. */
function entityResolver(
  source: Source,
  scheme: ConnectorScheme,
): (location: ConnectorLocation, signal?: AbortSignal) => Promise<SourceEntity[]> {
  return async (location, signal) => {
    const wanted = location.entity.toLowerCase();
    const all: SourceEntity[] = [];
    for await (const entity of source.listEntities({ signal })) all.push(entity);
    // `me` names the one user of a single-user connection (a Box OAuth or Dropbox user connection).
    const found =
      wanted === '' || (wanted === 'me' && all.length === 1)
        ? all
        : all.filter((entity) => entity.id.toLowerCase() === wanted || entity.email?.toLowerCase() === wanted);
    if (found.length === 0) {
      throw new CliError(
        exitCodes.failed,
        'NOT_FOUND',
        wanted === ''
          ? `${scheme}: the connection sees no users`
          : `${scheme}: no user with the id or email ${JSON.stringify(location.entity)}`,
      );
    }
    return found;
  };
}

async function single(
  entities: Connector['entities'],
  location: ConnectorLocation,
  signal: AbortSignal | undefined,
): Promise<[SourceEntity]> {
  if (location.entity === '') {
    throw usage(
      `${location.scheme}:// restore targets and export destinations name one user: ${location.scheme}://<user>/<folder>`,
    );
  }
  const [first] = await entities(location, signal);
  if (first === undefined) throw usage(`${location.scheme}: no such user`);
  return [first];
}

async function load(path: string, scheme: string, sdk: string): Promise<Record<string, unknown>> {
  try {
    return (await import(path)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(
      exitCodes.usage,
      'USAGE',
      `${scheme} locations need @holdfast/storage-adapters and ${sdk}: install them next to holdfast ` +
        `(npm install @holdfast/storage-adapters ${sdk}) (${(error as Error).message})`,
      { cause: error },
    );
  }
}

function exported<T>(module: Record<string, unknown>, name: string, scheme: string): Constructor<T> {
  const value = module[name];
  if (typeof value !== 'function') throw usage(`@holdfast/storage-adapters/${scheme} has no ${name}: update it`);
  return value as Constructor<T>;
}

async function jsonFile(path: string, variable: string): Promise<Options> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw usage(`${variable}: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Options;
  } catch (error) {
    throw usage(`${variable}: ${path} is not a JSON object of connection options (${(error as Error).message})`);
  }
}

function defined(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

function usage(message: string): CliError {
  return new CliError(exitCodes.usage, 'USAGE', message);
}
