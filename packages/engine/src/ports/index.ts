export type { ByteStream, CallOptions } from './common.ts';
export {
  defaultObjectStoreCapabilities,
  type ByteRange,
  type GetOptions,
  type ListOptions,
  type ObjectInfo,
  type ObjectStore,
  type ObjectStoreCapabilities,
  type PutOptions,
} from './object-store.ts';
export {
  defaultSourceCapabilities,
  type ContentHash,
  type Source,
  type SourceCapabilities,
  type SourceEntity,
  type SourceItem,
  type SourceItemType,
  type Walk,
  type WalkEntry,
  type WalkOptions,
} from './source.ts';
export {
  defaultRestoreTargetCapabilities,
  type RestoreTarget,
  type RestoreTargetCapabilities,
  type TargetEntry,
  type WriteFileOptions,
} from './restore-target.ts';
export {
  defaultExportDestinationCapabilities,
  type ExportDestination,
  type ExportDestinationCapabilities,
  type ExportLocation,
  type ExportWriteOptions,
} from './export-destination.ts';
