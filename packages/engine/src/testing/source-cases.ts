/**
 * Source conformance cases. Titles and the fixture contract are in `source-suite.ts`.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { isSafeRelativePath } from '../paths/index.ts';
import type { Source, SourceItem, WalkEntry, WalkOptions } from '../ports/index.ts';
import { collect, collectBytes, expectBytes, expectCanceled, expectHoldfastError, testBytes, utf8 } from './bytes.ts';
import type { SourceContext, SourceFixtureItem, sourceTests } from './source-suite.ts';

/** One case: gets a function that builds an entity from a fixture. */
type SourceCase = (use: (fixture: readonly SourceFixtureItem[]) => Promise<SourceContext>) => Promise<void>;

const folder = (path: string): SourceFixtureItem => ({ path, type: 'folder' });
const file = (path: string, content: Uint8Array = new Uint8Array(0)): SourceFixtureItem => ({
  path,
  type: 'file',
  content,
});

/** A small tree with nested folders, an empty file, an empty folder and unicode names. */
const standardFixture: readonly SourceFixtureItem[] = [
  folder('Documents'),
  file('Documents/report.pdf', testBytes(3000, 1)),
  folder('Documents/2026'),
  file('Documents/2026/notes.txt', utf8('hello')),
  file('Documents/empty.txt'),
  folder('Empty folder'),
  folder('Photos'),
  file('Photos/a b c.jpg', testBytes(70_000, 2)),
  folder('Photos/Ünïcødé 日本 😀'),
  file('Photos/Ünïcødé 日本 😀/😀.txt', utf8('emoji')),
  file('top.txt', utf8('top level')),
];

/** The result of walking an entity to its end. */
interface Walked {
  readonly items: SourceItem[];
  readonly entries: WalkEntry[];
  readonly mode: 'full' | 'incremental';
  readonly cursor: string | undefined;
}

async function walkAll(source: Source, entityId: string, options: WalkOptions = {}): Promise<Walked> {
  const walk = await source.walk(entityId, options);
  const entries = await collect(walk.entries);
  const items = entries.flatMap((entry) => (entry.kind === 'item' ? [entry.item] : []));
  return { items, entries, mode: walk.mode, cursor: walk.cursor() };
}

function itemAt(items: readonly SourceItem[], path: string): SourceItem {
  const item = items.find((candidate) => candidate.path === path);
  if (item === undefined) expect.fail(`the walk has no item at ${JSON.stringify(path)}`);
  return item;
}

/** Asserts the walk holds exactly the fixture's paths and types, once each, and no error entries. */
function expectFixture(walked: Walked, fixture: readonly SourceFixtureItem[]): void {
  const errors = walked.entries.filter((entry) => entry.kind === 'error');
  expect(errors, 'error entries').toEqual([]);
  const actual = walked.items.map((item) => `${item.type} ${item.path}`).sort();
  expect(actual).toEqual(fixture.map((item) => `${item.type} ${item.path}`).sort());
}

/** A case that walks `fixture` and checks every file's content. */
function contentCase(fixture: readonly SourceFixtureItem[]): SourceCase {
  return async (use) => {
    const { source, entityId } = await use(fixture);
    const { items } = await walkAll(source, entityId);
    for (const expected of fixture.filter((item) => item.type === 'file')) {
      const item = itemAt(items, expected.path);
      const content = expected.content ?? new Uint8Array(0);
      expect(item.size, `size of ${expected.path}`).toBe(content.length);
      expectBytes(await collectBytes(await source.openContent(entityId, item)), content, `content of ${expected.path}`);
      const hash = item.contentHash;
      if (hash !== undefined && (hash.algorithm === 'sha1' || hash.algorithm === 'sha256')) {
        expect(hash.value, `${hash.algorithm} of ${expected.path}`).toBe(
          createHash(hash.algorithm).update(content).digest('hex'),
        );
      }
    }
  };
}

/** The mutations of a context, or a failure saying to skip the test with a reason. */
function mutationsOf(context: SourceContext): NonNullable<SourceContext['mutate']> {
  if (context.mutate === undefined) expect.fail('the context has no `mutate`: skip this test with the reason why');
  return context.mutate;
}

