/** What an upload is told (shared by the single-request and resumable paths of `gcs-upload.ts`). */
import { IntegrityError } from '@holdfast/engine';

/** How one object is written. */
export interface UploadPlan {
  /** For messages: `put of "data/ab"`. */
  readonly what: string;
  readonly contentType: string;
  /** The body's size when known in advance; a body of another size is refused with `IntegrityError`. */
  readonly size?: number | undefined;
  /** `0`: only if no object has the name (export destinations); `ConflictError` otherwise. */
  readonly ifGenerationMatch?: number | undefined;
  readonly resumableThreshold: number;
  readonly chunkSize: number;
  readonly signal?: AbortSignal | undefined;
}

/** Checks the body's size against the size hint. */
export function checkSize(size: number, plan: UploadPlan): void {
  if (plan.size !== undefined && plan.size !== size) {
    throw new IntegrityError(`GCS ${plan.what}: the body has ${size} bytes, not the ${plan.size} announced`);
  }
}

/** Lets a source that will not be read to its end release what it holds. */
export async function closeQuietly(source: AsyncIterator<Uint8Array>): Promise<void> {
  try {
    await source.return?.();
  } catch {
    // The source's own failure is not the one to report.
  }
}
