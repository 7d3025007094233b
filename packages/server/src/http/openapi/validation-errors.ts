/**
 * Ajv's errors as the contract's `errors[]`: `{ path, message }` with `path` a JSON Pointer starting at
 * where the value was (`/body/...`, `/query/<name>`, `/path/<name>`, `/header/<name>`).
 *
 * - A missing property points at the property (`/body/email`: "is required").
 * - An unknown property or query parameter points at it ("is not allowed").
 * - For a `oneOf`, only the branches that apply are reported: a branch whose one-value `enum` tag does
 *   not match (the `Access` roles), or whose type does not match (the `null` of a nullable value), is
 *   dropped. When no branch applies, one error says what would.
 */
import type { ErrorObject } from 'ajv';
import type { FieldError } from '../problem.ts';

const roots: Readonly<Record<string, string>> = {
  requestBody: 'body',
  query: 'query',
  path: 'path',
  header: 'header',
  cookie: 'cookie',
};

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** `/requestBody/a/b` → `/body/a/b`; `''` (the whole request) → `/body`. */
function location(instancePath: string): string {
  const [, first = '', ...rest] = instancePath.split('/');
  const root = roots[first];
  if (root === undefined) return instancePath === '' ? '/body' : instancePath;
  return ['', root, ...rest].join('/');
}

function isDirectChild(child: string, parent: string): boolean {
  return child.startsWith(`${parent}/`) && !child.slice(parent.length + 1).includes('/');
}

function branchOf(error: ErrorObject, oneOfPath: string): string | undefined {
  if (!error.schemaPath.startsWith(`${oneOfPath}/`)) return undefined;
  return error.schemaPath.slice(oneOfPath.length + 1).split('/')[0];
}

/** Drops the `oneOf` branches that do not apply (see the module note). */
function pruneOneOf(errors: readonly ErrorObject[]): ErrorObject[] {
  let remaining = [...errors];
  for (const oneOf of errors.filter((error) => error.keyword === 'oneOf')) {
    const branches = new Map<string, ErrorObject[]>();
    for (const error of remaining) {
      const branch = branchOf(error, oneOf.schemaPath);
      if (branch !== undefined) branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const mismatch = (error: ErrorObject): boolean =>
      (error.keyword === 'type' && error.instancePath === oneOf.instancePath) ||
      (error.keyword === 'enum' &&
        (error.params as { allowedValues?: unknown[] }).allowedValues?.length === 1 &&
        isDirectChild(error.instancePath, oneOf.instancePath));
    const applying = [...branches.values()].filter((branchErrors) => !branchErrors.some(mismatch));
    const branchErrors = new Set([...branches.values()].flat());
    remaining = remaining.filter((error) => !branchErrors.has(error) && error !== oneOf);
    if (applying.length > 0) {
      remaining.push(...applying.flat());
      continue;
    }
    const tags = [...branchErrors].filter((error) => error.keyword === 'enum' && mismatch(error));
    const types = [...branchErrors]
      .filter((error) => error.keyword === 'type')
      .map((error) => (error.params as { type?: unknown }).type);
    if (tags.length > 0 && tags[0] !== undefined) {
      const allowed = tags.flatMap((error) => (error.params as { allowedValues: unknown[] }).allowedValues);
      remaining.push({ ...tags[0], message: `must be one of: ${allowed.map(String).join(', ')}` });
    } else if (types.length === branches.size && types.length > 0) {
      remaining.push({ ...oneOf, message: `must be ${types.map(String).join(' or ')}` });
    } else {
      remaining.push({ ...oneOf, message: 'must match one of the allowed shapes' });
    }
  }
  return remaining;
}

function toFieldError(error: ErrorObject): FieldError {
  const path = location(error.instancePath);
  if (error.keyword === 'required') {
    const property = String((error.params as { missingProperty: unknown }).missingProperty);
    return {
      path: property === 'requestBody' ? '/body' : `${path}/${escapePointer(property)}`,
      message: 'is required',
    };
  }
  if (error.keyword === 'additionalProperties') {
    const property = String((error.params as { additionalProperty: unknown }).additionalProperty);
    return { path: `${path}/${escapePointer(property)}`, message: 'is not allowed' };
  }
  if (error.keyword === 'parse') return { path: '/body', message: 'is not valid JSON' };
  return { path, message: error.message ?? 'is invalid' };
}

/** The field errors of a failed validation, each once, in Ajv's order. */
export function toFieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of pruneOneOf(errors)) {
    const field = toFieldError(error);
    const key = `${field.path}\n${field.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(field);
  }
  return result;
}
