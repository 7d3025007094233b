// prepack: every published package carries the repository's LICENSE (kept once, at the root).
import { copyFileSync } from 'node:fs';

copyFileSync(new URL('../../LICENSE', import.meta.url), 'LICENSE');
