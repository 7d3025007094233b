/**
 * What is special about BoxExportDestination beyond the conformance suite, against the MOCK Box: a zip of
 * unknown size over 50 MB (Box's advice, the default threshold) goes through a chunked upload session
 * from the spool; a taken name fails before the stream is read; a name taken meanwhile is a conflict that
 * leaves the other file alone; the folder is made when missing; and the options are checked.
 */
import { describe, expect, it } from 'vitest';
import { chunkedStream, expectHoldfastError, testBytes, utf8 } from '@holdfast/engine/testing';
import { BoxExportDestination } from '../../src/box/index.ts';
import { keyOf } from './box-mock/box-mock-store.ts';
import { fileAtLocation, itemAt, mockConnection, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);

describe('BoxExportDestination', () => {
  it('uploads a zip over 50 MB of unknown size through a chunked session, into a folder it makes', async () => {
    const user = mock.addUser('Exporter');
    const destination = new BoxExportDestination({ connection, userId: user.id, folderPath: 'Holdfast/Exports' });
    const bytes = testBytes(52_000_000, 7);
    mock.resetCounters();
    const result = await destination.write('ana.zip', chunkedStream(bytes), { contentType: 'application/zip' });
    expect(result.size).toBe(bytes.length);
    expect(result.location).toBe(`box://file/${itemAt(mock, user, 'Holdfast/Exports/ana.zip').id}`);
    expect(Buffer.compare(Buffer.from(fileAtLocation(mock, result.location)), Buffer.from(bytes))).toBe(0);
    expect(mock.count('POST upload /files/upload_sessions')).toBe(1);
    expect(mock.count('PUT upload /files/upload_sessions/{id}')).toBe(Math.ceil(bytes.length / mock.settings.partSize));
    expect(mock.count('POST /folders')).toBe(2);
    expect(destination.name).toBe(`box:enterprise:${mock.store.enterpriseId}/user:${user.id}/Holdfast/Exports`);
  });

  it('refuses a taken name before reading the stream', async () => {
    const user = mock.addUser('Taken');
    const folder = mock.store.createFolder(user.id, mock.store.rootKey(user.id), 'Out');
    mock.store.createFile(user.id, keyOf('folder', folder.id), 'TAKEN.zip', utf8('earlier export'));
    let pulled = false;
    async function* content(): AsyncGenerator<Uint8Array> {
      pulled = true;
      yield utf8('never');
    }
    const destination = new BoxExportDestination({ connection, userId: user.id, folderId: folder.id });
    await expectHoldfastError(destination.write('taken.zip', content()), 'CONFLICT');
    expect(pulled).toBe(false);
  });

  it('is a conflict when the name is taken while the zip is being written, and keeps the other file', async () => {
    const user = mock.addUser('Race');
    const folder = mock.store.createFolder(user.id, mock.store.rootKey(user.id), 'Out');
    const destination = new BoxExportDestination({ connection, userId: user.id, folderId: folder.id });
    mock.faults.push({
      match: ({ key }) => key === 'POST upload /files/content',
      before: () => mock.store.createFile(user.id, keyOf('folder', folder.id), 'race.zip', utf8('the other export')),
    });
    await expectHoldfastError(destination.write('race.zip', chunkedStream(utf8('mine'))), 'CONFLICT');
    expect(Buffer.from(itemAt(mock, user, 'Out/race.zip').versions.at(-1)?.bytes ?? []).toString()).toBe(
      'the other export',
    );
  });

  it('checks its options and the announced size', async () => {
    const user = mock.addUser('Options');
    expect(() => new BoxExportDestination({ connection, folderId: '1', folderPath: 'x' })).toThrow(/not both/);
    expect(() => new BoxExportDestination({ connection, folderId: 'abc' })).toThrow(/not a Box folder id/);
    expect(() => new BoxExportDestination({ connection, folderPath: 'a/../b' })).toThrow(/folderPath/);
    const destination = new BoxExportDestination({ connection, userId: user.id });
    await expectHoldfastError(destination.write('sized.zip', chunkedStream(utf8('12345')), { size: 4 }), 'INTEGRITY');
    expect(mock.store.at(user.id, 'sized.zip')).toBeUndefined();
    expect(destination.capabilities.maxSize).toBe(150 * 1000 ** 3);
  });
});
