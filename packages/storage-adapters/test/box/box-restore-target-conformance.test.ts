/**
 * BoxRestoreTarget against the MOCK Box: the engine's RestoreTarget conformance suite, each test in a
 * user of its own, once at the user's root and once under a root folder path (made on first write).
 * Nothing is skipped. The suite's files are all under Box's 20 MB minimum for upload sessions, so the
 * chunked path has its own tests (`box-restore-target.test.ts`).
 */
import { describeRestoreTarget } from '@holdfast/engine/testing';
import { BoxRestoreTarget } from '../../src/box/index.ts';
import { mockConnection, useBoxMock } from './box-test-support.ts';

const mock = useBoxMock();
const connection = mockConnection(mock);
let users = 0;

for (const rootPath of ['', 'Restores/Holdfast']) {
  describeRestoreTarget({
    name: `BoxRestoreTarget on the mock Box${rootPath === '' ? '' : ` under ${rootPath}`}`,
    create: async () => {
      const user = mock.addUser(`Restore User ${String(++users)}`);
      const target = new BoxRestoreTarget({ connection, userId: user.id, rootPath });
      return {
        target,
        read: async (path) => {
          const item = mock.store.at(user.id, rootPath === '' ? path : `${rootPath}/${path}`);
          if (item?.type !== 'file') throw new Error(`no file at ${path}`);
          return Promise.resolve(item.versions.at(-1)?.bytes ?? new Uint8Array(0));
        },
      };
    },
  });
}
