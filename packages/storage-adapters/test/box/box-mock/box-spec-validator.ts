/**
 * Validates the mock's answers against Box's published OpenAPI description: for each answer, the
 * operation is found by method and path template (the template with the most literal segments wins, so
 * `/folders/trash/items` beats `/folders/{folder_id}/items`), then the response by status (or `default`),
 * and a JSON body is validated with Ajv against that response's schema. An answer to an operation or
 * status the description does not have is a violation too.
 *
 * The description is OpenAPI 3.0; three translations make it a JSON Schema Ajv can check, each kept as
 * narrow as the description allows:
 * - `nullable: true` becomes a union with `null` (Ajv refuses `nullable` without `type`, and the
 *   description often puts it in an `allOf` member of its own); `nullable: false` is dropped.
 * - `oneOf` is checked as `anyOf`: the description's unions overlap (`EventSourceResource` lists
 *   `GenericSource`, which admits any object, next to `File` and `Folder`), so an exact-one check would
 *   refuse every event Box sends. To keep events checked, an event's `source` of type file, folder or
 *   web link is also validated against `File`, `Folder` or `WebLink`.
 * - `ClientError.code` is an enum that leaves out codes the same description documents in its error
 *   responses (`item_name_in_use` for a 409, `access_denied_insufficient_permissions` for a 403...). The
 *   code is checked against the enum plus the codes the description documents, in backticks, for that
 *   HTTP status in any operation's response description; nothing is added by hand.
 * Formats Ajv does not know (`int64`, `digest`, `token`...) are accepted as they are; `date-time`,
 * `email` and the other standard ones are checked by ajv-formats.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { loadBoxSpec, type OpenApiOperation, type OpenApiResponse } from './box-spec.ts';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const METHODS = ['get', 'post', 'put', 'delete', 'options', 'patch'];

interface Template {
  readonly path: string;
  readonly pattern: RegExp;
  readonly literals: number;
  readonly operations: Record<string, OpenApiOperation>;
}

/** Checks answers of the mock; see the module note. */
export class BoxSpecValidator {
  readonly #ajv: Ajv;
  readonly #templates: Template[];
  readonly #validators = new Map<string, ValidateFunction | null>();
  readonly #documentedCodes: Map<string, Set<string>>;
  readonly #clientErrorCodes: Set<string>;
  readonly #sourceValidators: Record<string, ValidateFunction>;

  constructor() {
    const spec = loadBoxSpec();
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.#ajv);
    for (const format of collectFormats(spec.components)) {
      if (!this.#ajv.formats[format]) this.#ajv.addFormat(format, true);
    }
    const schemas = normalise(spec.components.schemas) as Record<string, Record<string, unknown>>;
    const clientError = schemas['ClientError'] as { properties: { code: { enum?: string[] } } };
    this.#clientErrorCodes = new Set(clientError.properties.code.enum ?? []);
    delete clientError.properties.code.enum;
    const conflictError = schemas['ConflictError'] as { properties?: { code?: { enum?: string[] } } } | undefined;
    if (conflictError?.properties?.code !== undefined) delete conflictError.properties.code.enum;
    this.#ajv.addSchema({ $id: 'box', components: { schemas } });
    this.#templates = Object.entries(spec.paths)
      .filter(([path]) => !path.includes('#'))
      .map(([path, item]) => {
        const operations: Record<string, OpenApiOperation> = {};
        for (const method of METHODS) {
          const operation = item[method];
          if (operation !== undefined) operations[method] = operation as OpenApiOperation;
        }
        const segments = path.split('/').filter((segment) => segment !== '');
        const pattern = new RegExp(
          `^/${segments.map((segment) => (segment.startsWith('{') ? '[^/]+' : escapeRegExp(segment))).join('/')}$`,
        );
        return { path, pattern, literals: segments.filter((segment) => !segment.startsWith('{')).length, operations };
      });
    this.#documentedCodes = documentedErrorCodes(this.#templates);
    this.#sourceValidators = {
      file: this.#ajv.compile({ $ref: 'box#/components/schemas/File' }),
      folder: this.#ajv.compile({ $ref: 'box#/components/schemas/Folder' }),
      web_link: this.#ajv.compile({ $ref: 'box#/components/schemas/WebLink' }),
    };
  }

