/**
 * The connector bench's scenario, the same for every service: an account of `items` files in nested
 * folders, backed up in full; then 1% of its files edited and backed up incrementally; then `limited`
 * more edits backed up under a rate limit of 1,000 requests a minute per user. Each run reports the API
 * calls it made by endpoint, the bytes it downloaded, and what the snapshot says.
 */
import type { Repository, Snapshot, Source } from '../../packages/engine/dist/index.js';
import type { RateLimit } from './rate-limit.ts';

/** One service's mock, driven by the scenario. */
export interface ServiceUnderBench {
  readonly name: string;
  readonly source: Source;
  readonly entityId: string;
  /** Creates the account's files: `count` files, ~`size` bytes each, 100 to a folder, two levels deep. */
  seed(count: number, size: number): void;
  /** Edits `count` existing files (new content, new version), spread over the account. */
  edit(count: number, round: number): void;
  /** API calls so far by endpoint, and bytes downloaded; `reset` zeroes both. */
  calls(): Record<string, number>;
  bytesDownloaded(): number;
  reset(): void;
  /** Puts a rate limit in front of the mock (or takes it away). */
  limit(limit: RateLimit | undefined): void;
  /** A rate limit in this service's own 429 format. */
  rateLimit(perMinute: number): RateLimit;
  close(): void | Promise<void>;
}

export interface RunResult {
  readonly label: string;
  readonly wallMs: number;
  readonly snapshot: Snapshot;
  readonly calls: Record<string, number>;
  readonly bytesDownloaded: number;
  readonly windows?: { served: number; refused: number }[] | undefined;
}

export interface ScenarioOptions {
  readonly items: number;
  readonly size: number;
  /** Files edited before the rate-limited run. */
  readonly limited: number;
  readonly perMinute: number;
  readonly log: (message: string) => void;
}

export async function runScenario(
  service: ServiceUnderBench,
  repository: Repository,
  options: ScenarioOptions,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const run = async (label: string, limit?: RateLimit): Promise<void> => {
    service.reset();
    service.limit(limit);
    const started = performance.now();
    const snapshot = await repository.backup(service.source, service.entityId, { concurrency: 8 });
    const wallMs = performance.now() - started;
    service.limit(undefined);
    const result = {
      label,
      wallMs,
      snapshot,
      calls: service.calls(),
      bytesDownloaded: service.bytesDownloaded(),
      windows: limit?.usage(),
    };
    results.push(result);
    options.log(
      `${service.name} ${label}: ${(wallMs / 1000).toFixed(1)} s, ${snapshot.stats.walk ?? '?'} walk, ` +
        `calls ${JSON.stringify(result.calls)}, failed items ${String(snapshot.stats.failedItems)}`,
    );
  };
  options.log(`${service.name}: seeding ${String(options.items)} files`);
  service.seed(options.items, options.size);
  await run('full backup');
  service.edit(Math.round(options.items / 100), 1);
  await run('incremental, 1% edited');
  service.edit(options.limited, 2);
  await run(
    `incremental, ${String(options.limited)} edited, ${String(options.perMinute)} req/min`,
    service.rateLimit(options.perMinute),
  );
  return results;
}
