/**
 * `@holdfast/storage-adapters/gcs`: under construction (issue 5).
 *
 * @packageDocumentation
 */
export {};
