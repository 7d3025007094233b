/**
 * `@holdfast/sdk`: the typed client for the Holdfast REST API.
 *
 * @packageDocumentation
 */
export { packageName, packageVersion } from './package-info.ts';
/** The REST contract's types, generated from `openapi/holdfast.yaml` (the server implements the same). */
export type { components, operations, paths } from './generated/holdfast.ts';
