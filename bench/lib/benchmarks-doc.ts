/**
 * `docs/benchmarks.md`: one section per benchmark, each between `<!-- bench:<name>:start -->` and
 * `<!-- bench:<name>:end -->`. A run replaces its own section and leaves the others as they are, so
 * benchmarks run at different times share the page. The page's introduction is written once, when the
 * file is created, and may be edited by hand afterwards.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The results page. */
export const benchmarksDocPath = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));

const introduction = `# Benchmarks

Measured by \`pnpm bench\` (every benchmark) or \`pnpm bench <name>\` (one). A small-scale development run:
\`pnpm exec node bench/<name>/index.ts --quick\` (it updates the section too, marked as quick scale).

Each benchmark lives in \`bench/<name>/index.ts\`, measures Holdfast against a peer in the same run where there
is one, and replaces its own section below with the numbers of its latest run. The numbers belong to the
machine and the commit named in each section: compare runs on the same machine only. Data sets and
repositories live in \`bench/.work/\` (git-ignored).
`;

/** Replaces (or appends) the section of benchmark `name` with `body`, a Markdown fragment starting with its heading. */
export function writeBenchmarkSection(name: string, body: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${start}\n\n${body.trim()}\n\n${end}`;
  const page = existsSync(benchmarksDocPath) ? readFileSync(benchmarksDocPath, 'utf8') : introduction;
  const from = page.indexOf(start);
  const to = page.indexOf(end);
  const updated =
    from !== -1 && to > from
      ? `${page.slice(0, from)}${section}${page.slice(to + end.length)}`
      : `${page.trimEnd()}\n\n${section}\n`;
  writeFileSync(benchmarksDocPath, updated);
}