  /**
   * The problems of one answer (empty when it conforms). `path` is the API path after `/2.0`
   * (`/folders/0/items`).
   */
  check(method: string, path: string, status: number, contentType: string | null, body: string): string[] {
    const template = this.#templates
      .filter((candidate) => candidate.pattern.test(path) && candidate.operations[method.toLowerCase()] !== undefined)
      .sort((a, b) => b.literals - a.literals)[0];
    if (template === undefined) return [`the description has no operation ${method} ${path}`];
    const operation = template.operations[method.toLowerCase()] ?? {};
    const statusKey = operation.responses?.[String(status)] === undefined ? 'default' : String(status);
    const response: OpenApiResponse | undefined = operation.responses?.[statusKey];
    if (response === undefined) return [`${method} ${template.path} has no response ${status} and no default`];
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) {
      if (body !== '' && contentType?.includes('json') === true) {
        return [`${method} ${template.path} ${status} has no JSON body in the description, but one was sent`];
      }
      return [];
    }
    if (contentType?.includes('application/json') !== true) {
      return [`${method} ${template.path} ${status} must be application/json, was ${String(contentType)}`];
    }
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      return [`${method} ${template.path} ${status}: the body is not JSON`];
    }
    const key = `${method} ${template.path} ${statusKey}`;
    let validate = this.#validators.get(key);
    if (validate === undefined) {
      validate = this.#ajv.compile(rewriteRefs(normalise(schema)) as object);
      this.#validators.set(key, validate);
    }
    const problems: string[] = [];
    if (validate !== null && !validate(data)) {
      for (const error of validate.errors ?? [])
        problems.push(`${key}: ${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
    }
    problems.push(...this.#checkErrorCode(key, status, data), ...this.#checkEventSources(key, data));
    return problems;
  }

  #checkErrorCode(key: string, status: number, data: unknown): string[] {
    const record = data as { type?: unknown; code?: unknown } | null;
    if (record?.type !== 'error' || typeof record.code !== 'string') return [];
    if (this.#clientErrorCodes.has(record.code) || this.#documentedCodes.get(String(status))?.has(record.code) === true)
      return [];
    return [
      `${key}: error code ${JSON.stringify(record.code)} is neither in ClientError's enum nor documented for ${status}`,
    ];
  }

  #checkEventSources(key: string, data: unknown): string[] {
    if (!key.startsWith('GET /events ')) return [];
    const problems: string[] = [];
    for (const [index, event] of ((data as { entries?: unknown[] }).entries ?? []).entries()) {
      const source = (event as { source?: { type?: unknown } }).source;
      const validate = typeof source?.type === 'string' ? this.#sourceValidators[source.type] : undefined;
      if (validate !== undefined && !validate(source)) {
        for (const error of validate.errors ?? [])
          problems.push(`${key}: /entries/${index}/source${error.instancePath} ${error.message ?? ''}`);
      }
    }
    return problems;
  }
}

/** The OpenAPI 3.0 to JSON Schema translations of the module note, in place. */
function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (typeof node !== 'object' || node === null) return node;
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    // Examples are data, not schemas (some hold `$id` keys that Ajv would take for schema ids).
    if (key !== 'example' && key !== 'examples') record[key] = normalise(value);
  }
  if (Array.isArray(record['oneOf'])) {
    record['anyOf'] = record['oneOf'];
    delete record['oneOf'];
  }
  let nullable = record['nullable'] === true;
  delete record['nullable'];
  if (Array.isArray(record['allOf'])) {
    const members = record['allOf'] as Record<string, unknown>[];
    // A member that only says "nullable" (its nullable already lifted into a wrapper) makes the whole nullable.
    const kept = members.filter((member) => !isNullWrapperOnly(member));
    if (kept.length !== members.length) nullable = true;
    record['allOf'] = kept;
  }
  if (!nullable) return record;
  if (typeof record['type'] === 'string' && record['allOf'] === undefined && record['$ref'] === undefined) {
    record['type'] = [record['type'], 'null'];
    if (Array.isArray(record['enum'])) record['enum'] = [...(record['enum'] as unknown[]), null];
    return record;
  }
  return { anyOf: [{ type: 'null' }, record] };
}

/** `{ anyOf: [{ type: 'null' }, {...}] }` made by {@link normalise} for a member with only annotations. */
function isNullWrapperOnly(member: Record<string, unknown>): boolean {
  const anyOf = member['anyOf'];
  if (!Array.isArray(anyOf) || anyOf.length !== 2 || Object.keys(member).length !== 1) return false;
  const [first, second] = anyOf as Record<string, unknown>[];
  if (first?.['type'] !== 'null' || second === undefined) return false;
  return Object.keys(second).every((key) => key === 'description' || key === 'title' || key.startsWith('x-'));
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (typeof node !== 'object' || node === null) return node;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    record[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? `box${value}` : rewriteRefs(value);
  }
  return record;
}

function collectFormats(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) collectFormats(item, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'format' && typeof value === 'string') found.add(value);
      else collectFormats(value, found);
    }
  }
  return found;
}

/** The error codes each status's response descriptions document in backticks (`item_name_in_use`). */
function documentedErrorCodes(templates: readonly Template[]): Map<string, Set<string>> {
  const codes = new Map<string, Set<string>>();
  for (const template of templates) {
    for (const operation of Object.values(template.operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^[45]\d\d$/.test(status)) continue;
        for (const match of (response.description ?? '').matchAll(/`([a-z][a-z_]+)`/g)) {
          const set = codes.get(status) ?? new Set<string>();
          set.add(match[1] ?? '');
          codes.set(status, set);
        }
      }
    }
  }
  return codes;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
