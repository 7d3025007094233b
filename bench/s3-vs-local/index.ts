/**
 * `pnpm bench s3-vs-local [--quick] [--no-docs]`.
 *
 * The engine-vs-restic data set (≥ 1 GiB; `--quick`: a tenth) backed up by the holdfast CLI into a
 * repository on local disk and into one on S3 (s3rver, a real S3-compatible server, on this machine), then
 * backed up again unchanged. Prints wall time, throughput and peak RSS of each, the ratio S3 ÷ local, and
 * the store requests each snapshot made by kind (from the snapshot's own `stats.requests`): what a
 * snapshot costs on a pay-per-request store. Replaces this benchmark's section of `docs/benchmarks.md`.
 *
 * s3rver keeps objects as files on the same disk, so the S3 column measures the protocol's cost (HTTP,
 * multipart, listing) on top of disk, not a cloud's network.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type DataSetSpec, prepareDataSet } from '../engine-vs-restic/data-set.ts';
import { holdfastCli } from '../engine-vs-restic/tools.ts';
import { writeBenchmarkSection } from '../lib/benchmarks-doc.ts';
import {
  type Table,
  consoleTable,
  formatBytes,
  formatRate,
  formatRatio,
  formatRss,
  formatSeconds,
  markdownTable,
  mibPerSecond,
} from '../lib/format.ts';
import { describeMachine, formatMachine } from '../lib/machine.ts';
import { assertGnuTime, describeFailure, type Measured, runMeasured, succeeded } from '../lib/measure.ts';
import { dropPageCache } from '../lib/page-cache.ts';
import { describeRevision } from '../lib/revision.ts';
import { benchWorkDir } from '../lib/work-dir.ts';

const benchName = 's3-vs-local';
const log = (message: string): void => {
  console.log(`[${benchName}] ${message}`);
};
const { values: options } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, 'no-docs': { type: 'boolean', default: false } },
});
assertGnuTime();
if (!existsSync(holdfastCli)) {
  console.error(`${benchName}: ${holdfastCli} not found: build first: pnpm run build`);
  process.exit(1);
}

const spec: DataSetSpec = options.quick
  ? { seed: 'holdfast-bench-1', binaryFiles: 200, textFiles: 2_000 }
  : { seed: 'holdfast-bench-1', binaryFiles: 2_000, textFiles: 20_000 };
const work = benchWorkDir('engine-vs-restic'); // the same data set, generated once
const dataSet = await prepareDataSet(join(work, options.quick ? 'data-quick' : 'data-full'), spec, log);
const localRepo = join(benchWorkDir(benchName), 'local-repo');
await rm(localRepo, { recursive: true, force: true });

/** The storage adapters' s3rver harness (a test helper, loaded at run time: it belongs to another project). */
interface S3rverHarness {
  readonly directEndpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}
const harnessPath = new URL('../../packages/storage-adapters/test/s3/s3rver.ts', import.meta.url).href;
const { startS3rver } = (await import(harnessPath)) as { startS3rver: () => Promise<S3rverHarness> };
const server = await startS3rver();
await server.createBucket('bench');

interface Row {
  readonly store: string;
  readonly step: string;
  readonly measured: Measured;
  readonly requests: { put: number; get: number; head: number; list: number; delete: number };
}
const rows: Row[] = [];
try {
  for (const [store, repository] of [
    ['local disk', localRepo],
    ['S3 (s3rver)', 's3://bench/repo'],
  ] as const) {
    const env = {
      ...process.env,
      HOLDFAST_REPOSITORY: repository,
      HOLDFAST_PASSWORD: 'holdfast-bench',
      HOLDFAST_S3_ENDPOINT: server.directEndpoint,
      HOLDFAST_S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    };
    const init = runMeasured(process.execPath, [holdfastCli, 'init'], { env });
    if (!succeeded(init)) throw new Error(describeFailure(`${store} init`, init));
    for (const step of ['First backup', 'No-change backup']) {
      dropPageCache();
      const measured = runMeasured(process.execPath, [holdfastCli, 'backup', dataSet.dir, '--json'], { env });
      if (!succeeded(measured)) throw new Error(describeFailure(`${store} ${step}`, measured));
      const { snapshot } = JSON.parse(measured.stdout) as { snapshot: { stats: { requests: Row['requests'] } } };
      rows.push({ store, step, measured, requests: snapshot.stats.requests });
      log(`${store}, ${step}: ${formatSeconds(measured.wallMs)}, requests ${JSON.stringify(snapshot.stats.requests)}`);
    }
  }
} finally {
  await server.stop();
}

const requestText = (r: Row['requests']): string =>
  `${String(r.put)} PUT, ${String(r.get)} GET, ${String(r.list)} LIST, ${String(r.head)} HEAD, ${String(r.delete)} DELETE`;
const tableRows: string[][] = [];
for (const step of ['First backup', 'No-change backup']) {
  const local = rows.find((r) => r.step === step && r.store === 'local disk');
  const s3 = rows.find((r) => r.step === step && r.store !== 'local disk');
  if (local === undefined || s3 === undefined) continue;
  for (const row of [local, s3]) {
    tableRows.push([
      step,
      row.store,
      formatSeconds(row.measured.wallMs),
      formatRate(mibPerSecond(dataSet.totalBytes, row.measured.wallMs)),
      formatRss(row.measured.peakRssKiB),
      requestText(row.requests),
    ]);
  }
  tableRows.push([
    step,
    'S3 ÷ local',
    formatRatio(s3.measured.wallMs / local.measured.wallMs),
    '',
    formatRatio(s3.measured.peakRssKiB / local.measured.peakRssKiB),
    '',
  ]);
}
const table: Table = {
  header: ['Step', 'Store', 'Wall time', 'Throughput', 'Peak RSS', 'Requests (from the snapshot)'],
  align: ['left', 'left', 'right', 'right', 'right', 'left'],
  rows: tableRows,
};
console.log(`\n${consoleTable(table)}\n`);

if (!options['no-docs']) {
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  writeBenchmarkSection(
    benchName,
    [
      '## s3-vs-local: the repository on S3 against local disk',
      '',
      `${options.quick ? '`pnpm bench s3-vs-local --quick`' : '`pnpm bench s3-vs-local`'}, run ${date}${options.quick ? ' at quick scale (a development run, not a result)' : ''}.`,
      '',
      `- Machine: ${formatMachine(describeMachine())}.`,
      `- Holdfast: commit ${describeRevision()}; the CLI with \`--repo <dir>\` and with \`--repo s3://bench/repo\` ` +
        '(the S3 adapter, wrapped in `RetryingObjectStore`), each a fresh repository.',
      `- Data: the engine-vs-restic data set, ${formatBytes(dataSet.totalBytes)} in ${String(dataSet.files.length)} files; page cache dropped before each backup.`,
      '- S3: s3rver 3.7 on this machine (objects as files on the same disk), so the S3 rows show what the protocol adds, not a network.',
      "- Requests: the snapshot record's own `stats.requests`, every store call the backup made up to writing the record. A put is one call; on S3 a put of a 16 MiB pack is a multipart upload of 1 + parts + 1 HTTP requests (`docs/storage/s3.md`).",
      '',
      markdownTable(table),
    ].join('\n'),
  );
  log('results written to docs/benchmarks.md');
}
