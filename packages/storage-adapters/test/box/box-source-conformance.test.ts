/**
 * BoxSource against the MOCK Box: the engine's Source conformance suite, each test in a user of its own.
 * Box has no symlinks (a folder holds files, folders and web links), so the suite runs its symlinks test
 * in the form for services without any (`symlinks: false`): nothing walked may claim to be a symlink.
 */
import { describeSource } from '@holdfast/engine/testing';
import { BoxSource } from '../../src/box/index.ts';
import { keyOf } from './box-mock/box-mock-store.ts';
import { mockConnection, seedTree, useBoxMock, writeFile } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);
let users = 0;

describeSource({
  name: 'BoxSource on the mock Box',
  create: async (fixture) => {
    const user = mock.addUser(`Conformance User ${String(++users)}`);
    seedTree(mock, user, fixture);
    return {
      source: new BoxSource({ connection }),
      entityId: user.id,
      mutate: {
        write: async (path, content) => {
          writeFile(mock, user, path, content);
          return Promise.resolve();
        },
        remove: async (path) => {
          const item = mock.store.at(user.id, path);
          if (item !== undefined) mock.store.trash(user.id, keyOf(item.type, item.id));
          return Promise.resolve();
        },
      },
    };
  },
  symlinks: false,
});
