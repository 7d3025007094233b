/**
 * A small reader of Dropbox's Stone specs (https://github.com/dropbox/stone), enough to check the mock's
 * responses against the published API: namespaces, aliases, structs (fields, `extends`, and the
 * enumerated subtypes of polymorphic structs such as `files.Metadata`), unions (`union`/`union_closed`,
 * tags with or without a type, `extends`) and routes (`name:version (Arg, Result, Error)`).
 *
 * What it reads of a type expression: the type's name (qualified or not), `List(T)`, `Map(K, V)` and a
 * trailing `?`; arguments such as `max_length` or `pattern` are skipped. What it skips altogether:
 * docstrings, examples, annotations, route attributes and defaults' values (a field with a default is
 * taken as optional, as Stone's JSON serialisation allows omitting it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type StoneType =
  | { readonly kind: 'primitive'; readonly name: string }
  | { readonly kind: 'list'; readonly of: StoneType }
  | { readonly kind: 'map'; readonly of: StoneType }
  | { readonly kind: 'nullable'; readonly of: StoneType }
  | { readonly kind: 'ref'; readonly namespace: string; readonly name: string };

export interface StoneField {
  readonly name: string;
  readonly type: StoneType;
  readonly hasDefault: boolean;
}

export interface StoneStruct {
  readonly kind: 'struct';
  readonly namespace: string;
  readonly name: string;
  readonly parent?: StoneType | undefined;
  readonly fields: StoneField[];
  /** Enumerated subtypes (tag → struct), for polymorphic structs. */
  readonly subtypes: Map<string, StoneType>;
}

export interface StoneUnion {
  readonly kind: 'union';
  readonly namespace: string;
  readonly name: string;
  readonly parent?: StoneType | undefined;
  readonly closed: boolean;
  /** Tag → its type (`undefined` for a void tag). */
  readonly tags: Map<string, StoneType | undefined>;
}

export interface StoneAlias {
  readonly kind: 'alias';
  readonly namespace: string;
  readonly name: string;
  readonly type: StoneType;
}

export type StoneDefinition = StoneStruct | StoneUnion | StoneAlias;

export interface StoneRoute {
  readonly namespace: string;
  readonly name: string;
  readonly version: number;
  readonly arg: StoneType;
  readonly result: StoneType;
  readonly error: StoneType;
}

const PRIMITIVES = new Set([
  'String',
  'Boolean',
  'Bytes',
  'Int32',
  'Int64',
  'UInt32',
  'UInt64',
  'Float32',
  'Float64',
  'Timestamp',
  'Void',
]);

/** The definitions and routes of every `.stone` file of a folder. */
export class StoneSpec {
  readonly definitions = new Map<string, StoneDefinition>();
  readonly routes = new Map<string, StoneRoute>();
  readonly namespaces = new Set<string>();

