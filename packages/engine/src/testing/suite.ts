/**
 * How the conformance suites register their tests (STYLE.md §2, §12). Each suite has a table of test
 * titles (exported, so an adapter names the tests it skips by constant) and a body per title. Every test
 * creates its own context through the suite's `create` and cleans it up afterwards, so tests never see
 * each other's data. A skipped test is still registered, with `it.skip` and its reason in the title, so
 * the report shows it; a skip naming a test the suite does not have throws, so a typo cannot hide one.
 */
import { describe, it } from 'vitest';

/** Tests an adapter skips, and why. The reason shows in the test report. */
export interface SkippedTests<Name extends string = string> {
  /** Titles from the suite's test table (e.g. `objectStoreTests.abortDuringPut`). */
  readonly tests: readonly Name[];
  /** Why the adapter cannot pass them: a limit of the service, not of the adapter. */
  readonly reason: string;
}

/** Options every conformance suite takes. */
export interface ConformanceSuiteOptions<Context, Name extends string> {
  /** The implementation's name in test titles (`'s3 on MinIO'`). */
  readonly name: string;
  /** Releases what `create` made (a temp folder, a bucket prefix); called after each test, also on failure. */
  readonly cleanup?: ((context: Context) => Promise<void>) | undefined;
  /** Tests not to run, each with its reason. */
  readonly skip?: readonly SkippedTests<Name>[] | undefined;
  /** Per-test timeout in milliseconds. Default: 60 000 (the large-object tests move tens of MiB). */
  readonly timeout?: number | undefined;
}

/** The title a skipped test is registered under. */
export function skippedTestTitle(title: string, reason: string): string {
  return `${title} [skipped: ${reason}]`;
}

/**
 * Checks `skip` against the suite's titles and returns the reason per skipped title. Throws for an
 * unknown title or an empty reason.
 */
export function skipReasons(
  suite: string,
  titles: readonly string[],
  skip: readonly SkippedTests[] = [],
): Map<string, string> {
  const known = new Set(titles);
  const reasons = new Map<string, string>();
  for (const { tests, reason } of skip) {
    if (reason.trim() === '') throw new Error(`${suite}: every skip needs a reason (tests: ${tests.join(', ')})`);
    for (const title of tests) {
      if (!known.has(title))
        throw new Error(`${suite}: cannot skip ${JSON.stringify(title)}: the suite has no such test`);
      reasons.set(title, reason);
    }
  }
  return reasons;
}

/**
 * Registers one suite: a `describe` named `<suite>: <name>` with one test per entry of `titles`, whose
 * body gets `use`, a function that creates a context (cleaned up when the test ends).
 */
export function registerSuite<Titles extends Record<string, string>, Args extends unknown[], Context>(
  suite: string,
  titles: Titles,
  options: ConformanceSuiteOptions<Context, Titles[keyof Titles]> & {
    readonly create: (...args: Args) => Promise<Context>;
  },
  bodies: { readonly [Key in keyof Titles]: (use: (...args: Args) => Promise<Context>) => Promise<void> },
): void {
  const reasons = skipReasons(`${suite} (${options.name})`, Object.values(titles), options.skip);
  const timeout = options.timeout ?? 60_000;
  describe(`${suite}: ${options.name}`, () => {
    for (const [key, title] of Object.entries(titles) as [keyof Titles, string][]) {
      const body = bodies[key];
      const reason = reasons.get(title);
      if (reason !== undefined) {
        it.skip(skippedTestTitle(title, reason), () => undefined);
        continue;
      }
      it(title, { timeout }, async () => {
        const contexts: Context[] = [];
        const use = async (...args: Args): Promise<Context> => {
          const context = await options.create(...args);
          contexts.push(context);
          return context;
        };
        try {
          await body(use);
        } finally {
          for (const context of contexts.reverse()) await options.cleanup?.(context);
        }
      });
    }
  });
}
