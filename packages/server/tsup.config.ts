import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { tsupOptions } from '../../scripts/build/package-build-config.ts';

export default defineConfig({
  ...tsupOptions(import.meta.dirname, { index: 'src/index.ts', cli: 'src/cli/main.ts' }),
  // `node:sqlite` exists only with its prefix; tsup would strip it to `sqlite`.
  removeNodeProtocol: false,
  // The server validates against the REST contract at run time: ship it beside the bundle.
  onSuccess: () => {
    copyFileSync(
      new URL('../../openapi/holdfast.yaml', import.meta.url),
      new URL('dist/holdfast.yaml', import.meta.url),
    );
    return Promise.resolve();
  },
});
