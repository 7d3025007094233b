/**
 * Argument parsing with `node:util` `parseArgs`, driven by each command's {@link CommandSpec}. Global
 * options are accepted anywhere on the line. The command (and a `key` subcommand) is found first, then
 * the whole line is parsed strictly with the global options and that command's own: an unknown option,
 * a missing value or a wrong number of arguments is a usage error (exit 2).
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { usageError } from './cli-error.ts';

/** One option of a command, for the parser and for `--help`. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string | undefined;
  /** May be given more than once (`--tag a --tag b`). */
  readonly multiple?: boolean | undefined;
  /** The value's placeholder in help: `<dir>`. */
  readonly value?: string | undefined;
  readonly description: string;
}

/** What a command accepts, and its help. */
export interface CommandSpec {
  /** `backup`, or `key add` for a subcommand. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Positional arguments: `<required>`, `[optional]`. */
  readonly arguments: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Paragraphs for `holdfast <command> --help`. */
  readonly description?: readonly string[] | undefined;
  readonly examples?: readonly string[] | undefined;
  /** Whether the command opens (or creates) a repository: it takes `--repo` and a passphrase. */
  readonly repository: boolean;
}

/** The options every command takes. */
export const globalOptions = {
  repo: {
    type: 'string',
    short: 'r',
    value: '<path>',
    description: 'the repository (default: $HOLDFAST_REPOSITORY)',
  },
  'password-file': {
    type: 'string',
    value: '<file>',
    description: 'read the passphrase from a file (default: $HOLDFAST_PASSWORD)',
  },
  json: { type: 'boolean', description: 'print one JSON document on stdout; errors as JSON on stderr' },
  quiet: { type: 'boolean', short: 'q', description: 'no progress and no summaries' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
  version: { type: 'boolean', short: 'V', description: 'show the version' },
} as const satisfies Record<string, OptionSpec>;

/** The global options as parsed. */
export interface GlobalOptions {
  readonly repo: string | undefined;
  readonly passwordFile: string | undefined;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

/** A command's parsed arguments. */
export interface CommandArgs {
  readonly global: GlobalOptions;
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
}

/** The command words of a line: `['backup']`, `['key', 'add']`, `[]`. */
export function findCommandWords(
  argv: readonly string[],
  valueOptions: ReadonlySet<string>,
  groups: ReadonlySet<string>,
): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '--') break;
    if (token.startsWith('-') && token !== '-') {
      const name = token.startsWith('--') ? token.slice(2) : token.slice(1);
      if (!name.includes('=') && valueOptions.has(name)) i++; // its value is the next token
      continue;
    }
    words.push(token);
    if (words.length === 2 || !groups.has(token)) break;
  }
  return words;
}

/** Parses `argv` for `spec` (or, without a spec, only the global options, e.g. for `holdfast --version`). */
export function parseCommandArgs(
  argv: readonly string[],
  spec: CommandSpec | undefined,
  commandWords: number,
): CommandArgs {
  const options: ParseArgsOptionsConfig = {};
  const specs: Readonly<Record<string, OptionSpec>> = { ...globalOptions, ...spec?.options };
  for (const [name, option] of Object.entries(specs)) {
    options[name] = {
      type: option.type,
      ...(option.short === undefined ? {} : { short: option.short }),
      ...(option.multiple === true ? { multiple: true } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(parseArgsMessage(error, spec));
  }
  const values = parsed.values as CommandArgs['values'];
  const global: GlobalOptions = {
    repo: stringValue(values, 'repo'),
    passwordFile: stringValue(values, 'password-file'),
    json: values['json'] === true,
    quiet: values['quiet'] === true,
    help: values['help'] === true,
    version: values['version'] === true,
  };
  const positionals = parsed.positionals.slice(commandWords);
  if (spec !== undefined && !global.help) checkArity(spec, positionals);
  return { global, positionals, values };
}

/** A string option's value (the last one if given more than once). */
export function stringValue(values: CommandArgs['values'], name: string): string | undefined {
  const value = values[name];
  if (Array.isArray(value)) return stringValue({ [name]: value.at(-1) }, name);
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string option's values. */
export function stringValues(values: CommandArgs['values'], name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
}

/** A boolean option. */
export function flag(values: CommandArgs['values'], name: string): boolean {
  return values[name] === true;
}

/** A non-negative integer option, or a usage error. */
export function integerValue(values: CommandArgs['values'], name: string): number | undefined {
  const text = stringValue(values, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw usageError(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

function checkArity(spec: CommandSpec, positionals: readonly string[]): void {
  const required = spec.arguments.filter((name) => name.startsWith('<')).length;
  const variadic = spec.arguments.some((name) => name.endsWith('...'));
  const missing = spec.arguments.filter((name) => name.startsWith('<'))[positionals.length];
  if (positionals.length < required) {
    throw usageError(
      `${spec.name}: missing argument ${missing ?? ''}`.trim() + ` (see "holdfast ${spec.name} --help")`,
    );
  }
  if (!variadic && positionals.length > spec.arguments.length) {
    const extra = positionals[spec.arguments.length] ?? '';
    throw usageError(`${spec.name}: unexpected argument ${JSON.stringify(extra)} (see "holdfast ${spec.name} --help")`);
  }
}

function parseArgsMessage(error: unknown, spec: CommandSpec | undefined): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const where = spec === undefined ? '' : `${spec.name}: `;
  const help = spec === undefined ? 'holdfast --help' : `holdfast ${spec.name} --help`;
  const quoted = /'(-[^']*)'/.exec(message)?.[1];
  const option = quoted === undefined ? undefined : (/--[\w-]+/.exec(quoted)?.[0] ?? quoted);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    return `${where}unknown option ${option} (see "${help}")`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    return `${where}option ${option} ${message.includes('argument missing') ? 'needs a value' : 'takes no value'} (see "${help}")`;
  }
  return `${where}${message.split('. ')[0] ?? message} (see "${help}")`;
}
