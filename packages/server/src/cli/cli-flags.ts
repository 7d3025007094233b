/**
 * The flags of the `holdfast-server` commands that take them: `--name value` or `--name=value`, each a
 * known flag with a non-blank value. One reader, so every command refuses a mistake with the same
 * one-line messages (`create-admin: unknown argument '--x'`, `unlock: --email needs a value`).
 */

/**
 * The flags of `argv` in order, as `[key, value]` (`flags` maps each flag to its key), or the message
 * saying what is wrong, prefixed with the command's name.
 */
export function readFlags<Key extends string>(
  command: string,
  argv: readonly string[],
  flags: Readonly<Record<string, Key>>,
): (readonly [Key, string])[] | string {
  const read: (readonly [Key, string])[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg];
    const key = Object.hasOwn(flags, flag) ? flags[flag] : undefined;
    if (key === undefined) return `${command}: unknown argument '${arg}'`;
    const value = inline ?? argv[++i];
    if (value === undefined || value.trim() === '') return `${command}: ${flag} needs a value`;
    read.push([key, value]);
  }
  return read;
}
