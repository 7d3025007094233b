/**
 * A token store in a JSON file, for the CLI's Box OAuth connections: Box refresh tokens are single-use,
 * so every renewal's new pair MUST be kept before the next run, or the connection is lost. The file is
 * written whole to a temp file (mode 0600) and renamed over the old one, so a crash leaves the old pair
 * or the new one, never half of each.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The tokens of one connection (the shape the connectors' token stores take). */
export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken?: string | undefined;
  /** ISO 8601. */
  readonly expiresAt?: string | undefined;
}

export class FileTokenStore {
  readonly #path: string;
  readonly #seed: { readonly refreshToken?: string };

  /** `seed.refreshToken` is used when the file does not exist yet (the first run). */
  constructor(path: string, seed: { readonly refreshToken?: string } = {}) {
    this.#path = path;
    this.#seed = seed;
  }

  async get(): Promise<StoredTokens | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const { refreshToken } = this.#seed;
      // No access token yet: an expired empty one makes the connector renew with the seed at once.
      return refreshToken === undefined
        ? undefined
        : { accessToken: '', refreshToken, expiresAt: new Date(0).toISOString() };
    }
    const value = JSON.parse(text) as Partial<StoredTokens>;
    if (typeof value.accessToken !== 'string') throw new Error(`${this.#path} holds no tokens`);
    return value as StoredTokens;
  }

  async set(tokens: StoredTokens): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
    const temp = `${this.#path}.${String(process.pid)}.tmp`;
    await writeFile(temp, `${JSON.stringify(tokens)}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, this.#path);
  }
}
