/**
 * `@holdfast/storage-adapters/azure-blob`: under construction (issue 5).
 *
 * @packageDocumentation
 */
export {};
