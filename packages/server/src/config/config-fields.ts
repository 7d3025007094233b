/**
 * Parsers for single configuration values. Each takes the raw value (a string from the environment, or
 * any JSON value from the config file) and the label to name it by (`HOLDFAST_PORT`, or `port in
 * /etc/holdfast.json`), and returns the value or throws a {@link ConfigValueError} whose message is one
 * line: what the setting must be, and what it got (never the value of a secret).
 */
import { isIP } from 'node:net';
import { logLevels, type LogLevel, type RegionConfig } from './server-config.ts';

/** One wrong setting; `message` is a complete sentence naming the setting. */
export class ConfigValueError extends Error {}

/** `'abc'`, quoted for messages; long values are cut. */
export function shown(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return `'${text.length > 80 ? `${text.slice(0, 77)}...` : text}'`;
}

function fail(label: string, must: string, raw: unknown): never {
  throw new ConfigValueError(`${label} must be ${must}, got ${shown(raw)}`);
}

export function parsePort(raw: unknown, label: string): number {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !/^\d{1,5}$/.test(text.trim()) || Number(text) > 65535) {
    fail(label, 'a port number (1-65535, or 0 for any free port)', raw);
  }
  return Number(text);
}

export function parseHost(raw: unknown, label: string): string {
  if (typeof raw !== 'string') fail(label, 'an IP address or a host name', raw);
  const host = raw.trim();
  const hostname =
    /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
  if (isIP(host) === 0 && !hostname.test(host)) fail(label, 'an IP address or a host name', raw);
  return host;
}

export function parseString(raw: unknown, label: string, what: string): string {
  if (typeof raw !== 'string' || raw.trim() === '') fail(label, what, raw);
  return raw.trim();
}

const sizeUnits: Readonly<Record<string, number>> = { b: 1, kb: 1000, kib: 1024, mb: 1000 ** 2, mib: 1024 ** 2 };

/** Bytes: `1048576`, `512KiB`, `1MiB`, `2mb`. At least 1 KiB, at most 1 GiB. */
export function parseByteSize(raw: unknown, label: string): number {
  const must = 'a size in bytes from 1KiB to 1GiB (e.g. 1048576, 512KiB, 1MiB)';
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string') fail(label, must, raw);
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = sizeUnits[(match?.[2] ?? '').toLowerCase() || 'b'];
  if (match === null || unit === undefined) fail(label, must, raw);
  const bytes = Number(match[1]) * unit;
  if (bytes < 1024 || bytes > 1024 ** 3) fail(label, must, raw);
  return bytes;
}

/** Whole seconds (0-3600), returned in milliseconds. */
export function parseSeconds(raw: unknown, label: string): number {
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || !/^\d+$/.test(text.trim()) || Number(text) > 3600) {
    fail(label, 'a number of seconds (0-3600)', raw);
  }
  return Number(text) * 1000;
}

export function parseBoolean(raw: unknown, label: string): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const text = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'off'].includes(text)) return false;
  }
  return fail(label, 'true or false (also 1/0, yes/no, on/off)', raw);
}

export function parseLogLevel(raw: unknown, label: string): LogLevel {
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  if (!logLevels.includes(text as LogLevel)) fail(label, `one of ${logLevels.join(', ')}`, raw);
  return text as LogLevel;
}

/** An `http(s)://` origin (with an optional path prefix), without a trailing slash. */
export function parsePublicUrl(raw: unknown, label: string): string {
  const must = 'an http:// or https:// URL without query or fragment (e.g. https://backup.example.org)';
  if (typeof raw !== 'string') fail(label, must, raw);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return fail(label, must, raw);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search !== '' || url.hash !== '' || url.username !== '') {
    fail(label, must, raw);
  }
  return url.toString().replace(/\/+$/, '');
}

/** A PostgreSQL URL. The message never echoes the value: it may hold a password. */
export function parseDatabaseUrl(raw: unknown, label: string): string {
  const must = `a postgres:// or postgresql:// URL (leave it unset for the embedded SQLite database)`;
  if (typeof raw !== 'string') throw new ConfigValueError(`${label} must be ${must}`);
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (url === undefined || !['postgres:', 'postgresql:'].includes(url.protocol)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw.trim())?.[1];
    throw new ConfigValueError(`${label} must be ${must}, got ${scheme === undefined ? 'no URL' : `a ${scheme}: URL`}`);
  }
  return raw.trim();
}

/** 32 bytes in base64. The message never echoes the value. */
export function parseMasterKey(raw: unknown, label: string): string {
  const must = `32 random bytes in base64 (e.g. from \`openssl rand -base64 32\`)`;
  if (typeof raw !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw.trim())) {
    throw new ConfigValueError(`${label} must be ${must}, got something else`);
  }
  const length = Buffer.from(raw.trim(), 'base64').length;
  if (length !== 32) throw new ConfigValueError(`${label} must be ${must}, got ${length} bytes`);
  return raw.trim();
}

