/**
 * Load from autocannon (its programmatic API, in the bench's process; the server runs in another): a
 * warm-up run whose numbers are dropped, then the measured run, with the CPU time spent during the
 * measured run by the server process, this process (the load generator), PostgreSQL's processes and the
 * rest of the machine.
 *
 * The machine may be shared: when the rest of it used more than a quarter of a core during a run (another
 * program, not the network stack of this one), the run is thrown away, the bench waits for the machine to
 * fall quiet and measures again (three tries; the last one stands, with its CPU figures to show it).
 *
 * autocannon keeps `connections` requests in flight at all times (one per connection, no pipelining) and
 * records latencies of 2xx answers in whole milliseconds.
 */
import { createRequire } from 'node:module';
import { cpuMsSince, machineBusy, machineCpu, processCpuMs, processesCpuMs } from './server-process.ts';

/** The part of autocannon's result the bench reads. */
interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>;
  readonly requests: { readonly total: number };
  readonly latency: { readonly mean: number; readonly p50: number; readonly p99: number; readonly max: number };
}
interface AutocannonOptions {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly headers: Readonly<Record<string, string>>;
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

// autocannon is CommonJS without type declarations: loaded through require and typed by the interface above.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** One measured endpoint. */
export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Answers that were not 2xx, plus connection errors and timeouts. */
  readonly failures: number;
  /** Status codes and their counts, for the failure message. */
  readonly statusCodes: string;
  /** CPU time during the run, in milliseconds: the server process, the load generator, PostgreSQL, the rest. */
  readonly cpuMs: { readonly server: number; readonly load: number; readonly postgres: number; readonly rest: number };
  /** Runs thrown away because other work took CPU during them. */
  readonly retries: number;
}

export interface LoadOptions {
  readonly url: string;
  /** The headers, asked for before each try (a fresh access token each time). */
  readonly headers: () => Promise<Readonly<Record<string, string>>>;
  readonly connections: number;
  readonly warmUpSeconds: number;
  readonly seconds: number;
  readonly serverPid: number;
  readonly log: (message: string) => void;
}

/** More than this share of one core used by the rest of the machine during a run: measure again. */
const restLimit = 0.25;
const tries = 3;

/** Warms up, then measures `url` under load (again while other work disturbs the run; see the module note). */
export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await measureOnce(options, attempt - 1);
    const rest = result.cpuMs.rest / (result.seconds * 1000);
    if (rest <= restLimit || attempt === tries) return result;
    options.log(
      `other work used ${(rest * 100).toFixed(0)}% of a core during the run: waiting for a quiet machine, then measuring again`,
    );
    await waitForQuiet(options.log);
  }
}

/** Waits (10 minutes at most) until the machine is under 10% busy for 5 s. */
export async function waitForQuiet(log: (message: string) => void): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    if ((await machineBusy(5000)) < 0.1) return;
  }
  log('the machine did not fall quiet in 10 minutes: measuring anyway');
}

async function measureOnce(options: LoadOptions, retries: number): Promise<LoadResult> {
  const { url, connections } = options;
  const headers = await options.headers();
  await autocannon({ url, headers, connections, duration: options.warmUpSeconds });
  const serverBefore = processCpuMs(options.serverPid);
  const postgresBefore = processesCpuMs('postgres');
  const loadBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const result = await autocannon({ url, headers, connections, duration: options.seconds });
  const machineAfter = machineCpu();
  const loadUsage = process.cpuUsage(loadBefore);
  const server = processCpuMs(options.serverPid) - serverBefore;
  const postgres = cpuMsSince(postgresBefore, processesCpuMs('postgres'));
  const load = (loadUsage.user + loadUsage.system) / 1000;
  const busy = machineAfter.busyMs - machineBefore.busyMs;
  return {
    requests: result.requests.total,
    seconds: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    meanMs: result.latency.mean,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    failures: result.non2xx + result.errors + result.timeouts,
    statusCodes:
      Object.entries(result.statusCodeStats)
        .map(([status, { count }]) => `${status}: ${String(count)}`)
        .join(', ') + `; errors ${String(result.errors)}, timeouts ${String(result.timeouts)}`,
    cpuMs: { server, load, postgres, rest: Math.max(0, busy - server - load - postgres) },
    retries,
  };
}
