/**
 * `@holdfast/sdk`: the typed client for the Holdfast REST API.
 *
 * @packageDocumentation
 */
export { packageName, packageVersion } from './package-info.ts';
