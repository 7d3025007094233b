export {
  assertSafeItemName,
  assertSafeRelativePath,
  baseName,
  compareItemNames,
  isSafeRelativePath,
  joinItemPath,
  parentPath,
  splitItemPath,
} from './item-path.ts';
