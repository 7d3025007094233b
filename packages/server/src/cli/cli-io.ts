/**
 * What the `holdfast-server` commands touch outside themselves, so tests run them in-process.
 */

/** Where text goes: `process.stdout`, `process.stderr`, or a buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}

export interface ServerCliIo {
  /** Logs (JSON lines) go here. */
  readonly stdout: TextSink;
  /** What people read: the banner, results, errors. */
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted when the process is asked to stop (SIGINT, SIGTERM): `serve` then shuts down gracefully. */
  readonly signal: AbortSignal;
  /** Where `create-admin` asks for a password when it is a terminal (`process.stdin`); absent in tests. */
  readonly stdin?: NodeJS.ReadStream;
}

/** Exit codes of `holdfast-server`. */
export const exitCodes = {
  ok: 0,
  /** The command failed (the database, the port, ...). */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** The command is not available yet (none is, now; kept for the next commands). */
  unavailable: 69,
  /** The configuration is wrong (each mistake is printed). */
  config: 78,
} as const;

export const usage = `Usage: holdfast-server <command>

Commands:
  serve          Start the server (migrates the database first). Stop with Ctrl-C or SIGTERM.
  migrate        Apply pending database migrations, then exit.
  create-admin   Create an account and its primary user, address confirmed:
                 --email <address> --name <name> [--password-file <file>] [--region <id>]
                 (the password: the file's first line, HOLDFAST_ADMIN_PASSWORD, or asked for)
  ip-restrictions status|off (--email <address> | --account <acc_id>)
                 Show an account's IP restrictions, or switch them off when they lock
                 everyone out (audited, and emailed to its Administrators).
  unlock (--email <address> | --address <ip> | --user <usr_id> | --api-key <key_id>)
                 Lift a brute-force lockout before it runs out (audited in the account).
  help           Show this help.

Options:
  --version      Print the version.

Configuration comes from the environment and an optional JSON file named by HOLDFAST_CONFIG;
see docs/server.md. With none, the server runs embedded: SQLite and files under ./.holdfast/.
`;
