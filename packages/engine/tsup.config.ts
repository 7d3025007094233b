import { defineConfig } from 'tsup';
import { tsupOptions } from '../../scripts/build/package-build-config.ts';

export default defineConfig(
  tsupOptions(import.meta.dirname, {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    cli: 'src/cli/main.ts',
  }),
);
