/** The text of `holdfast --help` and `holdfast <command> --help`, built from the command specs. */
import { packageVersion } from '../package-info.ts';
import { globalOptions, type CommandSpec, type OptionSpec } from './args.ts';
import type { Command } from './commands/command.ts';
import { envVars } from './context.ts';
import { exitCodeHelp } from './exit-codes.ts';

const environment: readonly (readonly [string, string])[] = [
  [envVars.repository, 'the repository location (instead of --repo)'],
  [envVars.password, 'the passphrase (instead of --password-file)'],
  [envVars.newPassword, 'the new passphrase of "key add" and "key rotate" (instead of --new-password-file)'],
  [`${envVars.debug}=1`, 'print stack traces with errors'],
];

/** `holdfast --help`. */
export function toolHelp(commands: readonly Command[]): string {
  const rows = commands.map(({ spec }) => [usageOf(spec), spec.summary] as const);
  return [
    `holdfast ${packageVersion}: encrypted, deduplicated backups`,
    '',
    'Usage: holdfast <command> [arguments] [options]',
    '',
    'Commands:',
    ...columns(rows),
    '',
    'Global options:',
    ...optionLines(globalOptions),
    '',
    'Environment:',
    ...columns(environment),
    '',
    'Exit codes:',
    ...columns(exitCodeHelp.map(([code, text]) => [String(code), text] as const)),
    '',
    'Run "holdfast <command> --help" for the options of a command.',
    '',
  ].join('\n');
}

/** `holdfast <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  const summary = `${spec.summary.charAt(0).toUpperCase()}${spec.summary.slice(1)}.`;
  const lines = [`Usage: holdfast ${usageOf(spec)} [options]`, '', summary];
  if (spec.description !== undefined) lines.push('', ...spec.description);
  if (Object.keys(spec.options).length > 0) lines.push('', 'Options:', ...optionLines(spec.options));
  const global = spec.repository
    ? globalOptions
    : Object.fromEntries(Object.entries(globalOptions).filter(([name]) => name !== 'repo' && name !== 'password-file'));
  lines.push('', 'Global options:', ...optionLines(global));
  if (spec.examples !== undefined && spec.examples.length > 0) {
    lines.push('', 'Examples:', ...spec.examples.map((example) => `  ${example}`));
  }
  lines.push('', 'Exit codes: see "holdfast --help".', '');
  return lines.join('\n');
}

/** `holdfast key` (a group without its subcommand). */
export function groupHelp(group: string, commands: readonly Command[]): string {
  const members = commands.filter(({ spec }) => spec.name.startsWith(`${group} `));
  return [
    `Usage: holdfast ${group} <${members.map(({ spec }) => spec.name.slice(group.length + 1)).join('|')}> [options]`,
    '',
    ...columns(members.map(({ spec }) => [usageOf(spec), spec.summary] as const)),
    '',
  ].join('\n');
}

function usageOf(spec: CommandSpec): string {
  return [spec.name, ...spec.arguments].join(' ');
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  return columns(
    Object.entries(options).map(([name, option]) => {
      const short = option.short === undefined ? '    ' : `-${option.short}, `;
      const value = option.value === undefined ? '' : ` ${option.value}`;
      return [`${short}--${name}${value}`, option.description + (option.multiple === true ? ' (repeatable)' : '')];
    }),
  );
}

function columns(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
