/**
 * IPv4 addresses and ranges of IP restrictions (S6), as pure functions: parsing what an administrator
 * writes into a rule, and testing a caller's address against rules.
 *
 * Invariants:
 * - An address is compared as its 32-bit number (0 … 2^32 − 1), never as text: `10.0.0.9` < `10.0.0.10`.
 * - A range is `first ≤ last`, both ends included; a single address is a range of one, a CIDR block the
 *   range its prefix spans.
 * - Parsing is strict, so a rule means exactly one thing: four decimal parts 0–255 without leading zeros
 *   (`010` is octal to some tools and decimal to others), prefixes 0–32 without leading zeros, host bits
 *   zero. Every refusal says what is wrong ({@link RangeProblem}).
 * - Callers: IPv4 addresses, and IPv4-mapped IPv6 (`::ffff:203.0.113.7`) as the IPv4 address they carry.
 *   Any other address (IPv6, something a proxy wrote that is no address) is trusted by no rule: with
 *   restrictions on, such callers are refused. IPv6 rules are not supported yet.
 */

/** A parsed rule range: its normalised text and the numbers of its first and last address. */
export interface ParsedRange {
  /** `203.0.113.7`, `203.0.113.0/24`, `203.0.113.10-203.0.113.20` (no spaces, the form as written). */
  readonly text: string;
  readonly first: number;
  readonly last: number;
}

/** Why a range was refused: a message for the `errors[]` entry of `/body/range`. */
export interface RangeProblem {
  readonly problem: string;
}

/** Whether a parse result is a refusal. */
export function isRangeProblem(value: ParsedRange | RangeProblem): value is RangeProblem {
  return 'problem' in value;
}

function refuse(problem: string): RangeProblem {
  return { problem };
}

/** An address as its number, or why it is not one. */
function parseAddress(text: string): number | RangeProblem {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^[0-9]+$/.test(part))) {
    return refuse(`"${text}" is not an IPv4 address: write four numbers from 0 to 255 separated by dots`);
  }
  let value = 0;
  for (const part of parts) {
    if (part.length > 1 && part.startsWith('0')) {
      return refuse(`"${part}" in ${text} has a leading zero: write ${String(Number(part))}`);
    }
    const octet = Number(part);
    if (octet > 255) return refuse(`${part} in ${text} is above 255`);
    value = value * 256 + octet;
  }
  return value;
}

/** The dotted-quad text of an address number. */
export function formatAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => String(Math.floor(value / 2 ** shift) % 256)).join('.');
}

function parseCidr(address: string, prefixText: string): ParsedRange | RangeProblem {
  const base = parseAddress(address);
  if (typeof base !== 'number') return base;
  if (!/^[0-9]+$/.test(prefixText)) return refuse(`the prefix "/${prefixText}" is not a number from 0 to 32`);
  if (prefixText.length > 1 && prefixText.startsWith('0')) {
    return refuse(`the prefix "/${prefixText}" has a leading zero: write /${String(Number(prefixText))}`);
  }
  const prefix = Number(prefixText);
  if (prefix > 32) return refuse(`the prefix /${prefixText} is above 32 (IPv4 addresses have 32 bits)`);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(base / size) * size;
  if (first !== base) {
    return refuse(`${address}/${prefixText} has host bits set: the block is ${formatAddress(first)}/${prefixText}`);
  }
  return { text: `${address}/${prefixText}`, first, last: first + size - 1 };
}

/**
 * Parses a rule's range: one address, `first-last` (spaces around `-` allowed) or a CIDR block.
 * Spaces around the whole value are ignored; the text answered is the form written, without spaces.
 *
 * @example
 * ```ts
 * parseRange('203.0.113.10 - 203.0.113.20'); // { text: '203.0.113.10-203.0.113.20', first: 3405803786, last: 3405803796 }
 * parseRange('203.0.113.7/24'); // { problem: '203.0.113.7/24 has host bits set: the block is 203.0.113.0/24' }
 * ```
 */
export function parseRange(input: string): ParsedRange | RangeProblem {
  const text = input.trim();
  if (text === '') return refuse('is empty: write an IPv4 address, a range (first-last) or a CIDR block');
  const port = /^([0-9.]+):([0-9]+)$/.exec(text);
  if (port !== null) return refuse(`a rule has no port: write ${port[1] ?? ''} without ":${port[2] ?? ''}"`);
  if (text.includes(':')) {
    return refuse('IPv6 is not supported yet: write an IPv4 address, a range (first-last) or a CIDR block');
  }
  if (!/^[0-9./\- ]+$/.test(text)) {
    return refuse(`"${text}" is not an IPv4 address, a range (first-last) or a CIDR block (address/prefix)`);
  }
  const dash = text.split('-');
  const slash = text.split('/');
  if (dash.length > 2 || slash.length > 2 || (dash.length === 2 && slash.length === 2)) {
    return refuse(`"${text}" is not an IPv4 address, a range (first-last) or a CIDR block (address/prefix)`);
  }
  if (slash.length === 2) return parseCidr(slash[0] ?? '', slash[1] ?? '');
  if (dash.length === 2) {
    const [from = '', to = ''] = dash.map((end) => end.trim());
    if (from === '' || to === '') return refuse(`the range "${text}" needs an address on each side of "-"`);
    const first = parseAddress(from);
    if (typeof first !== 'number') return first;
    const last = parseAddress(to);
    if (typeof last !== 'number') return last;
    if (first > last) return refuse(`the range ${from}-${to} is reversed: write the lower address first`);
    return { text: `${from}-${to}`, first, last };
  }
  const single = parseAddress(text);
  if (typeof single !== 'number') return single;
  return { text, first: single, last: single };
}

/**
 * The number of a caller's address (`ctx.state.clientIp`), or null when no IPv4 rule can trust it:
 * IPv6 (but IPv4-mapped), empty, or not an address at all.
 */
export function callerAddressNumber(address: string): number | null {
  const mapped = /^::ffff:(.+)$/i.exec(address);
  const plain = mapped?.[1] ?? address;
  const value = parseAddress(plain);
  return typeof value === 'number' ? value : null;
}

/** A rule's range as stored: its first and last address in dotted quads. */
export interface StoredRange {
  readonly first_address: string;
  readonly last_address: string;
}

/** The number of a stored dotted quad (rows are written by {@link parseRange}; a bad one trusts nothing). */
function storedNumber(text: string): number | null {
  const value = parseAddress(text);
  return typeof value === 'number' ? value : null;
}

/** Whether any of `ranges` trusts the caller's address. */
export function rangesTrust(ranges: readonly StoredRange[], address: string): boolean {
  const caller = callerAddressNumber(address);
  if (caller === null) return false;
  return ranges.some((range) => {
    const first = storedNumber(range.first_address);
    const last = storedNumber(range.last_address);
    return first !== null && last !== null && first <= caller && caller <= last;
  });
}

/** The stored form of a parsed range. */
export function storedRange(range: ParsedRange): StoredRange {
  return { first_address: formatAddress(range.first), last_address: formatAddress(range.last) };
}
