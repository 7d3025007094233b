/**
 * Parsing rule ranges and matching callers (`src/ip-restrictions/ip-ranges.ts`), table-driven: every
 * accepted form with its normalised text and bounds, every kind of malformed input with the reason it
 * gives, and callers at and just past the edges of ranges (first and last address in, their neighbours
 * out, /0, /32, 0.0.0.0, 255.255.255.255), IPv6 and IPv4-mapped IPv6 callers.
 */
import { describe, expect, it } from 'vitest';
import {
  callerAddressNumber,
  formatAddress,
  isRangeProblem,
  parseRange,
  rangesTrust,
  storedRange,
} from '../../src/ip-restrictions/ip-ranges.ts';

/** A range's bounds as dotted quads, for readable expectations. */
function bounds(input: string): { text: string; first: string; last: string } | { problem: string } {
  const parsed = parseRange(input);
  if (isRangeProblem(parsed)) return parsed;
  return { text: parsed.text, first: formatAddress(parsed.first), last: formatAddress(parsed.last) };
}

describe('parsing a rule range', () => {
  it.each([
    ['one address', '203.0.113.7', '203.0.113.7', '203.0.113.7', '203.0.113.7'],
    ['the lowest address', '0.0.0.0', '0.0.0.0', '0.0.0.0', '0.0.0.0'],
    ['the highest address', '255.255.255.255', '255.255.255.255', '255.255.255.255', '255.255.255.255'],
    ['surrounding spaces', '  10.1.2.3 ', '10.1.2.3', '10.1.2.3', '10.1.2.3'],
    ['a range', '203.0.113.10-203.0.113.20', '203.0.113.10-203.0.113.20', '203.0.113.10', '203.0.113.20'],
    ['spaces around -', '203.0.113.10 - 203.0.113.20', '203.0.113.10-203.0.113.20', '203.0.113.10', '203.0.113.20'],
    ['a range of one', '10.0.0.1-10.0.0.1', '10.0.0.1-10.0.0.1', '10.0.0.1', '10.0.0.1'],
    ['a range across octets', '10.0.0.250-10.0.1.5', '10.0.0.250-10.0.1.5', '10.0.0.250', '10.0.1.5'],
    ['everything as a range', '0.0.0.0-255.255.255.255', '0.0.0.0-255.255.255.255', '0.0.0.0', '255.255.255.255'],
    ['a /24', '203.0.113.0/24', '203.0.113.0/24', '203.0.113.0', '203.0.113.255'],
    ['a /32', '203.0.113.7/32', '203.0.113.7/32', '203.0.113.7', '203.0.113.7'],
    ['a /31', '10.0.0.2/31', '10.0.0.2/31', '10.0.0.2', '10.0.0.3'],
    ['a /1', '128.0.0.0/1', '128.0.0.0/1', '128.0.0.0', '255.255.255.255'],
    ['/0: every address', '0.0.0.0/0', '0.0.0.0/0', '0.0.0.0', '255.255.255.255'],
    ['a /8', '10.0.0.0/8', '10.0.0.0/8', '10.0.0.0', '10.255.255.255'],
    ['a /20 across octets', '172.16.16.0/20', '172.16.16.0/20', '172.16.16.0', '172.16.31.255'],
  ])('accepts %s: %s', (_name, input, text, first, last) => {
    expect(bounds(input)).toEqual({ text, first, last });
  });

  it.each([
    ['empty', '', 'is empty'],
    ['blank', '   ', 'is empty'],
    ['IPv6', '2001:db8::1', 'IPv6 is not supported yet'],
    ['IPv6 loopback', '::1', 'IPv6 is not supported yet'],
    ['an IPv6 block', '2001:db8::/32', 'IPv6 is not supported yet'],
    ['IPv4-mapped IPv6', '::ffff:203.0.113.7', 'IPv6 is not supported yet'],
    ['three parts', '10.0.0', '"10.0.0" is not an IPv4 address'],
    ['five parts', '10.0.0.0.1', '"10.0.0.0.1" is not an IPv4 address'],
    ['an empty part', '10..0.1', '"10..0.1" is not an IPv4 address'],
    ['a trailing dot', '10.0.0.1.', '"10.0.0.1." is not an IPv4 address'],
    ['a leading zero', '10.0.0.01', '"01" in 10.0.0.01 has a leading zero: write 1'],
    ['zero-padded', '010.000.000.001', '"010" in 010.000.000.001 has a leading zero: write 10'],
    ['an octet above 255', '10.0.0.256', '256 in 10.0.0.256 is above 255'],
    ['a huge octet', '10.0.0.99999999999', '99999999999 in 10.0.0.99999999999 is above 255'],
    ['a name', 'office.example.org', 'is not an IPv4 address, a range (first-last) or a CIDR block'],
    ['a wildcard', '10.0.0.*', 'is not an IPv4 address, a range (first-last) or a CIDR block'],
    ['hex', '0x0a.0.0.1', 'is not an IPv4 address, a range (first-last) or a CIDR block'],
    ['a negative number', '-1.0.0.0', 'needs an address on each side of "-"'],
    ['a port', '10.0.0.1:443', 'a rule has no port: write 10.0.0.1 without ":443"'],
    ['a comma list', '10.0.0.1,10.0.0.2', 'is not an IPv4 address, a range (first-last) or a CIDR block'],
    ['a tab around -', '10.0.0.1\t-\t10.0.0.2', 'is not an IPv4 address, a range (first-last) or a CIDR block'],
    ['SQL', "10.0.0.1' or '1'='1", 'is not an IPv4 address, a range (first-last) or a CIDR block'],
    ['a reversed range', '203.0.113.20-203.0.113.10', 'the range 203.0.113.20-203.0.113.10 is reversed'],
    ['reversed by one', '10.0.0.2-10.0.0.1', 'the range 10.0.0.2-10.0.0.1 is reversed'],
    ['an open range', '10.0.0.1-', 'needs an address on each side of "-"'],
    ['two dashes', '10.0.0.1-10.0.0.2-10.0.0.3', 'is not an IPv4 address, a range (first-last) or a CIDR block'],
    ['a bad range end', '10.0.0.1-10.0.0.300', '300 in 10.0.0.300 is above 255'],
    ['a range with a prefix', '10.0.0.0/24-10.0.1.0', 'is not an IPv4 address, a range (first-last) or a CIDR block'],
    ['host bits set', '203.0.113.7/24', '203.0.113.7/24 has host bits set: the block is 203.0.113.0/24'],
    ['host bits of /0', '10.0.0.0/0', '10.0.0.0/0 has host bits set: the block is 0.0.0.0/0'],
    ['a prefix above 32', '10.0.0.0/33', 'the prefix /33 is above 32'],
    ['a prefix of 128', '10.0.0.0/128', 'the prefix /128 is above 32'],
    ['a prefix with a leading zero', '10.0.0.0/08', 'the prefix "/08" has a leading zero: write /8'],
    ['an empty prefix', '10.0.0.0/', 'the prefix "/" is not a number from 0 to 32'],
    ['two prefixes', '10.0.0.0/8/8', 'is not an IPv4 address, a range (first-last) or a CIDR block'],
    ['a netmask', '10.0.0.0/255.0.0.0', 'the prefix "/255.0.0.0" is not a number from 0 to 32'],
    ['a bad block address', '10.0.0.256/24', '256 in 10.0.0.256 is above 255'],
  ])('refuses %s (%j) saying why', (_name, input, reason) => {
    const parsed = parseRange(input);
    expect(isRangeProblem(parsed), JSON.stringify(parsed)).toBe(true);
    if (isRangeProblem(parsed)) expect(parsed.problem).toContain(reason);
  });

  it('stores bounds as dotted quads that parse back to the same numbers', () => {
    const parsed = parseRange('10.0.0.250-10.0.1.5');
    if (isRangeProblem(parsed)) throw new Error(parsed.problem);
    expect(storedRange(parsed)).toEqual({ first_address: '10.0.0.250', last_address: '10.0.1.5' });
  });
});

