/**
 * Finds and loads Box's published OpenAPI description (`box-openapi.json`, github.com/box/box-openapi),
 * kept outside the repository in the shared reference folder: `<repo>/../shared/reference/`, or the
 * folder named by `HOLDFAST_REFERENCE_DIR`. The repository root is the nearest ancestor of this file that
 * holds `pnpm-workspace.yaml`. A missing file fails with a message saying where it was looked for.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of an OpenAPI document the validator reads. */
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

/** One operation. */
export interface OpenApiOperation {
  readonly operationId?: string;
  readonly responses?: Record<string, OpenApiResponse>;
}

/** One response of an operation. */
export interface OpenApiResponse {
  readonly description?: string;
  readonly content?: Record<string, { readonly schema?: unknown }>;
}

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('box-spec: no pnpm-workspace.yaml above the test folder: cannot find the repository root');
    dir = parent;
  }
}

/** The path of `box-openapi.json`. Throws with the places looked at when it is missing. */
export function boxSpecPath(): string {
  const candidates = [
    ...(process.env['HOLDFAST_REFERENCE_DIR'] === undefined
      ? []
      : [join(process.env['HOLDFAST_REFERENCE_DIR'], 'box-openapi.json')]),
    resolve(repositoryRoot(), '..', 'shared', 'reference', 'box-openapi.json'),
    // Generated from it by test/reference/generate.ts: the paths the mock serves and what they reference.
    fileURLToPath(new URL('../../reference/box-openapi.excerpt.json', import.meta.url)),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new Error(
      `Box's OpenAPI description (box-openapi.json) is missing: looked at ${candidates.join(', ')}. ` +
        'The Box tests validate every mocked response against it; put the reference folder back or set HOLDFAST_REFERENCE_DIR.',
    );
  }
  return found;
}

let cached: OpenApiDocument | undefined;

/** The parsed description (read once per test file). */
export function loadBoxSpec(): OpenApiDocument {
  cached ??= JSON.parse(readFileSync(boxSpecPath(), 'utf8')) as OpenApiDocument;
  return cached;
}
