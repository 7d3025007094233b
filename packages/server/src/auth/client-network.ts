/**
 * The network a client address stands for, when counting what one client does (brute-force counters,
 * rate limits): an IPv4 address as it is, an IPv6 address as its /64. One IPv6 host usually holds a whole
 * /64 and can pick a fresh address in it for every request, so counting single IPv6 addresses would count
 * nothing. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) counts as its IPv4 address.
 *
 * Trade-off: clients behind one NAT (an office) share an IPv4 address and so a budget; the defaults
 * leave room for that, and `docs/server.md` says how to raise them.
 */
import { isIP } from 'node:net';

/** The 8 hextets of an IPv6 address (without zone), or null when it is not one. */
function hextets(address: string): number[] | null {
  let text = address;
  const embedded = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (embedded?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = embedded[1].split('.').map(Number);
    text = `${text.slice(0, embedded.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 0) return null;
  const all = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  return all.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? all : null;
}

/**
 * The network to count a client address under: `192.0.2.7` → `192.0.2.7`,
 * `2001:db8:1:2:aaaa::1` → `2001:db8:1:2::/64`. Anything else (an empty or odd address) is returned
 * trimmed and lower-cased, so it still counts as one client.
 */
export function clientNetwork(address: string): string {
  const plain = address.trim().toLowerCase().split('%')[0] ?? '';
  if (isIP(plain) === 4) return plain;
  if (isIP(plain) !== 6) return plain;
  const groups = hextets(plain);
  if (groups === null) return plain;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
