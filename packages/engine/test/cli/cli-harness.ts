/**
 * Runs `holdfast` in-process through `main(argv, io)` with captured output, on temp folders. Keys are
 * created with the cheap test KDF (`HOLDFAST_TEST_CHEAP_KDF=1`) so a run takes milliseconds.
 */
import { mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly cwd?: string | undefined;
  readonly isTTY?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly columns?: number | undefined;
  /** Called with every write to stderr (to react to progress). */
  readonly onStderr?: ((text: string) => void) | undefined;
}

/** A sandbox: a temp folder with a repository path and the environment to reach it. */
export class CliSandbox {
  readonly root: string;
  readonly repo: string;
  env: Record<string, string | undefined>;

  private constructor(root: string) {
    this.root = root;
    this.repo = join(root, 'repo');
    this.env = {
      HOLDFAST_REPOSITORY: this.repo,
      HOLDFAST_PASSWORD: 'correct horse battery staple',
      HOLDFAST_TEST_CHEAP_KDF: '1',
    };
  }

  static async create(): Promise<CliSandbox> {
    return new CliSandbox(await mkdtemp(join(tmpdir(), 'holdfast-cli-')));
  }

  path(...names: string[]): string {
    return join(this.root, ...names);
  }

  /** Runs `holdfast ...argv` in-process. */
  async run(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
    return runCli(argv, {
      ...options,
      cwd: options.cwd ?? this.root,
      env: { ...this.env, ...options.env },
    });
  }

  /** Runs a command that must succeed (exit 0) and returns its output. */
  async ok(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
    const result = await this.run(argv, options);
    if (result.code !== 0) {
      throw new Error(`holdfast ${argv.join(' ')} exited ${String(result.code)}\n${result.stderr}${result.stdout}`);
    }
    return result;
  }

  /** Runs a `--json` command that must succeed and parses its stdout. */
  async json<T>(argv: readonly string[], options: RunOptions = {}): Promise<T> {
    return JSON.parse((await this.ok([...argv, '--json'], options)).stdout) as T;
  }

  async cleanup(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/** Runs `main` with captured stdout and stderr. */
export async function runCli(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text;
        return true;
      },
    },
    stderr: {
      write: (text: string) => {
        stderr += text;
        options.onStderr?.(text);
        return true;
      },
    },
    env: options.env ?? {},
    isTTY: options.isTTY ?? false,
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
    columns: options.columns,
  });
  return { code, stdout, stderr };
}

/** Every file and folder under `root` with size and modification time: to prove nothing was written. */
export async function listing(root: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const info = await stat(path);
      lines.push(
        `${prefix}${entry.name}${entry.isDirectory() ? '/' : ''} ${String(info.size)} ${String(info.mtimeMs)}`,
      );
      if (entry.isDirectory()) await walk(path, `${prefix}${entry.name}/`);
    }
  };
  await walk(root, '');
  return lines.sort();
}

/** Every file under `root` with its content, for exact comparison of a restore with its source. */
export async function contents(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path, `${prefix}${entry.name}/`);
      else if (entry.isFile()) files[`${prefix}${entry.name}`] = (await readFile(path)).toString('base64');
      else if (entry.isSymbolicLink()) files[`${prefix}${entry.name}`] = `symlink -> ${await readlink(path)}`;
    }
  };
  await walk(root, '');
  return files;
}
