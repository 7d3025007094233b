/**
 * Checks JSON values against Stone definitions, as Dropbox serialises them: a struct is an object of its
 * fields (a polymorphic struct adds `.tag` naming the subtype, whose fields then apply); a union is an
 * object with `.tag`, and a tag's value is inlined when it is a struct, under the tag's name otherwise.
 *
 * What it checks: every field a struct requires is present (not nullable and without a default), no field
 * it does not define is sent, every `.tag` is one the union (or the struct's subtype list) defines, and
 * the JSON kind of each value (string, boolean, integer, non-negative integer for UInt, number, array,
 * object, null only where nullable), recursively through lists, structs and unions. Timestamps must parse
 * as dates. What it does not check: string patterns and lengths, numeric ranges, list sizes, the format
 * string of a timestamp, and anything whose type lives in a namespace missing from the spec folder
 * (`file_properties`, `secondary_emails`...), which it records as unchecked instead.
 */
import type { StoneDefinition, StoneRoute, StoneSpec, StoneStruct, StoneType, StoneUnion } from './stone-reader.ts';

/** One mismatch: where (a JSON path) and what. */
export interface StoneViolation {
  readonly at: string;
  readonly problem: string;
}

export class StoneChecker {
  readonly spec: StoneSpec;
  /** Types referred to but not in the spec folder (not checked). */
  readonly unchecked = new Set<string>();

  constructor(spec: StoneSpec) {
    this.spec = spec;
  }

  /** Checks `value` against `type`; returns the violations (empty when it conforms). */
  check(type: StoneType, value: unknown, at = '$'): StoneViolation[] {
    const violations: StoneViolation[] = [];
    this.#value(type, value, at, violations);
    return violations;
  }

  /** Checks a route's result (status 200) or error body (`{error_summary, error}`). */
  checkRouteResponse(
    route: StoneRoute,
    status: number,
    body: unknown,
    errorType: string | undefined,
    at = '$',
  ): StoneViolation[] {
    if (status === 200) return this.check(route.result, body, at);
    if (typeof body !== 'object' || body === null) return []; // plain-text 400s and 503s: nothing to check
    const violations: StoneViolation[] = [];
    const record = body as Record<string, unknown>;
    if (typeof record['error_summary'] !== 'string') violations.push({ at, problem: 'an error without error_summary' });
    for (const key of Object.keys(record)) {
      if (!['error_summary', 'error', 'user_message'].includes(key))
        violations.push({ at, problem: `unknown key ${key}` });
    }
    const type: StoneType =
      errorType === undefined
        ? route.error
        : { kind: 'ref', namespace: errorType.split('.')[0] ?? '', name: errorType.split('.')[1] ?? '' };
    this.#value(type, record['error'], `${at}.error`, violations);
    return violations;
  }

