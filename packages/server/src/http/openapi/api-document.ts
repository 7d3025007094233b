/**
 * Loads the REST contract (`openapi/holdfast.yaml`) into openapi-backend, set up as `openapi/README.md`
 * asks: `strict` (the document must pass the definition check), Ajv with `allErrors` and strict schemas,
 * ajv-formats (without it `email` and `date-time` go unchecked), request defaults applied (`limit` 50), and
 * query and path parameters coerced from strings. The server uses openapi-backend's parsed definition and its request and
 * response validators; routing and the order of checks are the server's own (`operation-router.ts`).
 *
 * The build copies the document next to the bundle (`dist/holdfast.yaml`); from the sources it is read
 * from the repository's `openapi/` folder.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { OpenAPIBackend, ValidationContext, type Operation } from 'openapi-backend';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** An operation of the contract as openapi-backend flattens it, with our extensions readable. */
export type ContractOperation = Operation & {
  readonly operationId: string;
  readonly [extension: `x-${string}`]: unknown;
};

/** A copy of openapi-backend's Ajv (its OpenAPI formats included) that fills in defaults. */
function withDefaults(ajv: Ajv, options: Options): Ajv {
  const copy = new Ajv({ ...options, useDefaults: true });
  for (const [name, format] of Object.entries(ajv.formats)) {
    if (format !== undefined) copy.addFormat(name, format);
  }
  return copy;
}

/** Where the contract is: beside the bundle when built, in the repository when run from the sources. */
export function apiDocumentPath(): string {
  const candidates = [
    new URL('./holdfast.yaml', import.meta.url),
    new URL('../../../../../openapi/holdfast.yaml', import.meta.url),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) throw new Error('the REST contract holdfast.yaml is missing from the server package');
  return fileURLToPath(found);
}

/** The contract, loaded and checked, with its validators compiled. */
export interface LoadedApi {
  readonly api: OpenAPIBackend;
  readonly operations: readonly ContractOperation[];
}

const loadedApis = new Map<string, Promise<LoadedApi>>();

/**
 * Loads and checks the contract; throws when it does not pass openapi-backend's strict definition check.
 * Loaded once per process and path (compiling every validator takes a second or so); the result holds no
 * per-request state, so servers share it.
 */
export function loadApi(path: string = apiDocumentPath()): Promise<LoadedApi> {
  let loaded = loadedApis.get(path);
  if (loaded === undefined) {
    loaded = compileApi(path);
    loadedApis.set(path, loaded);
    loaded.catch(() => {
      loadedApis.delete(path);
    });
  }
  return loaded;
}

async function compileApi(path: string): Promise<LoadedApi> {
  const api = new OpenAPIBackend({
    definition: path,
    strict: true,
    validate: true,
    coerceTypes: true,
    ajvOpts: { allErrors: true, strict: true },
    // Defaults are applied to requests only: Ajv's strict mode refuses `default` where it cannot apply
    // it, as at the root of some answer schemas.
    customizeAjv: (ajv, options, context) =>
      addFormats(
        context === ValidationContext.RequestBody || context === ValidationContext.Params
          ? withDefaults(ajv, options)
          : ajv,
      ),
  });
  await api.init();
  const operations = api.router.getOperations().map((operation) => {
    if (operation.operationId === undefined)
      throw new Error(`${operation.method} ${operation.path} has no operationId`);
    return operation as ContractOperation;
  });
  return { api, operations };
}
