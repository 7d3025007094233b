/**
 * `@holdfast/server`: the Holdfast reference server.
 *
 * @packageDocumentation
 */
export { packageName, packageVersion } from './package-info.ts';
