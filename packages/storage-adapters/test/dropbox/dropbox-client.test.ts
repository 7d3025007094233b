/**
 * DropboxClient against the Dropbox mock: RPC, streamed downloads, uploads, `Dropbox-API-Select-User`,
 * header-safe arguments, retries that honour `Retry-After` / `retry_after` (counted, never waited), and
 * bounded concurrency per member and per app.
 */
import { describe, expect, it } from 'vitest';
import { collectBytes, expectHoldfastError, testBytes } from '@holdfast/engine/testing';
import { DropboxClient } from '../../src/dropbox/index.ts';
import type { files } from 'dropbox';
import { newMember, teamOptions, useDropboxMock } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();

/** A fetch that counts requests in flight (until the response body is read or cancelled). */
function countingFetch(): { fetch: typeof fetch; max: () => number } {
  let inFlight = 0;
  let max = 0;
  return {
    max: () => max,
    fetch: async (input, init) => {
      inFlight += 1;
      max = Math.max(max, inFlight);
      try {
        const response = await fetch(input, init);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return response;
      } finally {
        inFlight -= 1;
      }
    },
  };
}

describe('DropboxClient', () => {
  it('calls RPC routes as a member, with Dropbox-API-Select-User', async () => {
    const member = newMember(dropbox, 'rpc');
    member.namespace.writeFile('/Docs/a.txt', new TextEncoder().encode('a'), { mode: 'add' });
    const client = new DropboxClient(teamOptions(dropbox));
    const result = await client.rpc<files.ListFolderResult>(
      'files/list_folder',
      { path: '', recursive: true },
      { member: member.teamMemberId },
    );
    expect(result.entries.map((entry) => entry.path_lower).sort()).toEqual(['/docs', '/docs/a.txt']);
    expect(dropbox.mock.count('files/list_folder', member.accountId)).toBe(1);
    // Without Select-User a team token is refused (400, plain text): a PermanentError.
    await expectHoldfastError(client.rpc('files/list_folder', { path: '' }), 'PERMANENT');
  });

  it('streams downloads in chunks and uploads bytes, with non-ASCII names in Dropbox-API-Arg', async () => {
    const member = newMember(dropbox, 'content');
    const client = new DropboxClient(teamOptions(dropbox));
    const bytes = testBytes(3 * 1024 * 1024 + 5, 3);
    const uploaded = await client.upload<files.FileMetadata>(
      'files/upload',
      { path: '/Ünïcødé 日本 😀/naïve.bin', mode: 'add', autorename: false },
      bytes,
      { member: member.teamMemberId },
    );
    expect(uploaded.name).toBe('naïve.bin');
    const download = await client.download(uploaded.id, { member: member.teamMemberId });
    expect(download.metadata.rev).toBe(uploaded.rev);
    let chunks = 0;
    const collected = await collectBytes(
      (async function* () {
        for await (const chunk of download.body) {
          chunks += 1;
          yield chunk;
        }
      })(),
    );
    expect(Buffer.compare(collected, bytes)).toBe(0);
    expect(chunks).toBeGreaterThan(10);
    expect(dropbox.mock.bytesDownloaded).toBeGreaterThanOrEqual(bytes.length);
  });

  it('maps a missing path to NotFoundError and a taken one to ConflictError', async () => {
    const member = newMember(dropbox, 'errors');
    const client = new DropboxClient(teamOptions(dropbox));
    const as = { member: member.teamMemberId };
    await expectHoldfastError(client.download('/missing.txt', as), 'NOT_FOUND');
    await client.rpc('files/create_folder_v2', { path: '/Taken' }, as);
    await expectHoldfastError(client.rpc('files/create_folder_v2', { path: '/taken' }, as), 'CONFLICT');
  });

  it('retries 429 after retry_after (body or header, the larger) and 503 after Retry-After', async () => {
    const member = newMember(dropbox, 'throttled');
    const client = new DropboxClient(teamOptions(dropbox));
    const as = { member: member.teamMemberId };
    for (const [via, status] of [
      ['body', 429],
      ['header', 429],
      ['header', 503],
    ] as const) {
      dropbox.waits.length = 0;
      // The first two calls are throttled, then the rule is spent.
      dropbox.mock.throttle({ allow: 0, refuse: 1, limit: 2, retryAfter: 1, via, status, account: member.accountId });
      await client.rpc('files/list_folder', { path: '' }, as);
      expect(dropbox.waits, `${via} ${String(status)}`).toHaveLength(2);
      expect(
        dropbox.waits.every((ms) => ms === 1000),
        `waits ${dropbox.waits.join(',')}`,
      ).toBe(true);
    }
    expect(client.stats.throttled).toBeGreaterThan(2);
  });

  it('backs off with jitter when Dropbox names no delay, and gives up after maxAttempts with ThrottledError', async () => {
    const member = newMember(dropbox, 'storm');
    const options = teamOptions(dropbox);
    const client = new DropboxClient({ ...options, retry: { ...options.retry, maxAttempts: 4, minDelayMs: 100 } });
    dropbox.waits.length = 0;
    dropbox.mock.throttle({
      allow: 0,
      refuse: 1,
      via: 'none',
      reason: 'too_many_write_operations',
      account: member.accountId,
    });
    try {
      const error = await expectHoldfastError(
        client.rpc('files/list_folder', { path: '' }, { member: member.teamMemberId }),
        'THROTTLED',
      );
      expect(error.message).toMatch(/too_many_write_operations/);
    } finally {
      dropbox.mock.throttle(undefined);
    }
    expect(dropbox.waits).toHaveLength(3);
    dropbox.waits.forEach((ms, index) => {
      const ceiling = 100 * 2 ** index;
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    });
  });

  it('bounds requests in flight per member and per app', async () => {
    const one = newMember(dropbox, 'busy-1');
    const two = newMember(dropbox, 'busy-2');
    const counting = countingFetch();
    const client = new DropboxClient(
      teamOptions(dropbox, { fetch: counting.fetch, concurrency: { perMember: 2, perApp: 3 } }),
    );
    const calls = [one, two].flatMap((member) =>
      Array.from({ length: 10 }, () => client.rpc('files/list_folder', { path: '' }, { member: member.teamMemberId })),
    );
    await Promise.all(calls);
    expect(counting.max()).toBe(3);

    const single = countingFetch();
    const perMember = new DropboxClient(
      teamOptions(dropbox, { fetch: single.fetch, concurrency: { perMember: 2, perApp: 10 } }),
    );
    await Promise.all(
      Array.from({ length: 10 }, () => perMember.rpc('files/list_folder', { path: '' }, { member: one.teamMemberId })),
    );
    expect(single.max()).toBe(2);
  });
});
