/**
 * The Stone reader and checker that validate the Dropbox mock: they read the published specs, accept
 * values shaped like the specs' own examples, and catch what a wrong mock would send (a missing required
 * field, an unknown field, a tag the union does not have, a wrong JSON kind).
 */
import { describe, expect, it } from 'vitest';
import { StoneChecker } from './stone-checker.ts';
import { dropboxSpec } from './stone-shapes.ts';
import type { StoneType } from './stone-reader.ts';

const ref = (namespace: string, name: string): StoneType => ({ kind: 'ref', namespace, name });

const file = {
  '.tag': 'file',
  name: 'Prime_Numbers.txt',
  id: 'id:a4ayc_80_OEAAAAAAAAAXw',
  path_lower: '/homework/math/prime_numbers.txt',
  path_display: '/Homework/math/Prime_Numbers.txt',
  client_modified: '2015-05-12T15:50:38Z',
  server_modified: '2015-05-12T15:50:38Z',
  rev: 'a1c10ce0dd78',
  size: 7212,
  is_downloadable: true,
  content_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

describe('the Stone reader', () => {
  it('reads the routes, structs and unions the Dropbox adapter uses', () => {
    const spec = dropboxSpec();
    for (const [namespace, name, version] of [
      ['files', 'list_folder', 1],
      ['files', 'list_folder/continue', 1],
      ['files', 'list_folder/get_latest_cursor', 1],
      ['files', 'get_metadata', 1],
      ['files', 'create_folder', 2],
      ['files', 'delete', 2],
      ['files', 'download', 1],
      ['files', 'upload', 1],
      ['files', 'upload_session/start', 1],
      ['files', 'upload_session/append', 2],
      ['files', 'upload_session/finish', 1],
      ['team', 'members/list', 2],
      ['team', 'members/list/continue', 2],
      ['users', 'get_current_account', 1],
    ] as const) {
      expect(spec.route(namespace, name, version), `${namespace}/${name}:${String(version)}`).toBeDefined();
    }
    expect(spec.route('files', 'list_folder', 1)?.error).toEqual(ref('files', 'ListFolderError'));
    const metadata = spec.definition('files', 'Metadata');
    expect(metadata?.kind === 'struct' && [...metadata.subtypes.keys()]).toEqual(['file', 'folder', 'deleted']);
    const listArg = spec.definition('files', 'ListFolderArg');
    expect(listArg?.kind === 'struct' && listArg.fields.find((f) => f.name === 'limit')?.type).toEqual({
      kind: 'nullable',
      of: { kind: 'primitive', name: 'UInt32' },
    });
    const writeError = spec.definition('files', 'WriteError');
    expect(writeError?.kind === 'union' && writeError.tags.get('conflict')).toEqual(ref('files', 'WriteConflictError'));
    expect(writeError?.kind === 'union' && writeError.tags.get('insufficient_space')).toBeUndefined();
  });
});

describe('the Stone checker', () => {
  const checker = new StoneChecker(dropboxSpec());

  it('accepts metadata shaped like the spec examples, polymorphic by .tag', () => {
    expect(checker.check(ref('files', 'Metadata'), file)).toEqual([]);
    expect(
      checker.check(ref('files', 'Metadata'), {
        '.tag': 'folder',
        name: 'math',
        id: 'id:x',
        path_lower: '/m',
        path_display: '/M',
      }),
    ).toEqual([]);
    expect(checker.check(ref('files', 'ListFolderResult'), { entries: [file], cursor: 'c', has_more: false })).toEqual(
      [],
    );
  });

  it('finds a missing required field, an unknown field, a wrong kind and an unknown subtype', () => {
    const { rev: _rev, ...withoutRev } = file;
    expect(checker.check(ref('files', 'Metadata'), withoutRev)).toEqual([
      { at: '$', problem: 'FileMetadata.rev is required' },
    ]);
    expect(checker.check(ref('files', 'Metadata'), { ...file, sha1: 'x' })).toEqual([
      { at: '$', problem: 'FileMetadata has no field sha1' },
    ]);
    expect(checker.check(ref('files', 'Metadata'), { ...file, size: '7212' })[0]?.problem).toMatch(
      /non-negative integer/,
    );
    expect(checker.check(ref('files', 'Metadata'), { ...file, '.tag': 'symlink' })[0]?.problem).toMatch(
      /not a subtype/,
    );
    expect(checker.check(ref('files', 'ListFolderResult'), { entries: [], has_more: false })).toEqual([
      { at: '$', problem: 'ListFolderResult.cursor is required' },
    ]);
  });

  it('checks unions: tags, nested unions, inlined struct values', () => {
    const route = dropboxSpec().route('files', 'upload_session/finish', 1);
    if (route === undefined) throw new Error('no route');
    const conflict = { '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'file' } } };
    expect(
      checker.checkRouteResponse(route, 409, { error_summary: 'path/conflict/file/..', error: conflict }, undefined),
    ).toEqual([]);
    const offset = { '.tag': 'lookup_failed', lookup_failed: { '.tag': 'incorrect_offset', correct_offset: 5 } };
    expect(checker.checkRouteResponse(route, 409, { error_summary: 'x', error: offset }, undefined)).toEqual([]);
    const wrong = { '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': 'symlink' } } };
    expect(checker.checkRouteResponse(route, 409, { error_summary: 'x', error: wrong }, undefined)[0]?.problem).toMatch(
      /not a tag of WriteConflictError/,
    );
    expect(
      checker.checkRouteResponse(
        route,
        401,
        { error_summary: 'x', error: { '.tag': 'expired_access_token' } },
        'auth.AuthError',
      ),
    ).toEqual([]);
    expect(
      checker.checkRouteResponse(
        route,
        429,
        { error_summary: 'x', error: { reason: { '.tag': 'too_many_requests' }, retry_after: 1 } },
        'auth.RateLimitError',
      ),
    ).toEqual([]);
  });

  it('resolves every type the specs name, but for namespaces missing from the folder', () => {
    const spec = dropboxSpec();
    const missing = new Set<string>();
    const visit = (type: StoneType | undefined): void => {
      if (type === undefined) return;
      if (type.kind === 'list' || type.kind === 'map' || type.kind === 'nullable') visit(type.of);
      else if (type.kind === 'ref' && spec.definition(type.namespace, type.name) === undefined) {
        missing.add(`${type.namespace}.${type.name}`);
      }
    };
    for (const definition of spec.definitions.values()) {
      if (definition.kind === 'alias') visit(definition.type);
      else if (definition.kind === 'struct') {
        visit(definition.parent);
        for (const field of definition.fields) visit(field.type);
        for (const subtype of definition.subtypes.values()) visit(subtype);
      } else {
        visit(definition.parent);
        for (const tag of definition.tags.values()) visit(tag);
      }
    }
    for (const route of spec.routes.values()) for (const type of [route.arg, route.result, route.error]) visit(type);
    expect(missing.size).toBeGreaterThan(0); // file_properties, secondary_emails... are not in the folder
    for (const type of missing) expect(spec.namespaces.has(type.split('.')[0] ?? ''), type).toBe(false);
  });
});