/** Comma-separated in the environment, an array in the file. */
export function listOf(raw: unknown, label: string, what: string): string[] {
  if (typeof raw === 'string') {
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return raw.map((item) => item.trim());
  return fail(label, `${what} (comma-separated, or a JSON array of strings in the file)`, raw);
}

/** IP addresses and CIDR ranges, v4 or v6. */
export function parseTrustedProxies(raw: unknown, label: string): string[] {
  const entries = listOf(raw, label, 'IP addresses or CIDR ranges');
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const version = isIP(address);
    const maxPrefix = version === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (version === 0 || !prefixOk || extra !== undefined) {
      throw new ConfigValueError(
        `${label} must list IP addresses or CIDR ranges (e.g. 10.0.0.0/8), got ${shown(entry)}`,
      );
    }
  }
  return entries;
}

const regionIdPattern = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * Regions: in the environment `id=Name,id=Name` (the first is the default; a bare `id` names itself); in
 * the file an array of `{ "id", "name", "default"? }` (the first is the default unless one says so).
 */
export function parseRegions(raw: unknown, label: string): RegionConfig[] {
  const must = 'a list of regions: `id=Name,id=Name` (the first is the default) or, in the file, [{ "id", "name" }]';
  let regions: { id: unknown; name: unknown; default: unknown }[];
  if (typeof raw === 'string') {
    regions = raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .map((item) => {
        const [id = '', ...name] = item.split('=');
        return { id: id.trim(), name: name.join('=').trim() || id.trim(), default: undefined };
      });
  } else if (Array.isArray(raw) && raw.every((item) => typeof item === 'object' && item !== null)) {
    regions = (raw as Record<string, unknown>[]).map((item) => ({
      id: item['id'],
      name: item['name'] ?? item['id'],
      default: item['default'],
    }));
  } else {
    return fail(label, must, raw);
  }
  if (regions.length === 0) fail(label, must, raw);
  for (const region of regions) {
    if (typeof region.id !== 'string' || !regionIdPattern.test(region.id)) {
      throw new ConfigValueError(
        `${label}: region id must be lower-case letters, digits and dashes (1-32, e.g. eu-central), got ${shown(region.id)}`,
      );
    }
    if (typeof region.name !== 'string' || region.name.trim() === '') {
      throw new ConfigValueError(`${label}: region ${region.id} needs a name`);
    }
    if (region.default !== undefined && typeof region.default !== 'boolean') {
      throw new ConfigValueError(`${label}: region ${region.id} has a "default" that is not true or false`);
    }
  }
  const ids = regions.map((region) => region.id as string);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined) throw new ConfigValueError(`${label} lists the region ${duplicate} twice`);
  const defaults = regions.filter((region) => region.default === true).length;
  if (defaults > 1) throw new ConfigValueError(`${label} marks ${defaults} regions as default; mark one`);
  return regions.map((region, index) => ({
    id: region.id as string,
    name: (region.name as string).trim(),
    default: defaults === 0 ? index === 0 : region.default === true,
  }));
}

/** An `smtp://` or `smtps://` URL, user and password inside. The message never echoes the value. */
export function parseSmtpUrl(raw: unknown, label: string): string {
  const must = 'an smtp:// or smtps:// URL (e.g. smtp://user:password@mail.example.org:587)';
  if (typeof raw !== 'string') throw new ConfigValueError(`${label} must be ${must}`);
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  if (url === undefined || !['smtp:', 'smtps:'].includes(url.protocol) || url.hostname === '') {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw.trim())?.[1];
    throw new ConfigValueError(`${label} must be ${must}, got ${scheme === undefined ? 'no URL' : `a ${scheme}: URL`}`);
  }
  return raw.trim();
}

const mailbox = /^[^\s@<>]+@[^\s@<>]+$/;

/** A sender: `holdfast@example.org` or `Holdfast <holdfast@example.org>`. */
export function parseMailFrom(raw: unknown, label: string): string {
  const must = 'an email address, optionally with a name (e.g. Holdfast <holdfast@example.org>)';
  if (typeof raw !== 'string') fail(label, must, raw);
  const text = raw.trim();
  const named = /^([^<>\r\n]*)<([^<>\s]+)>$/.exec(text);
  const address = named === null ? text : (named[2] ?? '');
  if (!mailbox.test(address) || /[\r\n]/.test(text)) fail(label, must, raw);
  return text;
}

/** argon2id costs: `m=19456,t=2,p=1` (memory KiB, passes, lanes), or in the file `{ memoryKiB, passes, parallelism }`. */
export function parsePasswordHashing(
  raw: unknown,
  label: string,
): { memoryKiB: number; passes: number; parallelism: number } {
  const must = 'argon2id costs as m=<memory KiB>,t=<passes>,p=<lanes> (e.g. m=19456,t=2,p=1), m at least 8×p';
  let values: Record<string, unknown>;
  if (typeof raw === 'string') {
    const match = /^\s*m=(\d+)\s*,\s*t=(\d+)\s*,\s*p=(\d+)\s*$/.exec(raw);
    if (match === null) return fail(label, must, raw);
    values = { memoryKiB: Number(match[1]), passes: Number(match[2]), parallelism: Number(match[3]) };
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    values = raw as Record<string, unknown>;
  } else {
    return fail(label, must, raw);
  }
  const { memoryKiB, passes, parallelism } = values;
  const whole = (value: unknown, max: number): value is number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
  if (!whole(memoryKiB, 4_194_304) || !whole(passes, 100) || !whole(parallelism, 64) || memoryKiB < 8 * parallelism) {
    return fail(label, must, raw);
  }
  return { memoryKiB, passes, parallelism };
}
