/**
 * `@holdfast/engine`: the Holdfast backup engine.
 *
 * This first release carries the error taxonomy every other part of Holdfast speaks; the repository,
 * backup, restore and the `holdfast` CLI build on it.
 *
 * @packageDocumentation
 */
export * from './errors/index.ts';
export { packageName, packageVersion } from './package-info.ts';
