/**
 * The built `holdfast` CLI with `box://` and `dropbox://` sources, restore targets and export
 * destinations, run as a child process against the Box and Dropbox mocks (msw handlers served over real
 * HTTP: the mocks are shaped from Box's OpenAPI description and Dropbox's Stone specs, and every response
 * they send is checked against them). Credentials come from the documented environment variables.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BoxMock, MOCK_API, MOCK_DOWNLOAD, MOCK_UPLOAD } from './box/box-mock/box-mock.ts';
import type { MockUser } from './box/box-mock/box-mock-store.ts';
import { plainTree, richUser } from './box/box-engine-support.ts';
import { writeFile } from './box/box-test-support.ts';
import { DropboxMock, type MockAccount } from './dropbox/dropbox-mock/index.ts';
import { mockTree, seed } from './dropbox/dropbox-engine-support.ts';
import { ShapeWatch } from './dropbox/stone/stone-shapes.ts';
import { startMswHttpServer, type MswHttpServer } from './support/msw-http-server.ts';

const cli = join(dirname(createRequire(import.meta.url).resolve('@holdfast/engine/package.json')), 'dist', 'cli.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function holdfast(args: readonly string[], env: Record<string, string | undefined>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env['PATH'], HOLDFAST_TEST_CHEAP_KDF: '1', ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      },
    );
  });
}

let work: string;
let server: MswHttpServer;
let mock: DropboxMock;
let shapes: ShapeWatch;
let ana: MockAccount;
let ben: MockAccount;
let env: Record<string, string>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'holdfast-connectors-cli-'));
  server = await startMswHttpServer();
  mock = new DropboxMock({ apiUrl: `${server.url}/api`, contentUrl: `${server.url}/content` });
  server.use(mock.handlers());
  shapes = new ShapeWatch(mock);
  ana = mock.addMember({ email: 'ana@example.com', givenName: 'Ana', surname: 'Lima' });
  ben = mock.addMember({ email: 'ben@example.com', givenName: 'Ben', surname: 'Okafor' });
  seed(ana);
  const { refreshToken } = mock.issueTokens();
  env = {
    HOLDFAST_REPOSITORY: join(work, 'repo'),
    HOLDFAST_PASSWORD: 'correct horse battery staple',
    DROPBOX_APP_KEY: mock.app.appKey,
    DROPBOX_APP_SECRET: mock.app.appSecret,
    DROPBOX_REFRESH_TOKEN: refreshToken,
    HOLDFAST_DROPBOX_API_URL: `${server.url}/api`,
    HOLDFAST_DROPBOX_CONTENT_URL: `${server.url}/content`,
  };
  expect(await holdfast(['init'], env)).toMatchObject({ code: 0 });
}, 60_000);
afterEach(() => {
  expect(shapes.take(), 'mock responses that do not match the Dropbox Stone specs').toEqual([]);
});
afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

describe('holdfast with dropbox:// locations', () => {
  it('backs up a member by email, then only what changed', async () => {
    const first = await holdfast(['backup', '--source', 'dropbox://ana@example.com', '--json'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [result] = (JSON.parse(first.stdout) as { results: { snapshot: { stats: { walk: string } } }[] }).results;
    expect(result?.snapshot.stats.walk).toBe('full');

    ana.namespace.writeFile('/Docs/notes.txt', new TextEncoder().encode('notes, edited'), { mode: 'overwrite' });
    mock.resetCounters();
    const second = await holdfast(['backup', '--source', 'dropbox://ana@example.com', '--json'], env);
    expect(second.code).toBe(0);
    const [next] = (
      JSON.parse(second.stdout) as { results: { snapshot: { stats: { walk: string; changedFiles: number } } }[] }
    ).results;
    expect(next?.snapshot.stats).toMatchObject({ walk: 'incremental', changedFiles: 1 });
    expect(mock.count('files/download', ana.accountId)).toBe(1);
  }, 60_000);

  it('restores into another member and exports a zip to a member folder', async () => {
    const restored = await holdfast(['restore', 'latest', '--target', 'dropbox://ben@example.com/Restored'], env);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const anas = mockTree(ana);
    const bens = mockTree(ben, '/Restored');
    expect(bens).toEqual(anas);

    const exported = await holdfast(
      ['export', 'latest', '--to', 'dropbox://ben@example.com/Exports', '--name', 'ana.zip', '--json'],
      env,
    );
    expect(exported.code).toBe(0);
    expect((JSON.parse(exported.stdout) as { files: number }).files).toBe(
      Object.keys(anas).filter((p) => !p.endsWith('/')).length,
    );
    expect(Object.keys(mockTree(ben, '/Exports'))).toEqual(['ana.zip']);
  }, 60_000);

  it('backs up every member with dropbox:// alone', async () => {
    const run = await holdfast(['backup', '--source', 'dropbox://'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ana@example.com');
    expect(run.stdout).toContain('ben@example.com');
    expect(run.stdout).toContain('2 users: 2 backed up');
  }, 60_000);

  it('says which user is unknown, and which variables to set without credentials', async () => {
    const unknown = await holdfast(['backup', '--source', 'dropbox://nobody@example.com'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user with the id or email "nobody@example.com"');

    const bare = await holdfast(['backup', '--source', 'dropbox://ana@example.com'], {
      HOLDFAST_REPOSITORY: env['HOLDFAST_REPOSITORY'],
      HOLDFAST_PASSWORD: env['HOLDFAST_PASSWORD'],
    });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('DROPBOX_REFRESH_TOKEN');

    const wrong = await holdfast(['backup', '--source', 'ftp://ana'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--source takes box://<user> or dropbox://<member>');

    const noUser = await holdfast(['restore', 'latest', '--target', 'dropbox://'], env);
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toContain('name one user');
  }, 60_000);
});

describe('holdfast with box:// locations', () => {
  let boxServer: MswHttpServer;
  let box: BoxMock;
  let cam: MockUser;
  let dee: MockUser;
  let boxEnv: Record<string, string>;
  const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

  beforeAll(async () => {
    box = new BoxMock();
    boxServer = await startMswHttpServer(box.handlers(), {
      '/box-api': MOCK_API,
      '/box-upload': MOCK_UPLOAD,
      '/box-dl': MOCK_DOWNLOAD,
    });
    cam = richUser(box, 'Cam Ortiz');
    dee = box.addUser('Dee Park');
    boxEnv = {
      HOLDFAST_REPOSITORY: join(work, 'box-repo'),
      HOLDFAST_PASSWORD: 'correct horse battery staple',
      BOX_CLIENT_ID: box.auth.app.clientId,
      BOX_CLIENT_SECRET: box.auth.app.clientSecret,
      BOX_ENTERPRISE_ID: box.store.enterpriseId,
      HOLDFAST_BOX_API_URL: `${boxServer.url}/box-api`,
      HOLDFAST_BOX_UPLOAD_URL: `${boxServer.url}/box-upload`,
    };
    expect(await holdfast(['init'], boxEnv)).toMatchObject({ code: 0 });
  }, 60_000);
  afterEach(() => {
    expect(box.violations.splice(0), "answers of the mock that Box's OpenAPI description does not allow").toEqual([]);
  });
  afterAll(async () => boxServer.close());

  it('backs up a user by email (Client Credentials Grant), then only what changed', async () => {
    const first = await holdfast(['backup', '--source', `box://${cam.login}`, '--json'], boxEnv);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [result] = (JSON.parse(first.stdout) as { results: { snapshot: { stats: { walk: string } } }[] }).results;
    expect(result?.snapshot.stats.walk).toBe('full');

    writeFile(box, cam, 'top.txt', utf8('top level, edited'));
    box.resetCounters();
    const second = await holdfast(['backup', '--source', `box://${cam.id}`, '--json'], boxEnv);
    expect(second.code).toBe(0);
    const [next] = (
      JSON.parse(second.stdout) as { results: { snapshot: { stats: { walk: string; changedFiles: number } } }[] }
    ).results;
    expect(next?.snapshot.stats).toMatchObject({ walk: 'incremental', changedFiles: 1 });
  }, 60_000);

  it('restores into another user and exports a zip into a folder of that user', async () => {
    const restored = await holdfast(['restore', 'latest', '--target', `box://${dee.login}/Restored`], boxEnv);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    // Box cannot create a web link from a snapshot: the restore says so and names it.
    expect(restored.stdout).toContain('1 item not restored');
    expect(restored.stdout).toContain('Documents/Intranet (other)');
    const source = Object.fromEntries(
      Object.entries(plainTree(box, cam)).filter(([path]) => !path.includes('Intranet')),
    );
    expect(plainTree(box, dee, 'Restored')).toEqual(source);

    const exported = await holdfast(
      ['export', 'latest', '--to', `box://${dee.login}/Exports`, '--name', 'cam.zip', '--json'],
      boxEnv,
    );
    expect(exported.code).toBe(0);
    expect(Object.keys(plainTree(box, dee, 'Exports'))).toEqual(['cam.zip']);
  }, 60_000);

  it('names the variables to set when no credentials are given', async () => {
    const bare = await holdfast(['backup', '--source', 'box://'], {
      HOLDFAST_REPOSITORY: boxEnv['HOLDFAST_REPOSITORY'],
      HOLDFAST_PASSWORD: boxEnv['HOLDFAST_PASSWORD'],
    });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('BOX_CLIENT_ID');
    expect(bare.stderr).toContain('BOX_JWT_CONFIG_FILE');
  }, 60_000);
});
