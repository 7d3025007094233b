import { defineConfig } from 'vitest/config';

// The root run: every package and the examples, each with its own vitest config.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples'],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts'],
      reporter: ['text-summary', 'html', 'json-summary'],
    },
  },
});
