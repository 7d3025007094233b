/**
 * `@holdfast/storage-adapters/s3`: under construction (issue 5).
 *
 * @packageDocumentation
 */
export {};
