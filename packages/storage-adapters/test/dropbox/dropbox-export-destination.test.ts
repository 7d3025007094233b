/**
 * DropboxExportDestination through the engine's ExportDestination conformance suite against the Dropbox
 * mock (with the default sizes, and with every export through an upload session in 4 MiB parts), then
 * what is special to Dropbox: the `dropbox://` location, and a name taken while the export was uploading.
 */
import { describe, expect, it } from 'vitest';
import {
  chunkedStream,
  describeExportDestination,
  expectHoldfastError,
  testBytes,
  utf8,
} from '@holdfast/engine/testing';
import { DropboxExportDestination } from '../../src/dropbox/index.ts';
import type { MockAccount } from './dropbox-mock/index.ts';
import { newMember, teamOptions, useDropboxMock } from './dropbox-test-support.ts';

const dropbox = useDropboxMock();
const MIB = 1024 * 1024;

/** Reads an export back from its `dropbox://<member>/<path>` location, from the mock. */
function reader(member: MockAccount): (location: string) => Promise<Uint8Array> {
  return async (location) => {
    const prefix = `dropbox://${member.teamMemberId ?? ''}`;
    if (!location.startsWith(prefix)) throw new Error(`unexpected location ${location}`);
    const item = member.namespace.resolve(location.slice(prefix.length));
    if (item?.kind !== 'file') throw new Error(`no export at ${location}`);
    return Promise.resolve(item.content);
  };
}

describeExportDestination({
  name: 'DropboxExportDestination, a member folder',
  create: async () => {
    const member = newMember(dropbox, 'export');
    const destination = new DropboxExportDestination({
      ...teamOptions(dropbox),
      member: member.teamMemberId,
      folder: '/Holdfast exports',
    });
    return { destination, read: reader(member) };
  },
});

describeExportDestination({
  name: 'DropboxExportDestination, every export through a session of 4 MiB parts',
  create: async () => {
    const member = newMember(dropbox, 'export-session');
    const destination = new DropboxExportDestination({
      ...teamOptions(dropbox),
      member: member.teamMemberId,
      uploadThreshold: 0,
      partSize: 4 * MIB,
    });
    return { destination, read: reader(member) };
  },
});

describe('DropboxExportDestination', () => {
  it('reports a dropbox:// location without secrets, and streams large exports in parts', async () => {
    const member = newMember(dropbox, 'location');
    const options = teamOptions(dropbox);
    const destination = new DropboxExportDestination({
      ...options,
      member: member.teamMemberId,
      folder: 'Exports/2026',
    });
    dropbox.mock.resetCounters();
    const bytes = testBytes(17 * MIB, 5);
    const result = await destination.write('ana.zip', chunkedStream(bytes), { contentType: 'application/zip' });
    expect(result).toEqual({
      location: `dropbox://${member.teamMemberId ?? ''}/Exports/2026/ana.zip`,
      size: bytes.length,
    });
    expect(dropbox.mock.count('files/upload_session/append_v2')).toBe(1);
    expect(destination.name).toBe(`dropbox:${member.teamMemberId ?? ''}:/Exports/2026`);
    for (const secret of [
      options.credentials.refreshToken,
      options.credentials.accessToken,
      dropbox.mock.app.appSecret,
    ]) {
      expect(`${result.location} ${destination.name}`).not.toContain(secret);
    }
  });

  it('refuses a name taken while the export was uploading, and keeps what took it', async () => {
    const member = newMember(dropbox, 'race');
    const destination = new DropboxExportDestination({
      ...teamOptions(dropbox),
      member: member.teamMemberId,
      partSize: 4 * MIB,
      uploadThreshold: 0,
    });
    async function* racing(): AsyncGenerator<Uint8Array> {
      yield testBytes(5 * MIB, 1);
      member.namespace.writeFile('/race.zip', utf8('the other export'), { mode: 'add' });
      yield testBytes(1000, 2);
    }
    await expectHoldfastError(destination.write('race.zip', racing()), 'CONFLICT');
    expect(Buffer.from(await reader(member)(`dropbox://${member.teamMemberId ?? ''}/race.zip`)).toString()).toBe(
      'the other export',
    );
  });
});
