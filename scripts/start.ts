/**
 * `pnpm start`: the reference server on embedded defaults, in one command. Builds the packages first when
 * a build is missing or older than its sources (or the REST contract), then runs
 * `holdfast-server serve` from `packages/server/dist` with this process's environment (so
 * `HOLDFAST_*` settings apply). Ctrl-C reaches the server, which stops
 * gracefully; this script exits with its exit code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, globSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// The server's runtime needs these builds (the SDK for its types only, at build time).
const packages = ['engine', 'sdk', 'server'];

function newestSource(dir: string): number {
  const files = globSync('src/**/*.ts', { cwd: dir }).map((file) => join(dir, file));
  files.push(join(dir, 'package.json'));
  if (dir.endsWith('server')) files.push(join(root, 'openapi/holdfast.yaml'));
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

const stale = packages.filter((name) => {
  const dir = join(root, 'packages', name);
  const built = join(dir, 'dist/index.js');
  return !existsSync(built) || statSync(built).mtimeMs < newestSource(dir);
});
if (stale.length > 0) {
  console.error(`start: building (${stale.join(', ')} changed since the last build)`);
  const build = spawnSync('pnpm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, [join(root, 'packages/server/dist/cli.js'), 'serve'], {
  stdio: 'inherit',
});
// Ctrl-C on a terminal reaches the whole process group, the server included; SIGTERM is passed on.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => server.kill('SIGTERM'));
server.on('exit', (code, signal) => {
  process.exit(code ?? (signal === null ? 1 : 128 + 15));
});
