export { FsExportDestination, fsExportTempPrefix } from './fs-export-destination.ts';
export { fsErrorTable, type FsErrorClass } from './fs-errors.ts';
export { FsObjectStore, fsObjectStoreTempPrefix, type FsObjectStoreOptions } from './fs-object-store.ts';
export { FsRestoreTarget, fsRestoreTargetTempPrefix, type FsRestoreTargetOptions } from './fs-restore-target.ts';
export { FsSource, fsSourceEntityId } from './fs-source.ts';
