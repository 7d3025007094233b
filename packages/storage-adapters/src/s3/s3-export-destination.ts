/**
 * An {@link ExportDestination} in an S3 bucket: each export is one object under the prefix, written with
 * the store's streaming (multipart for large zips), so it appears only when complete.
 */
import {
  ConflictError,
  ValidationError,
  isHoldfastError,
  type ByteStream,
  type ExportDestination,
  type ExportDestinationCapabilities,
  type ExportLocation,
  type ExportWriteOptions,
} from '@holdfast/engine';
import { S3ObjectStore } from './s3-object-store.ts';
import type { S3StoreOptions } from './s3-options.ts';

export class S3ExportDestination implements ExportDestination {
  readonly name: string;
  /** S3 objects reach 5 TiB (10,000 parts of up to 512 MiB here). */
  readonly capabilities: ExportDestinationCapabilities = { maxSize: 5 * 1024 ** 4 };
  readonly #store: S3ObjectStore;

  constructor(options: S3StoreOptions) {
    this.#store = new S3ObjectStore(options);
    this.name = this.#store.name;
  }

  async write(name: string, content: ByteStream, options: ExportWriteOptions = {}): Promise<ExportLocation> {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    if (name === '' || name === '.' || name === '..' || /[/\\\u0000-\u001f\u007f]/.test(name)) {
      throw new ValidationError(`an export name is a file name, not ${JSON.stringify(name)}`);
    }
    const { signal } = options;
    const exists = await this.#store.head(name, { signal }).then(
      () => true,
      (error: unknown) => {
        if (isHoldfastError(error, 'NOT_FOUND')) return false;
        throw error;
      },
    );
    if (exists) throw new ConflictError(`${this.name}${name} exists already`);
    let size = 0;
    const counted = (async function* () {
      for await (const chunk of content) {
        size += chunk.length;
        yield chunk;
      }
    })();
    await this.#store.put(name, counted, { signal, ...(options.size === undefined ? {} : { size: options.size }) });
    return { location: `${this.name}${name}`, size };
  }
}
