/**
 * Build settings shared by every publishable package: tsup builds ESM with bundled `.d.ts`, and the
 * package's name and version are compiled in (`__HOLDFAST_PACKAGE_NAME__`, `__HOLDFAST_PACKAGE_VERSION__`)
 * so no runtime code has to find and read a package.json. Vitest configs use the same defines, so tests
 * of the sources see the same values as the build.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * The package's runtime dependencies: imported, never bundled. tsup would work this out from the
 * package.json of the directory it runs in, which is wrong when a test builds a package from elsewhere
 * (a CommonJS dependency bundled into ESM fails at run time).
 */
function dependenciesOf(packageDir: string): string[] {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as PackageJson;
  return [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ];
}

/** The compile-time constants of the package in `packageDir`. */
export function packageDefines(packageDir: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as PackageJson;
  return {
    __HOLDFAST_PACKAGE_NAME__: JSON.stringify(pkg.name),
    __HOLDFAST_PACKAGE_VERSION__: JSON.stringify(pkg.version),
  };
}

/** tsup options for a package whose entry points are `entry` (relative to the package). */
export function tsupOptions(packageDir: string, entry: Record<string, string>) {
  return {
    entry,
    format: ['esm' as const],
    target: 'node24',
    platform: 'node' as const,
    dts: true,
    clean: true,
    sourcemap: true,
    splitting: true,
    treeshake: true,
    define: packageDefines(packageDir),
    external: dependenciesOf(packageDir),
  };
}
