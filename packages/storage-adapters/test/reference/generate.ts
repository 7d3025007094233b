/**
 * Generates this folder's excerpts of the services' published API descriptions from the shared reference
 * folder (`<repo>/../shared/reference`, or `HOLDFAST_REFERENCE_DIR`), so that the mocks' answers are
 * still checked against the published shapes on a machine without that folder:
 *
 * - `box-openapi.excerpt.json`: the paths of Box's OpenAPI description that the Box mock serves, and every
 *   component they reference (Apache-2.0, `box-openapi.LICENSE`);
 * - `dropbox-stone.excerpt.json`: the routes of Dropbox's Stone specs that the Dropbox mock serves, and
 *   every definition they reference, as parsed by our Stone reader (MIT, `dropbox-api-spec.LICENSE`).
 *
 * Run `node packages/storage-adapters/test/reference/generate.ts` after the mocks serve new routes or the
 * reference changes; the tests read the full reference when it is there and these excerpts otherwise.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiRoutes } from '../box/box-mock/box-mock-routes.ts';
import { uploadRoutes } from '../box/box-mock/box-mock-uploads.ts';
import { contentRoutes } from '../dropbox/dropbox-mock/mock-content-routes.ts';
import { filesRoutes } from '../dropbox/dropbox-mock/mock-files-routes.ts';
import { teamRoutes } from '../dropbox/dropbox-mock/mock-team-routes.ts';
import { StoneSpec, type StoneType } from '../dropbox/stone/stone-reader.ts';

const here = dirname(fileURLToPath(import.meta.url));
const reference = process.env['HOLDFAST_REFERENCE_DIR'] ?? resolve(here, '../../../../../shared/reference');

// --- Box: the served paths and the components they reach.
const box = JSON.parse(readFileSync(join(reference, 'box-openapi.json'), 'utf8')) as {
  paths: Record<string, unknown>;
  components: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};
const routes = [...apiRoutes, ...uploadRoutes];
const served = Object.keys(box.paths).filter(
  (path) => path === '/oauth2/token' || routes.some((route) => route.pattern.test(path.replace(/\{[^}]+\}/g, '123'))),
);
const wanted = new Set<string>();
const visit = (value: unknown): void => {
  if (Array.isArray(value)) {
    for (const item of value) visit(item);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/') && !wanted.has(child)) {
        wanted.add(child);
        const [, , section, name] = child.split('/');
        visit(box.components[section ?? '']?.[name ?? '']);
      } else {
        visit(child);
      }
    }
  }
};
const paths = Object.fromEntries(served.map((path) => [path, box.paths[path]]));
visit(paths);
const components: Record<string, Record<string, unknown>> = {};
for (const ref of wanted) {
  const [, , section = '', name = ''] = ref.split('/');
  (components[section] ??= {})[name] = box.components[section]?.[name];
}
const { paths: _all, components: _everything, ...top } = box;
writeFileSync(join(here, 'box-openapi.excerpt.json'), `${JSON.stringify({ ...top, paths, components }, null, 1)}\n`);
copyFileSync(join(reference, 'box-openapi.LICENSE'), join(here, 'box-openapi.LICENSE'));

// --- Dropbox: the served routes and the definitions they reach.
const stone = StoneSpec.read(join(reference, 'dropbox-api-spec'));
const keep = { routes: [] as unknown[], definitions: [] as unknown[] };
const seen = new Set<string>();
const reach = (type: StoneType | undefined): void => {
  if (type === undefined) return;
  if (type.kind === 'ref') {
    const key = `${type.namespace}.${type.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    const definition = stone.definitions.get(key);
    if (definition === undefined) return;
    keep.definitions.push(serialise(definition));
    if (definition.kind !== 'alias') reach(definition.parent);
    if (definition.kind === 'struct') {
      for (const field of definition.fields) reach(field.type);
      for (const subtype of definition.subtypes.values()) reach(subtype);
    } else if (definition.kind === 'union') {
      for (const tag of definition.tags.values()) reach(tag);
    } else {
      reach(definition.type);
    }
  } else if (type.kind !== 'primitive') {
    reach(type.of);
  }
};
for (const name of Object.keys({ ...filesRoutes, ...contentRoutes, ...teamRoutes })) {
  for (const route of stone.routes.values()) {
    if (`${route.namespace}/${route.name}${route.version > 1 ? `_v${String(route.version)}` : ''}` !== name) continue;
    keep.routes.push(route);
    reach(route.arg);
    reach(route.result);
    reach(route.error);
  }
}
writeFileSync(join(here, 'dropbox-stone.excerpt.json'), `${JSON.stringify(keep, null, 1)}\n`);
copyFileSync(join(reference, 'dropbox-api-spec', 'LICENSE'), join(here, 'dropbox-api-spec.LICENSE'));
console.log(
  `box: ${String(served.length)} paths, ${String(wanted.size)} components; dropbox: ${String(keep.routes.length)} routes, ${String(keep.definitions.length)} definitions`,
);

function serialise(definition: object): unknown {
  return JSON.parse(
    JSON.stringify(definition, (_key, value: unknown) =>
      value instanceof Map ? { $map: [...value.entries()] } : value,
    ),
  );
}
