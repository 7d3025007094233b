/**
 * BoxExportDestination against the MOCK Box: the engine's ExportDestination conformance suite, with the
 * destination folder given by path (made on first write) and by id. Nothing is skipped.
 */
import { describeExportDestination } from '@holdfast/engine/testing';
import { BoxExportDestination } from '../../src/box/index.ts';
import { fileAtLocation, mockConnection, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);
let users = 0;

describeExportDestination({
  name: 'BoxExportDestination on the mock Box, folder by path',
  create: async () => {
    const user = mock.addUser(`Export User ${String(++users)}`);
    const destination = new BoxExportDestination({ connection, userId: user.id, folderPath: 'Holdfast exports/2026' });
    return Promise.resolve({ destination, read: async (location) => Promise.resolve(fileAtLocation(mock, location)) });
  },
});

describeExportDestination({
  name: 'BoxExportDestination on the mock Box, folder by id',
  create: async () => {
    const user = mock.addUser(`Export User ${String(++users)}`);
    const folder = mock.store.createFolder(user.id, mock.store.rootKey(user.id), 'Exports');
    const destination = new BoxExportDestination({ connection, userId: user.id, folderId: folder.id });
    return Promise.resolve({ destination, read: async (location) => Promise.resolve(fileAtLocation(mock, location)) });
  },
});
