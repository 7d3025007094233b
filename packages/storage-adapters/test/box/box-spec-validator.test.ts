/**
 * The validator the Box mock runs on every answer: it accepts answers shaped as Box's published OpenAPI
 * description says, and catches the mistakes a hand-written mock makes (a wrong type, a missing required
 * field, an undocumented error code, an operation or status Box does not have).
 */
import { describe, expect, it } from 'vitest';
import { BoxSpecValidator } from './box-mock/box-spec-validator.ts';

const validator = new BoxSpecValidator();
const json = 'application/json';
const file = {
  type: 'file',
  id: '12345',
  etag: '1',
  sequence_id: '1',
  name: 'a.txt',
  sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  file_version: { type: 'file_version', id: '777', sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
  size: 0,
  modified_at: '2025-06-01T03:00:00-07:00',
  item_status: 'active',
};

describe('the Box spec validator', () => {
  it('accepts a folder listing, an event page with a 64-bit position, and documented errors', () => {
    const items = {
      entries: [file, { type: 'folder', id: '5', etag: null, sequence_id: null, name: 'x' }],
      limit: 1000,
      next_marker: null,
    };
    expect(validator.check('GET', '/folders/0/items', 200, json, JSON.stringify(items))).toEqual([]);
    const events = '{"chunk_size":0,"next_stream_position":9007199254740993123,"entries":[]}';
    expect(validator.check('GET', '/events', 200, json, events)).toEqual([]);
    const conflict = {
      type: 'error',
      status: 409,
      code: 'item_name_in_use',
      message: 'Item with the same name already exists',
    };
    expect(validator.check('POST', '/folders', 409, json, JSON.stringify(conflict))).toEqual([]);
    expect(validator.check('DELETE', '/files/1', 204, null, '')).toEqual([]);
    expect(validator.check('GET', '/files/1/content', 302, null, '')).toEqual([]);
  });

  it('catches a wrong type, a bad enum value, a bad time and an undocumented error code', () => {
    const bad = { entries: [{ ...file, size: 'zero', item_status: 'gone', modified_at: 'yesterday' }] };
    const problems = validator.check('GET', '/folders/0/items', 200, json, JSON.stringify(bad));
    expect(problems.join('\n')).toMatch(/size/);
    expect(problems.join('\n')).toMatch(/item_status|allowed values/);
    expect(problems.join('\n')).toMatch(/date-time/);
    const invented = { type: 'error', status: 409, code: 'name_clash', message: 'x' };
    expect(validator.check('POST', '/folders', 409, json, JSON.stringify(invented)).join('\n')).toMatch(/name_clash/);
  });

  it('catches answers the description does not have', () => {
    expect(validator.check('GET', '/no/such/thing', 200, json, '{}')).not.toEqual([]);
    expect(validator.check('GET', '/folders/0/items', 200, 'text/plain', 'hi')).not.toEqual([]);
    expect(validator.check('GET', '/folders/0/items', 200, json, 'not json')).not.toEqual([]);
  });

  it('checks the source of an event against File, Folder or WebLink', () => {
    const event = {
      type: 'event',
      event_id: 'e1',
      event_type: 'ITEM_UPLOAD',
      source: { ...file, size: -1.5, name: 7 },
    };
    const page = { chunk_size: 1, next_stream_position: '12', entries: [event] };
    expect(validator.check('GET', '/events', 200, json, JSON.stringify(page)).join('\n')).toMatch(/source/);
  });
});
