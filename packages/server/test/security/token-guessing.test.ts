/**
 * Secret guessing at the token endpoint, on both databases: 20 wrong secrets for one API key lock the key
 * (its right secret too) for a minute, answered as `429` problem+json as the contract says; a key id
 * nobody has goes through the same answers. Wrong secrets of an existing key and the lockout are audited
 * in the key's account, as the key.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.ts';
import { describeOnBothDatabases } from '../support/databases.ts';
import { basicAuth } from '../support/seed.ts';
import {
  comparable,
  startSecurityServer,
  strictSecurity,
  type Answer,
  type SecurityHarness,
} from './security-harness.ts';

const minute = 60_000;

describeOnBothDatabases(
  'token endpoint secret guessing',
  (target) => {
    let h: SecurityHarness;
    beforeAll(async () => {
      h = await startSecurityServer(target().config);
    });
    afterAll(async () => {
      await h.close();
    });

    const token = (clientId: string, secret: string, from: string): Promise<Answer> =>
      h.request('POST', '/v1/oauth/token', {
        from,
        form: { grant_type: 'client_credentials' },
        headers: { authorization: basicAuth(clientId, secret) },
      });

    it('locks a key after 20 wrong secrets; the right secret waits a minute', async () => {
      const key = await h.seedKey();
      for (let i = 0; i < 20; i++) {
        const answer = await token(key.id, `hfs_wrong${i}`, '203.0.113.70');
        expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      }
      const locked = await token(key.id, key.secret, '198.51.100.71');
      expect(locked).toMatchObject({ status: 429, body: { code: 'THROTTLED', status: 429 } });
      expect(locked.headers.get('content-type')).toBe('application/problem+json');
      expect(locked.headers.get('retry-after')).toBe('60');
      h.advance(minute);
      const issued = await token(key.id, key.secret, '198.51.100.71');
      expect(issued.status, issued.text).toBe(200);

      const entries = await h.audit(key.accountId);
      expect(entries.map((entry) => `${entry.activity} ${entry.status}`).sort()).toEqual([
        ...Array<string>(20).fill('api_key_authentication_failed failed'),
        'lockout succeeded',
      ]);
      for (const entry of entries) {
        expect(entry).toMatchObject({ actor_kind: 'api_key', actor_id: key.id, actor_name: key.name });
        expect(entry.source_ip).toBe('203.0.113.70');
      }
      const failed = entries.find((entry) => entry.status === 'failed');
      expect(failed?.description).toBe(`Wrong client secret for the API key ${key.name}.`);
      const lockout = entries.find((entry) => entry.activity === 'lockout');
      expect(JSON.parse(lockout?.details ?? '')).toEqual({
        key: 'apiKey',
        lockedUntil: '2026-12-01T09:01:00Z',
        failures: 20,
        lockoutInRow: 1,
        operationId: 'issueToken',
      });
      expect(JSON.stringify(entries)).not.toContain('hfs_wrong');
    });

    it('answers a key id nobody has exactly like an existing key, through the lockout', async () => {
      const key = await h.seedKey();
      const unknownId = newId('key', h.now.getTime());
      const run = async (clientId: string, from: string) => {
        const answers: Answer[] = [];
        for (let i = 0; i < 20; i++) answers.push(await token(clientId, `hfs_guess${i}`, from));
        answers.push(await token(clientId, key.secret, from));
        return answers.map(comparable);
      };
      const known = await run(key.id, '203.0.113.72');
      const unknown = await run(unknownId, '203.0.113.73');
      expect(known.at(-1)).toMatchObject({ status: 429 });
      expect(unknown).toEqual(known);
      h.advance(minute);
    });

    it('counts refused refresh grants on the key and the address too', async () => {
      const key = await h.seedKey();
      for (let i = 0; i < 20; i++) {
        const answer = await h.request('POST', '/v1/oauth/token', {
          from: '203.0.113.74',
          form: { grant_type: 'refresh_token', client_id: key.id, refresh_token: `hfrt_guess${i}` },
        });
        expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      }
      expect((await token(key.id, key.secret, '198.51.100.75')).status).toBe(429);
      expect((await h.audit(key.accountId)).map((entry) => entry.activity)).toEqual(['lockout']);
      h.advance(minute);
    });
  },
  strictSecurity,
);
