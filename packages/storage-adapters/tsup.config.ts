import { defineConfig } from 'tsup';
import { tsupOptions } from '../../scripts/build/package-build-config.ts';

export default defineConfig(
  tsupOptions(import.meta.dirname, {
    index: 'src/index.ts',
    s3: 'src/s3/index.ts',
    'azure-blob': 'src/azure-blob/index.ts',
    gcs: 'src/gcs/index.ts',
    box: 'src/box/index.ts',
    dropbox: 'src/dropbox/index.ts',
  }),
);
