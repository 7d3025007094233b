/**
 * Checks every response of the Dropbox mock against the Stone specs: `watchShapes(mock)` hooks the mock's
 * response observer, and the violations it collects are asserted empty after every test (see
 * `useDropboxMock` in `../dropbox-test-support.ts`). The specs are read from the shared reference folder
 * (`<repo>/../shared/reference/dropbox-api-spec`, or `HOLDFAST_DROPBOX_SPEC`), never copied into the repo.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DropboxMock, MockResponseEvent } from '../dropbox-mock/index.ts';
import { StoneChecker, type StoneViolation } from './stone-checker.ts';
import { StoneSpec } from './stone-reader.ts';

/** The repository root: the first folder upwards holding `pnpm-workspace.yaml`. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('Dropbox tests: cannot find the repository root (pnpm-workspace.yaml)');
    dir = up;
  }
  return dir;
}

/** The folder of Dropbox's Stone specs; throws a clear error when it is missing. */
export function dropboxSpecDir(): string {
  const dir =
    process.env['HOLDFAST_DROPBOX_SPEC'] ?? resolve(repoRoot(), '..', 'shared', 'reference', 'dropbox-api-spec');
  if (!existsSync(join(dir, 'files.stone'))) {
    throw new Error(
      `Dropbox tests need the published Stone specs (files.stone, team.stone...) at ${dir}: ` +
        'check out dropbox/dropbox-api-spec there, or point HOLDFAST_DROPBOX_SPEC at a copy',
    );
  }
  return dir;
}

let spec: StoneSpec | undefined;

/**
 * The specs, read once per test file: the full Stone specs when the shared reference folder is there,
 * otherwise the excerpt generated from them (`test/reference/dropbox-stone.excerpt.json`: the routes the
 * mock serves and every definition they reach).
 */
export function dropboxSpec(): StoneSpec {
  if (spec !== undefined) return spec;
  let dir: string | undefined;
  try {
    dir = dropboxSpecDir();
  } catch {
    dir = undefined;
  }
  spec = dir === undefined ? StoneSpec.fromExcerpt(readFileSync(excerptPath, 'utf8')) : StoneSpec.read(dir);
  return spec;
}

const excerptPath = fileURLToPath(new URL('../../reference/dropbox-stone.excerpt.json', import.meta.url));

/** A violation and the response it was found in. */
export interface ShapeViolation extends StoneViolation {
  readonly route: string;
  readonly status: number;
}

/** Collects shape violations of every response `mock` sends from now on. */
export class ShapeWatch {
  readonly violations: ShapeViolation[] = [];
  readonly checker = new StoneChecker(dropboxSpec());
  /** Responses checked, by HTTP route and status (`files/list_folder 200`). */
  readonly checked = new Map<string, number>();

  constructor(mock: DropboxMock) {
    mock.onResponse = (event) => {
      this.observe(event);
    };
  }

  observe(event: MockResponseEvent): void {
    const key = `${event.httpRoute} ${String(event.status)}`;
    this.checked.set(key, (this.checked.get(key) ?? 0) + 1);
    const route = this.checker.spec.route(event.stone.namespace, event.stone.name, event.stone.version);
    if (route === undefined) {
      this.violations.push({ route: event.httpRoute, status: event.status, at: '$', problem: 'no such Stone route' });
      return;
    }
    for (const violation of this.checker.checkRouteResponse(route, event.status, event.body, event.errorType)) {
      this.violations.push({ route: event.httpRoute, status: event.status, ...violation });
    }
  }

  /** Returns and forgets the violations collected so far. */
  take(): ShapeViolation[] {
    return this.violations.splice(0);
  }
}