describe('matching a caller', () => {
  const rule = (text: string) => {
    const parsed = parseRange(text);
    if (isRangeProblem(parsed)) throw new Error(parsed.problem);
    return storedRange(parsed);
  };

  it.each([
    ['the first address of a range', '203.0.113.10-203.0.113.20', '203.0.113.10', true],
    ['the last address of a range', '203.0.113.10-203.0.113.20', '203.0.113.20', true],
    ['inside a range', '203.0.113.10-203.0.113.20', '203.0.113.15', true],
    ['just below a range', '203.0.113.10-203.0.113.20', '203.0.113.9', false],
    ['just above a range', '203.0.113.10-203.0.113.20', '203.0.113.21', false],
    // As text, "203.0.113.9" sorts after "203.0.113.10": numeric comparison or nothing.
    ['text order would say in', '203.0.113.1-203.0.113.2', '203.0.113.10', false],
    ['text order would say out', '10.0.0.9-10.0.0.100', '10.0.0.10', true],
    ['the first address of a block', '203.0.113.0/24', '203.0.113.0', true],
    ['the last address of a block', '203.0.113.0/24', '203.0.113.255', true],
    ['just below a block', '203.0.113.0/24', '203.0.112.255', false],
    ['just above a block', '203.0.113.0/24', '203.0.114.0', false],
    ['a /32 itself', '203.0.113.7/32', '203.0.113.7', true],
    ['a /32 neighbour', '203.0.113.7/32', '203.0.113.8', false],
    ['a single address', '203.0.113.7', '203.0.113.7', true],
    ['a single address neighbour', '203.0.113.7', '203.0.113.6', false],
    ['/0 and 0.0.0.0', '0.0.0.0/0', '0.0.0.0', true],
    ['/0 and 255.255.255.255', '0.0.0.0/0', '255.255.255.255', true],
    ['0.0.0.0 alone', '0.0.0.0', '0.0.0.0', true],
    ['0.0.0.0 and its neighbour', '0.0.0.0', '0.0.0.1', false],
    ['255.255.255.255 alone', '255.255.255.255', '255.255.255.255', true],
    ['255.255.255.255 and its neighbour', '255.255.255.255', '255.255.255.254', false],
    ['the top /1', '128.0.0.0/1', '127.255.255.255', false],
    ['an IPv4-mapped caller in', '203.0.113.0/24', '::ffff:203.0.113.9', true],
    ['an IPv4-mapped caller in (upper case)', '203.0.113.0/24', '::FFFF:203.0.113.9', true],
    ['an IPv4-mapped caller out', '203.0.113.0/24', '::ffff:198.51.100.9', false],
    ['an IPv6 caller, even under /0', '0.0.0.0/0', '2001:db8::1', false],
    ['the IPv6 loopback', '0.0.0.0/0', '::1', false],
    ['an IPv4-compatible (not mapped) caller', '0.0.0.0/0', '::203.0.113.9', false],
    ['a hex IPv4-mapped caller', '0.0.0.0/0', '::ffff:cb00:7109', false],
    ['no address', '0.0.0.0/0', '', false],
    ['an address with a port', '0.0.0.0/0', '203.0.113.9:443', false],
    ['a zero-padded caller', '0.0.0.0/0', '010.0.0.1', false],
    ['garbage', '0.0.0.0/0', 'unknown', false],
  ])('%s: %s trusts %j → %s', (_name, range, caller, trusted) => {
    expect(rangesTrust([rule(range)], caller)).toBe(trusted);
  });

  it('trusts when any rule does, and nobody with no rules', () => {
    const rules = [rule('10.0.0.0/8'), rule('203.0.113.7'), rule('198.51.100.10-198.51.100.20')];
    expect(rangesTrust(rules, '198.51.100.15')).toBe(true);
    expect(rangesTrust(rules, '203.0.113.7')).toBe(true);
    expect(rangesTrust(rules, '198.51.100.21')).toBe(false);
    expect(rangesTrust([], '10.0.0.1')).toBe(false);
  });

  it('reads callers as 32-bit numbers', () => {
    expect(callerAddressNumber('0.0.0.0')).toBe(0);
    expect(callerAddressNumber('255.255.255.255')).toBe(2 ** 32 - 1);
    expect(callerAddressNumber('::ffff:1.2.3.4')).toBe(0x01020304);
    expect(callerAddressNumber('fe80::1')).toBeNull();
  });
});
