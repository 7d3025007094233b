/**
 * The test every publishable package runs against its own build: each `exports` entry resolves to
 * JavaScript and to types (types listed first, as TypeScript requires), the JavaScript imports on this
 * Node, and the root entry reports the package's name and version. It reads `dist/`, so it needs
 * `pnpm build` first (the setup command and `pnpm verify` both build).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface ConditionalExport {
  readonly types?: string;
  readonly default?: string;
  readonly import?: string;
}

interface PublishablePackageJson {
  readonly name: string;
  readonly version: string;
  readonly sideEffects?: boolean;
  readonly files?: readonly string[];
  readonly exports: Readonly<Record<string, string | ConditionalExport>>;
}

export function describeBuiltPackage(packageDir: URL): void {
  const pkg = JSON.parse(readFileSync(new URL('package.json', packageDir), 'utf8')) as PublishablePackageJson;

  describe(`${pkg.name} as built`, () => {
    it('declares itself free of side effects and ships only dist and docs', () => {
      expect(pkg.sideEffects).toBe(false);
      expect(pkg.files).toContain('dist');
      expect(pkg.files?.every((entry) => /^!?dist\b|^README\.md$|^CHANGELOG\.md$|^LICENSE$/.test(entry))).toBe(true);
    });

    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue; // "./package.json" and other plain files
      it(`export "${subpath}" resolves to JavaScript and types`, async () => {
        expect(Object.keys(target)[0], 'the "types" condition must come first').toBe('types');
        const javascript = target.import ?? target.default;
        expect(javascript, 'an ESM entry ("import" or "default")').toBeDefined();
        expect(target.types).toBeDefined();
        for (const file of [javascript, target.types]) {
          const path = fileURLToPath(new URL(file ?? '', packageDir));
          expect(existsSync(path), `${path} is missing: run \`pnpm build\` first`).toBe(true);
        }
        const module = (await import(new URL(javascript ?? '', packageDir).href)) as Record<string, unknown>;
        expect(Object.keys(module).length).toBeGreaterThan(0);
        if (subpath === '.') {
          expect(module['packageName']).toBe(pkg.name);
          expect(module['packageVersion']).toBe(pkg.version);
        }
      });
    }
  });
}