  /** Reads every `*.stone` file in `dir`. */
  static read(dir: string): StoneSpec {
    const spec = new StoneSpec();
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith('.stone'))
      .sort()) {
      spec.add(readFileSync(join(dir, file), 'utf8'));
    }
    return spec;
  }

  /** A spec from an excerpt written by `test/reference/generate.ts` (Maps as `{ $map: entries }`). */
  static fromExcerpt(json: string): StoneSpec {
    const spec = new StoneSpec();
    const excerpt = JSON.parse(json, (_key, value: unknown) =>
      typeof value === 'object' && value !== null && '$map' in value
        ? // JSON keeps a void union tag's `undefined` as null: give it back.
          new Map((value as { $map: [string, unknown][] }).$map.map(([key, item]) => [key, item ?? undefined]))
        : value,
    ) as { routes: StoneRoute[]; definitions: StoneDefinition[] };
    for (const route of excerpt.routes) {
      spec.routes.set(`${route.namespace}/${route.name}:${String(route.version)}`, route);
      spec.namespaces.add(route.namespace);
    }
    for (const definition of excerpt.definitions) {
      spec.definitions.set(`${definition.namespace}.${definition.name}`, definition);
      spec.namespaces.add(definition.namespace);
    }
    return spec;
  }

  /** The definition `namespace.Name`, if the spec has it. */
  definition(namespace: string, name: string): StoneDefinition | undefined {
    return this.definitions.get(`${namespace}.${name}`);
  }

  /** The route `namespace/name:version`, if the spec has it. */
  route(namespace: string, name: string, version: number): StoneRoute | undefined {
    return this.routes.get(`${namespace}/${name}:${String(version)}`);
  }

  /** Parses one `.stone` file's text into the spec. */
  add(text: string): void {
    const lines = stripStringsAndComments(text).split('\n');
    let namespace = '';
    let current: StoneStruct | StoneUnion | undefined;
    /** Inside a struct's `union`/`union_closed` subtype block. */
    let inSubtypes = false;
    /** Lines deeper than this belong to something skipped (an example, a field's doc). */
    let skipDeeperThan: number | undefined;
    for (const raw of lines) {
      if (raw.trim() === '' || raw.trim() === '""') continue;
      const indent = raw.length - raw.trimStart().length;
      const line = raw.trim();
      if (skipDeeperThan !== undefined && indent > skipDeeperThan) continue;
      skipDeeperThan = undefined;
      if (indent === 0) {
        current = undefined;
        inSubtypes = false;
        const words = line.split(/\s+/);
        const [keyword, name] = words;
        if (keyword === 'namespace' && name !== undefined) {
          namespace = name;
          this.namespaces.add(name);
        } else if (keyword === 'alias' && name !== undefined) {
          const type = parseType(line.slice(line.indexOf('=') + 1).trim(), namespace);
          this.definitions.set(`${namespace}.${name}`, { kind: 'alias', namespace, name, type });
        } else if ((keyword === 'struct' || keyword === 'union' || keyword === 'union_closed') && name !== undefined) {
          const parent = words[2] === 'extends' && words[3] !== undefined ? parseType(words[3], namespace) : undefined;
          current =
            keyword === 'struct'
              ? { kind: 'struct', namespace, name, parent, fields: [], subtypes: new Map() }
              : { kind: 'union', namespace, name, parent, closed: keyword === 'union_closed', tags: new Map() };
          this.definitions.set(`${namespace}.${name}`, current);
        } else if (keyword === 'route' && name !== undefined) {
          this.#addRoute(line, namespace);
          skipDeeperThan = 0;
        } else {
          skipDeeperThan = 0; // import, annotation, annotation_type...
        }
        continue;
      }
      if (current === undefined) continue;
      if (line.startsWith('@') || line.startsWith('""')) {
        skipDeeperThan = indent;
        continue;
      }
      const [first, second] = line.split(/\s+/);
      if (first === undefined) continue;
      if (first === 'example') {
        skipDeeperThan = indent;
        continue;
      }
      if (current.kind === 'struct' && indent === 4 && (line === 'union' || line === 'union_closed')) {
        inSubtypes = true;
        continue;
      }
      if (current.kind === 'struct' && inSubtypes && indent > 4) {
        if (second !== undefined) current.subtypes.set(first, parseType(second, namespace));
        continue;
      }
      if (indent !== 4) continue; // a field's or tag's doc
      inSubtypes = false;
      const rest = line.slice(first.length).trim();
      const equals = topLevelIndex(rest, '=');
      const typeText = (equals === -1 ? rest : rest.slice(0, equals)).trim();
      if (current.kind === 'struct') {
        if (typeText === '') continue;
        current.fields.push({ name: first, type: parseType(typeText, namespace), hasDefault: equals !== -1 });
      } else {
        current.tags.set(first, typeText === '' ? undefined : parseType(typeText, namespace));
      }
      skipDeeperThan = indent;
    }
  }

  #addRoute(line: string, namespace: string): void {
    const match = /^route\s+([\w/]+)(?::(\d+))?\s*\((.*)\)/.exec(line);
    if (match === null) return;
    const [arg, result, error] = splitTop(match[3] ?? '');
    if (arg === undefined || result === undefined || error === undefined) return;
    const route: StoneRoute = {
      namespace,
      name: match[1] ?? '',
      version: Number(match[2] ?? '1'),
      arg: parseType(arg, namespace),
      result: parseType(result, namespace),
      error: parseType(error, namespace),
    };
    this.routes.set(`${namespace}/${route.name}:${String(route.version)}`, route);
  }
}

/** Parses `files.Metadata?`, `List(String, max_items=1)?`, `UInt64(max_value=2)`. */
export function parseType(text: string, namespace: string): StoneType {
  let body = text.trim();
  let nullable = false;
  if (body.endsWith('?')) {
    nullable = true;
    body = body.slice(0, -1).trim();
  }
  const open = body.indexOf('(');
  const name = open === -1 ? body : body.slice(0, open).trim();
  const args = open === -1 ? [] : splitTop(body.slice(open + 1, body.lastIndexOf(')')));
  let type: StoneType;
  if (name === 'List') type = { kind: 'list', of: parseType(args[0] ?? 'Void', namespace) };
  else if (name === 'Map') type = { kind: 'map', of: parseType(args[1] ?? 'Void', namespace) };
  else if (PRIMITIVES.has(name)) type = { kind: 'primitive', name };
  else if (name.includes('.')) {
    const [ns, local] = name.split('.');
    type = { kind: 'ref', namespace: ns ?? '', name: local ?? '' };
  } else type = { kind: 'ref', namespace, name };
  return nullable ? { kind: 'nullable', of: type } : type;
}

/** The index of the first `char` outside parentheses, or -1. */
function topLevelIndex(text: string, char: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
    else if (text[i] === char && depth === 0) return i;
  }
  return -1;
}

/** Splits `a, List(b, c), d` at commas outside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (text.slice(start).trim() !== '') parts.push(text.slice(start).trim());
  return parts;
}

/**
 * Replaces every string literal (docstrings can span lines and hold escaped quotes) with `""` and drops
 * `#` comments, so the rest can be read line by line by indentation.
 */
function stripStringsAndComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += '""';
      i = j;
    } else if (char === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
      out += '\n';
    } else {
      out += text.charAt(i);
    }
  }
  return out;
}
