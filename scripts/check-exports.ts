/**
 * `pnpm check:exports`: packs every publishable package exactly as `pnpm publish` would and checks the
 * tarball a user would install:
 *  - arethetypeswrong finds types and JavaScript for every export under Node 16+ ESM and bundlers
 *    (the packages are ESM-only, so CommonJS resolution is not checked);
 *  - it holds only `package.json`, `dist/`, README, CHANGELOG and LICENSE;
 *  - its package.json has no `workspace:` or `catalog:` ranges left.
 * Needs `pnpm build` first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packagesDir = join(root, 'packages');
const shipped = /^package\/(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/.+)$/;
const failures: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'holdfast-pack-'));

try {
  for (const name of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, name);
    const destination = join(work, name);
    execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: dir, stdio: 'ignore' });
    const [tarball] = readdirSync(destination);
    if (tarball === undefined) throw new Error(`pnpm pack wrote nothing for packages/${name}`);
    const path = join(destination, tarball);

    const files = execFileSync('tar', ['tzf', path], { encoding: 'utf8' }).trim().split('\n');
    const stray = files.filter((file) => !shipped.test(file));
    if (stray.length > 0) failures.push(`packages/${name} ships files it should not: ${stray.join(', ')}`);
    if (!files.some((file) => file.startsWith('package/dist/'))) failures.push(`packages/${name} ships no dist/`);
    if (!files.includes('package/LICENSE')) failures.push(`packages/${name} ships no LICENSE`);

    const manifest = execFileSync('tar', ['xzf', path, '-O', 'package/package.json'], { encoding: 'utf8' });
    const leftover = manifest.match(/"(workspace|catalog):[^"]*"/g);
    if (leftover) failures.push(`packages/${name} publishes unresolved ranges: ${leftover.join(', ')}`);

    const attw = spawnSync('attw', [path, '--profile', 'esm-only', '--format', 'ascii'], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    if (attw.status !== 0)
      failures.push(`packages/${name}: arethetypeswrong found problems:\n${attw.stdout}${attw.stderr}`);
    else console.log(`ok  packages/${name}: ${files.length} files, types and JavaScript resolve for every export`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  for (const name of readdirSync(packagesDir)) rmSync(join(packagesDir, name, 'LICENSE'), { force: true });
}

if (failures.length > 0) {
  for (const failure of failures) console.error(`FAIL ${failure}`);
  process.exit(1);
}
