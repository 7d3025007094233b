import { defineConfig } from 'vitest/config';
import { packageDefines } from '../../scripts/build/package-build-config.ts';

export default defineConfig({
  define: packageDefines(import.meta.dirname),
  test: {
    name: 'engine',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
