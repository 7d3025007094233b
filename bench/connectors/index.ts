/**
 * `pnpm bench connectors [--quick] [--no-docs] [--only box|dropbox]`.
 *
 * Each connector against its service mock (the storage adapters' stateful msw mocks, shaped from the
 * services' published API descriptions), in this process: a 100,000-file account (`--quick`: 10,000)
 * backed up in full, then again after 1% of its files changed, then again after more changes under a
 * mock rate limit of 1,000 requests a minute per user (429 + Retry-After). Prints API calls by endpoint
 * and bytes downloaded for each run, the incremental ÷ full ratios, and how much of the allowed rate the
 * limited run used; replaces this benchmark's section of `docs/benchmarks.md`.
 *
 * The mocks answer in microseconds, so wall times measure the engine and the connector, not a network.
 */
import { parseArgs } from 'node:util';
import {
  MemoryObjectStore,
  PassphraseKeyProvider,
  Repository,
  testingKdfParams,
} from '../../packages/engine/dist/index.js';
import { writeBenchmarkSection } from '../lib/benchmarks-doc.ts';
import {
  type Table,
  consoleTable,
  formatBytes,
  formatCount,
  formatRatio,
  formatSeconds,
  markdownTable,
} from '../lib/format.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { describeRevision } from '../lib/revision.ts';
import { dropboxService } from './dropbox-service.ts';
import { type RunResult, runScenario, type ServiceUnderBench } from './scenario.ts';

const benchName = 'connectors';
const log = (message: string): void => {
  console.log(`[${benchName}] ${message}`);
};
const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const items = options.quick ? 10_000 : 100_000;
const limited = options.quick ? 1_200 : 2_500;
const perMinute = 1_000;

const services: (() => Promise<ServiceUnderBench>)[] = [];
if (options.only === undefined || options.only === 'box') {
  services.push(async () => {
    const module = (await import(new URL('box-service.ts', import.meta.url).href)) as {
      boxService: () => Promise<ServiceUnderBench>;
    };
    return module.boxService();
  });
}
if (options.only === undefined || options.only === 'dropbox') services.push(dropboxService);

const results: { service: string; runs: RunResult[] }[] = [];
for (const make of services) {
  const service = await make();
  const repository = await Repository.init(new MemoryObjectStore(), {
    keyProvider: new PassphraseKeyProvider('holdfast-bench', { kdf: testingKdfParams }),
  });
  try {
    results.push({
      service: service.name,
      runs: await runScenario(service, repository, { items, size: 2048, limited, perMinute, log }),
    });
  } finally {
    await repository.close();
    await service.close();
  }
}

const total = (calls: Record<string, number>): number => Object.values(calls).reduce((a, b) => a + b, 0);
const byEndpoint = (calls: Record<string, number>): string =>
  Object.entries(calls)
    .filter(([, n]) => n > 0)
    .map(([endpoint, n]) => `${endpoint} ${formatCount(n)}`)
    .join(', ');

const runsTable: Table = {
  header: [
    'Service',
    'Run',
    'Walk',
    'Wall time',
    'Files read',
    'Downloaded',
    'API calls',
    'Calls by endpoint',
    'Failed items',
  ],
  align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'left', 'right'],
  rows: results.flatMap(({ service, runs }) =>
    runs.map((run) => [
      service,
      run.label,
      run.snapshot.stats.walk ?? '',
      formatSeconds(run.wallMs),
      formatCount(run.snapshot.stats.newFiles + run.snapshot.stats.changedFiles),
      formatBytes(run.bytesDownloaded),
      formatCount(total(run.calls)),
      byEndpoint(run.calls),
      formatCount(run.snapshot.stats.failedItems),
    ]),
  ),
};

const ratioTable: Table = {
  header: ['Service', 'API calls: incremental ÷ full', 'Bytes downloaded: incremental ÷ full'],
  align: ['left', 'right', 'right'],
  rows: results.map(({ service, runs }) => {
    const [full, incremental] = runs;
    if (full === undefined || incremental === undefined) return [service, '', ''];
    return [
      service,
      formatRatio(total(incremental.calls) / total(full.calls)),
      formatRatio(incremental.bytesDownloaded / full.bytesDownloaded),
    ];
  }),
};

const limitTable: Table = {
  header: [
    'Service',
    'Wall time',
    'Served per minute (window by window)',
    'Refused (429)',
    'Rate used in full windows',
    'Failed items',
  ],
  align: ['left', 'right', 'left', 'right', 'right', 'right'],
  rows: results.map(({ service, runs }) => {
    const run = runs[2];
    const windows = run?.windows ?? [];
    const full = windows.slice(0, -1);
    const used = full.length === 0 ? undefined : full.reduce((sum, w) => sum + w.served, 0) / (full.length * perMinute);
    return [
      service,
      run === undefined ? '' : formatSeconds(run.wallMs),
      windows.map((w) => String(w.served)).join(' / '),
      formatCount(windows.reduce((sum, w) => sum + w.refused, 0)),
      used === undefined ? 'n/a (one window)' : `${(used * 100).toFixed(1)}%`,
      run === undefined ? '' : formatCount(run.snapshot.stats.failedItems),
    ];
  }),
};

console.log(`\n${consoleTable(runsTable)}\n\n${consoleTable(ratioTable)}\n\n${consoleTable(limitTable)}`);

if (!options['no-docs'] && options.only === undefined) {
  const machine = describeMachine();
  writeBenchmarkSection(
    benchName,
    [
      '## connectors: Box and Dropbox, full against incremental',
      '',
      `\`pnpm bench connectors${options.quick ? ' --quick' : ''}\`, run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
      '',
      `- Machine: ${formatMachine(machine)}.`,
      `- Holdfast: ${describeRevision()}; the engine in-process (\`Repository\` on a \`MemoryObjectStore\`) with each connector.`,
      `- Services: the stateful msw mocks of the storage adapters' tests (Box shaped from box-openapi.json, Dropbox from its Stone specs), served over HTTP on 127.0.0.1 by a small msw bridge in the same process: wall times measure the engine, the connector and local HTTP, not a network.`,
      `- Account: ${formatCount(items)} files of 2 KiB, 100 to a folder, two folder levels; then 1% of the files edited; then ${formatCount(limited)} more edited and backed up under a rate limit of ${formatCount(perMinute)} requests a minute for the user (fixed one-minute windows; beyond the limit, 429 with the seconds left in the window as Retry-After, in each service's own error format).`,
      '',
      markdownTable(runsTable),
      '',
      markdownTable(ratioTable),
      '',
      'Under the rate limit ("rate used" counts the windows before the last, which ends when the work does):',
      '',
      markdownTable(limitTable),
    ].join('\n'),
  );
  log('docs/benchmarks.md updated');
}
