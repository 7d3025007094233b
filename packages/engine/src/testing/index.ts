/**
 * `@holdfast/engine/testing`: the conformance suites of the engine's ports, and object-store wrappers
 * for crash-consistency tests. Imports `vitest` (an optional peer dependency): use it from test files.
 *
 * @packageDocumentation
 */
export {
  describeObjectStore,
  objectStoreTests,
  type ObjectStoreContext,
  type ObjectStoreSuiteOptions,
  type ObjectStoreTestName,
} from './object-store-suite.ts';
export { type ConformanceSuiteOptions, type SkippedTests, skippedTestTitle } from './suite.ts';
export {
  abortedSignal,
  chunkedStream,
  collect,
  collectBytes,
  expectBytes,
  expectCanceled,
  expectHoldfastError,
  failingStream,
  oddChunkSizes,
  testBytes,
  utf8,
} from './bytes.ts';
export {
  describeSource,
  sourceTests,
  type SourceContext,
  type SourceFixtureItem,
  type SourceFixtureMutations,
  type SourceSuiteOptions,
  type SourceTestName,
} from './source-suite.ts';
export {
  describeRestoreTarget,
  restoreTargetTests,
  type RestoreTargetContext,
  type RestoreTargetSuiteOptions,
  type RestoreTargetTestName,
} from './restore-target-suite.ts';
export {
  describeExportDestination,
  exportDestinationTests,
  type ExportDestinationContext,
  type ExportDestinationSuiteOptions,
  type ExportDestinationTestName,
} from './export-destination-suite.ts';
export {
  FaultInjectingObjectStore,
  type FaultDecision,
  type FaultInjectingObjectStoreOptions,
  type InjectedFault,
} from './fault-injecting-object-store.ts';
export { RequestCountingObjectStore, type ObjectStoreCallCounts } from '../stores/request-counting-object-store.ts';
