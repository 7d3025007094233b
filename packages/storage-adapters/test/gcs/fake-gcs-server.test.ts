/**
 * The fake's own behaviour, pinned with plain HTTP against what the JSON API documents (so that tests of
 * the adapter against it mean something): the resumable protocol (308 + Range, status queries, the
 * 256 KiB rule, cancellation with 499), ranged media (206, 416), listing pages, the error format, and
 * checksums (CRC-32C against a published check value and against the SDK's own implementation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRC32C } from '@google-cloud/storage';
import { testBytes, utf8 } from '@holdfast/engine/testing';
import { crc32cBase64, md5Base64, startFakeGcsServer, type FakeGcsServer } from './fake-gcs-server.ts';

let fake: FakeGcsServer;
beforeAll(async () => {
  fake = await startFakeGcsServer();
});
afterAll(async () => {
  await fake.close();
});

const KIB = 1024;

async function startSession(name: string, query = ''): Promise<string> {
  const response = await fetch(
    `${fake.url}/upload/storage/v1/b/fake-tests/o?uploadType=resumable&name=${encodeURIComponent(name)}${query}`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ contentType: 'application/x-test' }),
    },
  );
  expect(response.status).toBe(200);
  const location = response.headers.get('location') ?? '';
  expect(location).toMatch(/upload_id=/);
  return location;
}

async function put(uri: string, range: string, body: Uint8Array = new Uint8Array(0)): Promise<Response> {
  return fetch(uri, { method: 'PUT', headers: { 'Content-Range': range }, body, redirect: 'manual' });
}

describe('the fake GCS JSON API', () => {
  it('computes CRC-32C as GCS encodes it (check value of "123456789", and the SDK agrees)', () => {
    expect(Buffer.from(crc32cBase64(utf8('123456789')), 'base64').toString('hex')).toBe('e3069283');
    const bytes = testBytes(100_000, 3);
    const sdk = new CRC32C();
    sdk.update(Buffer.from(bytes));
    expect(crc32cBase64(bytes)).toBe(sdk.toString());
    expect(crc32cBase64(new Uint8Array(0))).toBe('AAAAAA==');
  });

  it('runs the resumable protocol: 308 with Range, status queries, the final 200 with the resource', async () => {
    const uri = await startSession('resumable/object');
    const bytes = testBytes(600 * KIB, 1);
    const first = await put(uri, `bytes 0-${256 * KIB - 1}/*`, bytes.subarray(0, 256 * KIB));
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${256 * KIB - 1}`);
    const status = await put(uri, 'bytes */*');
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBe(`bytes=0-${256 * KIB - 1}`);
    const short = await put(uri, `bytes ${256 * KIB}-${256 * KIB + 99}/*`, bytes.subarray(256 * KIB, 256 * KIB + 100));
    expect(short.status).toBe(400);
    const last = await put(uri, `bytes ${256 * KIB}-${bytes.length - 1}/${bytes.length}`, bytes.subarray(256 * KIB));
    expect(last.status).toBe(200);
    const resource = (await last.json()) as Record<string, unknown>;
    expect(resource).toMatchObject({
      kind: 'storage#object',
      name: 'resumable/object',
      bucket: 'fake-tests',
      size: String(bytes.length),
      contentType: 'application/x-test',
      md5Hash: md5Base64(bytes),
      crc32c: crc32cBase64(bytes),
    });
    expect(typeof resource['generation']).toBe('string');
    expect(Number.isNaN(Date.parse(String(resource['updated'])))).toBe(false);
  });

  it('cancels a session with 499; it then answers 404', async () => {
    const uri = await startSession('resumable/cancelled');
    expect((await fetch(uri, { method: 'DELETE' })).status).toBe(499);
    expect((await put(uri, 'bytes 0-0/1', utf8('x'))).status).toBe(404);
    expect(fake.objects('fake-tests').has('resumable/cancelled')).toBe(false);
  });

  it('refuses a final chunk whose X-Goog-Hash does not match, and checks preconditions at the end', async () => {
    const mismatched = await startSession('resumable/mismatch');
    const response = await fetch(mismatched, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes 0-2/3', 'X-Goog-Hash': `crc32c=${crc32cBase64(utf8('abd'))}` },
      body: utf8('abc'),
    });
    expect(response.status).toBe(400);
    expect(fake.objects('fake-tests').has('resumable/mismatch')).toBe(false);
    fake.insertObject('fake-tests', 'resumable/taken', utf8('first'));
    const taken = await startSession('resumable/taken', '&ifGenerationMatch=0');
    expect((await put(taken, 'bytes 0-2/3', utf8('abc'))).status).toBe(412);
  });

  it('serves ranges with 206, and 416 (GCS error format) from the end on, also for an empty object', async () => {
    fake.insertObject('fake-tests', 'media/ten', utf8('0123456789'));
    fake.insertObject('fake-tests', 'media/empty', new Uint8Array(0));
    const url = (name: string): string => `${fake.url}/storage/v1/b/fake-tests/o/${encodeURIComponent(name)}?alt=media`;
    const ranged = await fetch(url('media/ten'), { headers: { Range: 'bytes=2-100' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 2-9/10');
    expect(await ranged.text()).toBe('23456789');
    expect(ranged.headers.get('x-goog-hash')).toBe(
      `crc32c=${crc32cBase64(utf8('0123456789'))},md5=${md5Base64(utf8('0123456789'))}`,
    );
    for (const [name, range] of [
      ['media/ten', 'bytes=10-'],
      ['media/empty', 'bytes=0-'],
    ] as const) {
      const response = await fetch(url(name), { headers: { Range: range } });
      expect(response.status).toBe(416);
      expect(((await response.json()) as { error: { errors: { reason: string }[] } }).error.errors[0]?.reason).toBe(
        'requestedRangeNotSatisfiable',
      );
    }
    const whole = await fetch(url('media/empty'));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('x-goog-stored-content-encoding')).toBe('identity');
  });

  it('lists in pages (no items key when empty) and refuses what it does not implement', async () => {
    for (const name of ['list/a', 'list/b', 'list/c']) fake.insertObject('fake-tests', name, utf8(name));
    const list = async (query: string): Promise<Response> => fetch(`${fake.url}/storage/v1/b/fake-tests/o?${query}`);
    const first = (await (await list('prefix=list/&maxResults=2')).json()) as {
      items: { name: string }[];
      nextPageToken: string;
    };
    expect(first.items.map((item) => item.name)).toEqual(['list/a', 'list/b']);
    const second = (await (await list(`prefix=list/&maxResults=2&pageToken=${first.nextPageToken}`)).json()) as Record<
      string,
      unknown
    >;
    expect(second['nextPageToken']).toBeUndefined();
    expect((second['items'] as { name: string }[]).map((item) => item.name)).toEqual(['list/c']);
    expect(await (await list('prefix=none/')).json()).toEqual({ kind: 'storage#objects' });
    expect((await list('delimiter=/')).status).toBe(400);
  });

  it('answers a missing object with 404 in GCS’s error format', async () => {
    const response = await fetch(`${fake.url}/storage/v1/b/fake-tests/o/missing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        code: 404,
        message: 'No such object: fake-tests/missing',
        errors: [{ domain: 'global', reason: 'notFound', message: 'No such object: fake-tests/missing' }],
      },
    });
  });
});
