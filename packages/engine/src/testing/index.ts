/**
 * `@holdfast/engine/testing`: the conformance suites of the engine's ports.
 *
 * @packageDocumentation
 */
export {};
