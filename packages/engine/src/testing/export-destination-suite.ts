/**
 * The ExportDestination conformance suite: what every destination (fs, S3, Azure Blob, GCS, Box, Dropbox,
 * a partner's) must do with an export stream. `create` returns an empty destination and a way to read an
 * export back from its location, by the test's own means.
 */
import { expect } from 'vitest';
import type { ExportDestination } from '../ports/index.ts';
import {
  abortedSignal,
  chunkedStream,
  expectBytes,
  expectCanceled,
  expectHoldfastError,
  failingStream,
  testBytes,
  utf8,
} from './bytes.ts';
import { type ConformanceSuiteOptions, registerSuite } from './suite.ts';

/** The titles of the ExportDestination conformance tests, by key. Name them in `skip` (with a reason). */
export const exportDestinationTests = {
  capabilities: 'declares a name and capabilities with valid values',
  write: 'write stores the stream, and its location and size describe it',
  empty: 'write stores an empty stream',
  large: 'write stores a 12 MiB stream of odd-sized chunks',
  options: 'write accepts a content type and the right size',
  conflict: 'a second write under the same name rejects with ConflictError and keeps the first',
  badNames: 'names that are not one safe file name are refused with ValidationError',
  failing: 'a write whose stream fails leaves nothing: the name can be written afterwards',
  abort: 'a write with an aborted signal rejects with CanceledError and leaves nothing',
  unicode: 'a unicode name with spaces',
} as const;

/** The title of one ExportDestination conformance test. */
export type ExportDestinationTestName = (typeof exportDestinationTests)[keyof typeof exportDestinationTests];

/** What a test of the ExportDestination suite works on. */
export interface ExportDestinationContext {
  /** An empty destination, for this test alone. */
  readonly destination: ExportDestination;
  /** The bytes of the export at `location` (from `write`'s result). */
  readonly read: (location: string) => Promise<Uint8Array>;
}

/** Options of {@link describeExportDestination}. */
export interface ExportDestinationSuiteOptions extends ConformanceSuiteOptions<
  ExportDestinationContext,
  ExportDestinationTestName
> {
  /** Makes an empty destination for one test. */
  readonly create: () => Promise<ExportDestinationContext>;
}

/** One case: gets a function that creates its (empty) destination. */
type ExportDestinationCase = (use: () => Promise<ExportDestinationContext>) => Promise<void>;

/** A case that writes `bytes` under `name` and reads them back. */
function roundTrip(name: string, bytes: Uint8Array, withOptions = false): ExportDestinationCase {
  return async (use) => {
    const { destination, read } = await use();
    const options = withOptions ? { contentType: 'application/zip', size: bytes.length } : {};
    const result = await destination.write(name, chunkedStream(bytes), options);
    expect(result.size, 'reported size').toBe(bytes.length);
    expect(typeof result.location).toBe('string');
    expect(result.location.length).toBeGreaterThan(0);
    expectBytes(await read(result.location), bytes, `export ${name}`);
  };
}

const badNames = ['', '.', '..', 'a/b', '../x', '/x', 'x/', 'a\0b'];

/** The ExportDestination cases (exported for the suite's own tests). */
export const exportDestinationCases = {
  async capabilities(use) {
    const { destination } = await use();
    expect(typeof destination.name).toBe('string');
    expect(destination.name.length).toBeGreaterThan(0);
    const { maxSize } = destination.capabilities;
    if (maxSize !== undefined) expect(Number.isSafeInteger(maxSize) && maxSize > 0, `maxSize ${maxSize}`).toBe(true);
  },
  write: roundTrip('export-1.zip', testBytes(250_000, 1)),
  empty: roundTrip('empty.zip', new Uint8Array(0)),
  large: roundTrip('large.zip', testBytes(12 * 1024 * 1024 + 5, 12)),
  options: roundTrip('with-options.zip', testBytes(4321, 2), true),
  async conflict(use) {
    const { destination, read } = await use();
    const first = await destination.write('taken.zip', chunkedStream(utf8('first')));
    await expectHoldfastError(
      destination.write('taken.zip', chunkedStream(utf8('second'))),
      'CONFLICT',
      'second write',
    );
    expectBytes(await read(first.location), utf8('first'), 'the first export');
  },
  async badNames(use) {
    const { destination } = await use();
    for (const name of badNames) {
      await expectHoldfastError(
        destination.write(name, chunkedStream(utf8('x'))),
        'VALIDATION',
        `write(${JSON.stringify(name)})`,
      );
    }
  },
  async failing(use) {
    const { destination, read } = await use();
    const bytes = testBytes(3 * 1024 * 1024, 3);
    await expect(destination.write('retried.zip', failingStream(bytes, 2 * 1024 * 1024))).rejects.toBeDefined();
    const retry = await destination.write('retried.zip', chunkedStream(utf8('complete')));
    expectBytes(await read(retry.location), utf8('complete'), 'the export written after the failure');
  },
  async abort(use) {
    const { destination, read } = await use();
    const { signal, reason } = abortedSignal();
    await expectCanceled(destination.write('aborted.zip', chunkedStream(utf8('x')), { signal }), reason, 'write');
    const controller = new AbortController();
    const bytes = testBytes(3 * 1024 * 1024, 4);
    async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
      await Promise.resolve();
      yield bytes.slice(0, 1024 * 1024);
      controller.abort(reason);
      yield bytes.slice(1024 * 1024);
    }
    await expectCanceled(
      destination.write('aborted.zip', body(), { signal: controller.signal }),
      reason,
      'abort midway',
    );
    const retry = await destination.write('aborted.zip', chunkedStream(utf8('complete')));
    expectBytes(await read(retry.location), utf8('complete'), 'the export written after the aborts');
  },
  unicode: roundTrip('Export ü 日本 😀 2026-11-22.zip', utf8('unicode')),
} satisfies Record<keyof typeof exportDestinationTests, ExportDestinationCase>;

/**
 * Registers the ExportDestination conformance suite (a vitest `describe`) for one implementation.
 *
 * @example
 * ```ts
 * describeExportDestination({
 *   name: 'FsExportDestination',
 *   create: async () => ({ destination: new FsExportDestination(dir), read: async (location) => readFile(location) }),
 * });
 * ```
 */
export function describeExportDestination(options: ExportDestinationSuiteOptions): void {
  registerSuite('ExportDestination conformance', exportDestinationTests, options, exportDestinationCases);
}
