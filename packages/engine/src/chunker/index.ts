/**
 * Content-defined chunking: FastCDC 2020, bit-for-bit as fastcdc-rs v2020, with Holdfast's keyed GEAR
 * table ({@link deriveChunkerParams}), whole-buffer ({@link cutPoints}, {@link chunkBuffer}) and
 * streaming ({@link chunkStream}) entry points that draw identical boundaries.
 */
export {
  chunkerSizeLimits,
  createChunkerParams,
  type ChunkerParams,
  type ChunkerParamsOptions,
  type ChunkerSizes,
} from './chunker-params.ts';
export { chunkStream } from './chunk-stream.ts';
export { chunkBuffer, cutPoints, findCutPoint, type CutPoint } from './cut-points.ts';
export { defaultChunkerSizes, deriveChunkerParams, minimumChunkerSecretLength } from './derive-chunker-params.ts';
export { fastcdcGear, type GearTable } from './gear-table.ts';
