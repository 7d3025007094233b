import { defineConfig } from 'vitest/config';
import { packageDefines } from '../../scripts/build/package-build-config.ts';

export default defineConfig({
  define: packageDefines(import.meta.dirname),
  test: {
    name: 'storage-adapters',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Emulators, mocks and child processes are slow to answer on a loaded 2-core machine: generous limits,
    // so a slow run is never mistaken for a failure (no test measures time).
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