  #value(type: StoneType, value: unknown, at: string, out: StoneViolation[]): void {
    switch (type.kind) {
      case 'nullable':
        if (value !== null && value !== undefined) this.#value(type.of, value, at, out);
        return;
      case 'primitive':
        this.#primitive(type.name, value, at, out);
        return;
      case 'list':
        if (!Array.isArray(value)) out.push({ at, problem: `expected a list, got ${kindOf(value)}` });
        else for (const [index, item] of value.entries()) this.#value(type.of, item, `${at}[${String(index)}]`, out);
        return;
      case 'map':
        if (!isObject(value)) out.push({ at, problem: `expected a map, got ${kindOf(value)}` });
        else for (const [key, item] of Object.entries(value)) this.#value(type.of, item, `${at}.${key}`, out);
        return;
      case 'ref': {
        const definition = this.#resolve(type);
        if (definition === undefined) return;
        if (definition.kind === 'alias') this.#value(definition.type, value, at, out);
        else if (definition.kind === 'struct') this.#struct(definition, value, at, out);
        else this.#union(definition, value, at, out);
      }
    }
  }

  #primitive(name: string, value: unknown, at: string, out: StoneViolation[]): void {
    const fail = (expected: string): void => {
      out.push({ at, problem: `expected ${expected} (${name}), got ${kindOf(value)}` });
    };
    if (name === 'Void') {
      if (value !== null && value !== undefined) fail('nothing');
    } else if (name === 'String' || name === 'Bytes') {
      if (typeof value !== 'string') fail('a string');
    } else if (name === 'Timestamp') {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) fail('a timestamp string');
    } else if (name === 'Boolean') {
      if (typeof value !== 'boolean') fail('a boolean');
    } else if (name.startsWith('UInt')) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail('a non-negative integer');
    } else if (name.startsWith('Int')) {
      if (typeof value !== 'number' || !Number.isInteger(value)) fail('an integer');
    } else if (typeof value !== 'number') fail('a number');
  }

  /** The fields of a struct and its ancestors. */
  #fields(struct: StoneStruct): StoneStruct['fields'] {
    const parent = struct.parent === undefined ? undefined : this.#resolve(struct.parent);
    return [...(parent?.kind === 'struct' ? this.#fields(parent) : []), ...struct.fields];
  }

  #struct(struct: StoneStruct, value: unknown, at: string, out: StoneViolation[], tagged = false): void {
    if (!isObject(value)) {
      out.push({ at, problem: `expected struct ${struct.name}, got ${kindOf(value)}` });
      return;
    }
    if (struct.subtypes.size > 0 && !tagged) {
      const tag = value['.tag'];
      const subtype = typeof tag === 'string' ? struct.subtypes.get(tag) : undefined;
      const definition = subtype === undefined ? undefined : this.#resolve(subtype);
      if (definition?.kind !== 'struct') {
        out.push({ at, problem: `.tag ${JSON.stringify(tag)} is not a subtype of ${struct.name}` });
        return;
      }
      this.#struct(definition, value, at, out, definition.subtypes.size === 0);
      return;
    }
    const fields = this.#fields(struct);
    const names = new Set(fields.map((field) => field.name));
    for (const key of Object.keys(value)) {
      if (key === '.tag' && tagged) continue;
      if (!names.has(key)) out.push({ at, problem: `${struct.name} has no field ${key}` });
    }
    for (const field of fields) {
      const present = value[field.name] !== undefined && value[field.name] !== null;
      if (!present) {
        if (field.type.kind !== 'nullable' && !field.hasDefault) {
          out.push({ at, problem: `${struct.name}.${field.name} is required` });
        }
        continue;
      }
      this.#value(field.type, value[field.name], `${at}.${field.name}`, out);
    }
  }

  /** The tags of a union and its ancestors. */
  #tags(union: StoneUnion): Map<string, StoneType | undefined> {
    const parent = union.parent === undefined ? undefined : this.#resolve(union.parent);
    return new Map([...(parent?.kind === 'union' ? this.#tags(parent) : []), ...union.tags]);
  }

  #union(union: StoneUnion, value: unknown, at: string, out: StoneViolation[]): void {
    if (!isObject(value) || typeof value['.tag'] !== 'string') {
      out.push({ at, problem: `expected union ${union.name} (an object with .tag), got ${kindOf(value)}` });
      return;
    }
    const tag = value['.tag'];
    const tags = this.#tags(union);
    if (!tags.has(tag)) {
      out.push({ at, problem: `.tag ${JSON.stringify(tag)} is not a tag of ${union.name}` });
      return;
    }
    const type = tags.get(tag);
    const others = Object.keys(value).filter((key) => key !== '.tag');
    if (type === undefined) {
      if (others.length > 0) out.push({ at, problem: `void tag ${tag} of ${union.name} carries ${others.join(', ')}` });
      return;
    }
    const definition = type.kind === 'ref' ? this.#resolve(type) : undefined;
    if (definition?.kind === 'struct') {
      this.#struct(definition, value, `${at}(${tag})`, out, true);
      return;
    }
    for (const key of others) if (key !== tag) out.push({ at, problem: `tag ${tag} of ${union.name} carries ${key}` });
    this.#value(type, value[tag], `${at}.${tag}`, out);
  }

  #resolve(type: StoneType): StoneDefinition | undefined {
    if (type.kind !== 'ref') return undefined;
    const definition = this.spec.definition(type.namespace, type.name);
    if (definition === undefined) this.unchecked.add(`${type.namespace}.${type.name}`);
    return definition;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