const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The Source cases. */
export const sourceCases = {
  async capabilities(use) {
    const { source } = await use(standardFixture);
    expect(typeof source.name).toBe('string');
    expect(source.name.length).toBeGreaterThan(0);
    expect(typeof source.capabilities.changeFeed).toBe('boolean');
    const algorithm = source.capabilities.contentHashAlgorithm;
    if (algorithm !== undefined) expect(algorithm).toMatch(/^[a-z0-9-]+$/);
  },
  async listEntities(use) {
    const { source, entityId } = await use(standardFixture);
    const entities = await collect(source.listEntities());
    const ids = entities.map((entity) => entity.id);
    expect(ids).toContain(entityId);
    expect(new Set(ids).size, 'entity ids are unique').toBe(ids.length);
    for (const entity of entities) expect(typeof entity.name).toBe('string');
  },
  async unknownEntity(use) {
    const { source } = await use(standardFixture);
    const unknown = 'holdfast-conformance-no-such-entity';
    await expectHoldfastError(source.walk(unknown), 'NOT_FOUND', 'walk of an unknown entity');
    const item: SourceItem = { id: '1', path: 'top.txt', type: 'file' };
    await expectHoldfastError(source.openContent(unknown, item), 'NOT_FOUND', 'openContent in an unknown entity');
  },
  async fullWalk(use) {
    const { source, entityId } = await use(standardFixture);
    const walked = await walkAll(source, entityId);
    expect(walked.mode).toBe('full');
    expectFixture(walked, standardFixture);
  },
  async sizes(use) {
    const { source, entityId } = await use(standardFixture);
    const { items } = await walkAll(source, entityId);
    for (const expected of standardFixture.filter((item) => item.type === 'file')) {
      expect(itemAt(items, expected.path).size, expected.path).toBe(expected.content?.length ?? 0);
    }
  },
  async depthFirst(use) {
    const { source, entityId } = await use(standardFixture);
    const { items } = await walkAll(source, entityId);
    const open: string[] = []; // The folders whose subtree the walk is in, outermost first.
    for (const item of items) {
      while (open.length > 0 && !item.path.startsWith(`${open.at(-1) ?? ''}/`)) open.pop();
      const parent = item.path.includes('/') ? item.path.slice(0, item.path.lastIndexOf('/')) : '';
      expect(parent, `${item.path} must follow its folder, inside the folder's subtree`).toBe(open.at(-1) ?? '');
      if (item.type === 'folder') open.push(item.path);
    }
  },
  async safePaths(use) {
    const { source, entityId } = await use(standardFixture);
    const { items } = await walkAll(source, entityId);
    for (const item of items) expect(isSafeRelativePath(item.path), JSON.stringify(item.path)).toBe(true);
  },
  async uniqueIds(use) {
    const { source, entityId } = await use(standardFixture);
    const { items } = await walkAll(source, entityId);
    const ids = items.map((item) => item.id);
    for (const id of ids) expect(typeof id === 'string' && id.length > 0, `id ${JSON.stringify(id)}`).toBe(true);
    expect(new Set(ids).size, 'distinct ids').toBe(ids.length);
  },
  async metadata(use) {
    const { source, entityId } = await use(standardFixture);
    const { items } = await walkAll(source, entityId);
    const algorithm = source.capabilities.contentHashAlgorithm;
    for (const item of items) {
      const at = JSON.stringify(item.path);
      for (const time of [item.modifiedAt, item.createdAt]) {
        if (time === undefined) continue;
        expect(time, `time of ${at}`).toMatch(isoUtc);
        expect(Number.isNaN(Date.parse(time)), `time of ${at}`).toBe(false);
      }
      if (item.mode !== undefined)
        expect(Number.isInteger(item.mode) && item.mode >= 0 && item.mode <= 0o7777).toBe(true);
      if (item.size !== undefined)
        expect(Number.isSafeInteger(item.size) && item.size >= 0, `size of ${at}`).toBe(true);
      if (item.version !== undefined) expect(typeof item.version).toBe('string');
      if (item.contentHash !== undefined) {
        expect(item.contentHash.value, `hash of ${at}`).toMatch(/^[0-9a-f]+$/);
        if (algorithm !== undefined) expect(item.contentHash.algorithm).toBe(algorithm);
      }
      if (item.metadata !== undefined) expect(JSON.parse(JSON.stringify(item.metadata))).toEqual(item.metadata);
      if (item.type !== 'symlink') expect(item.linkTarget, `linkTarget of ${at}`).toBeUndefined();
    }
  },
  content: contentCase(standardFixture),
  largeContent: contentCase([folder('big'), file('big/nine.bin', testBytes(9 * 1024 * 1024 + 7, 9))]),
  emptyFiles: contentCase([file('empty-1'), folder('f'), file('f/empty-2')]),
  async unicodeNames(use) {
    const fixture = [
      folder('Ünïcødé 日本 😀'),
      file('Ünïcødé 日本 😀/naïve café.txt', utf8('1')),
      file('Ünïcødé 日本 😀/emoji 😀 file.txt', utf8('2')),
      file('spaces  double  .txt', utf8('3')),
      file('ελληνικά-ключ-مفتاح.txt', utf8('4')),
    ];
    const { source, entityId } = await use(fixture);
    const walked = await walkAll(source, entityId);
    expectFixture(walked, fixture);
    await contentCase(fixture)(async () => Promise.resolve({ source, entityId }));
  },
  async largeFolder(use) {
    const names = Array.from({ length: 250 }, (_, index) => `many/file-${index.toString().padStart(3, '0')}.txt`);
    const fixture = [folder('many'), ...names.map((path) => file(path, utf8(path)))];
    const { source, entityId } = await use(fixture);
    expectFixture(await walkAll(source, entityId), fixture);
  },
  async deepNesting(use) {
    const folders = Array.from({ length: 12 }, (_, depth) =>
      Array.from({ length: depth + 1 }, (_, i) => `d${i}`).join('/'),
    );
    const fixture = [...folders.map(folder), file(`${folders.at(-1) ?? ''}/deep.txt`, utf8('deep'))];
    const { source, entityId } = await use(fixture);
    expectFixture(await walkAll(source, entityId), fixture);
  },
  async stableIds(use) {
    const { source, entityId } = await use(standardFixture);
    const first = await walkAll(source, entityId);
    const second = await walkAll(source, entityId);
    const ids = (walked: Walked): string[] => walked.items.map((item) => `${item.path} ${item.id}`).sort();
    expect(ids(second)).toEqual(ids(first));
  },
  async stableVersions(use) {
    const { source, entityId } = await use(standardFixture);
    const first = await walkAll(source, entityId);
    const second = await walkAll(source, entityId);
    const versions = (walked: Walked): string[] =>
      walked.items.map((item) => JSON.stringify([item.path, item.version, item.contentHash, item.size])).sort();
    expect(versions(second)).toEqual(versions(first));
  },
  async versionChanges(use) {
    const context = await use([folder('docs'), file('docs/doc.txt', utf8('version one'))]);
    const { source, entityId } = context;
    const before = itemAt((await walkAll(source, entityId)).items, 'docs/doc.txt');
    await mutationsOf(context).write('docs/doc.txt', utf8('version two, longer'));
    const after = itemAt((await walkAll(source, entityId)).items, 'docs/doc.txt');
    expect(after.id, 'the id of a changed file').toBe(before.id);
    const state = (item: SourceItem): string => JSON.stringify([item.version, item.contentHash]);
    expect(state(after), 'version and content hash after the change').not.toBe(state(before));
    expectBytes(await collectBytes(await source.openContent(entityId, after)), utf8('version two, longer'));
  },
  async addedItems(use) {
    const context = await use(standardFixture);
    const { source, entityId } = context;
    await walkAll(source, entityId);
    await mutationsOf(context).write('Documents/added.txt', utf8('new'));
    const walked = await walkAll(source, entityId);
    expectFixture(walked, [...standardFixture, file('Documents/added.txt')]);
    const added = itemAt(walked.items, 'Documents/added.txt');
    expectBytes(await collectBytes(await source.openContent(entityId, added)), utf8('new'));
  },
  async removedItems(use) {
    const context = await use(standardFixture);
    const { source, entityId } = context;
    const gone = itemAt((await walkAll(source, entityId)).items, 'Documents/2026/notes.txt');
    await mutationsOf(context).remove('Documents/2026/notes.txt');
    const walked = await walkAll(source, entityId);
    expectFixture(
      walked,
      standardFixture.filter((item) => item.path !== gone.path),
    );
    await expectHoldfastError(source.openContent(entityId, gone), 'NOT_FOUND', 'openContent of a removed file');
  },
  async symlinks(use) {
    const link = (path: string, linkTarget: string): SourceFixtureItem => ({ path, type: 'symlink', linkTarget });
    const fixture = [
      folder('real'),
      file('real/inside.txt', utf8('inside')),
      link('link-to-folder', 'real'),
      link('link-to-file', 'real/inside.txt'),
      link('dangling', 'does-not-exist'),
      link('escape', '../../outside'),
      link('absolute', '/etc'),
    ];
    const { source, entityId } = await use(fixture);
    const walked = await walkAll(source, entityId);
    expectFixture(walked, fixture);
    for (const expected of fixture.filter((item) => item.type === 'symlink')) {
      const item = itemAt(walked.items, expected.path);
      expect(item.linkTarget, `target of ${expected.path}`).toBe(expected.linkTarget);
      if (item.size !== undefined) expect(item.size).toBe(Buffer.byteLength(expected.linkTarget ?? ''));
    }
  },
  async cursor(use) {
    const { source, entityId } = await use(standardFixture);
    const walked = await walkAll(source, entityId);
    expect(walked.cursor === undefined || typeof walked.cursor === 'string').toBe(true);
    if (!source.capabilities.changeFeed) {
      const since = await walkAll(source, entityId, { since: 'holdfast-conformance-cursor' });
      expect(since.mode).toBe('full');
      expectFixture(since, standardFixture);
    }
  },
  async abort(use) {
    const { source, entityId } = await use(standardFixture);
    const aborted = new AbortController();
    const reason = new Error('aborted by the conformance suite');
    aborted.abort(reason);
    await expectCanceled(walkAll(source, entityId, { signal: aborted.signal }), reason, 'an aborted walk');
    const midway = new AbortController();
    const walk = await source.walk(entityId, { signal: midway.signal });
    const entries = (async () => {
      for await (const _entry of walk.entries) midway.abort(reason);
    })();
    await expectCanceled(entries, reason, 'a walk aborted after its first entry');
  },
} satisfies Record<keyof typeof sourceTests, SourceCase>;

/** The symlinks test of a service without symlinks: nothing walked claims to be one. */
export const noSymlinksCase: SourceCase = async (use) => {
  const { source, entityId } = await use(standardFixture);
  const walked = await walkAll(source, entityId);
  expectFixture(walked, standardFixture);
  for (const item of walked.items) {
    expect(item.type, `type of ${item.path}`).not.toBe('symlink');
    expect(item.linkTarget, `link target of ${item.path}`).toBeUndefined();
  }
};
